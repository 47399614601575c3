"""Tokenising SPL: splitting a pipeline into commands and a command's arguments into tokens."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Tuple

from .errors import SplError

_WORD_STOP = set(' \t\r\n(),"=!<>[')


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, STR (double-quoted), OP (= != == < <= > >=), LP, RP, COMMA, SUB ([...])
    value: str
    pos: int
    end: int = -1  # index just after the token (set for SUB)


def _skip_quoted(text: str, i: int) -> int:
    """Index just after the closing double quote of the string starting at ``text[i]``."""
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        j += 1
    raise SplError(f"unterminated quoted string at position {i}: {text[i:i + 40]!r}")


def _unquoted(text: str, i: int) -> Iterator[Tuple[int, str]]:
    """(index, character) of ``text`` from ``i`` on, double-quoted strings skipped."""
    j = i
    while j < len(text):
        if text[j] == '"':
            j = _skip_quoted(text, j)
            continue
        yield j, text[j]
        j += 1


def _skip_bracket(text: str, i: int) -> int:
    """Index just after the ``]`` matching the ``[`` at ``text[i]``."""
    depth = 0
    for j, c in _unquoted(text, i):
        depth += {"[": 1, "]": -1}.get(c, 0)
        if depth == 0:
            return j + 1
    raise SplError(f"unbalanced '[' at position {i}")


def split_pipeline(spl: str) -> List[str]:
    """Split on top-level ``|`` (outside quotes and subsearch brackets)."""
    parts: List[str] = []
    start = 0
    opened: List[int] = []
    for i, c in _unquoted(spl, 0):
        if c == "[":
            opened.append(i)
        elif c == "]":
            if not opened:
                raise SplError(f"unbalanced ']' at position {i}")
            opened.pop()
        elif c == "|" and not opened:
            parts.append(spl[start:i])
            start = i + 1
    if opened:
        raise SplError(f"unbalanced '[' at position {opened[0]}")
    parts.append(spl[start:])
    return [p.strip() for p in parts]


def split_command(segment: str) -> Tuple[str, str]:
    """(command name, argument text)."""
    seg = segment.strip()
    if not seg:
        raise SplError("empty command in pipeline (check for '||' or a trailing '|')")
    i = 0
    while i < len(seg) and not seg[i].isspace():
        i += 1
    return seg[:i], seg[i:].strip()


def unquote(s: str) -> str:
    """Remove the surrounding double quotes of a search string and its backslash escapes."""
    inner = s[1:-1]
    out = []
    i = 0
    while i < len(inner):
        if inner[i] == "\\" and i + 1 < len(inner) and inner[i + 1] in '"\\':
            out.append(inner[i + 1])
            i += 2
            continue
        out.append(inner[i])
        i += 1
    return "".join(out)


def tokenize(text: str) -> List[Token]:
    """Tokens of command arguments / search expressions."""
    toks: List[Token] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == '"':
            j = _skip_quoted(text, i)
            toks.append(Token("STR", unquote(text[i:j]), i))
            i = j
        elif c == "[":
            j = _skip_bracket(text, i)
            toks.append(Token("SUB", text[i + 1:j - 1].strip(), i, j))
            i = j
        elif c == "(":
            toks.append(Token("LP", c, i))
            i += 1
        elif c == ")":
            toks.append(Token("RP", c, i))
            i += 1
        elif c == ",":
            toks.append(Token("COMMA", c, i))
            i += 1
        elif c in "=!<>":
            two = text[i:i + 2]
            if two in ("!=", "<=", ">=", "=="):
                toks.append(Token("OP", two, i))
                i += 2
            elif c == "!":
                raise SplError(f"unexpected '!' at position {i}")
            else:
                toks.append(Token("OP", c, i))
                i += 1
        else:
            j = i
            while j < n and text[j] not in _WORD_STOP:
                j += 1
            toks.append(Token("WORD", text[i:j], i))
            i = j
    return toks
