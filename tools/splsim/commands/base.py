"""Command registry, search context and argument helpers shared by all commands."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import SplError
from ..evalexpr import EvalContext
from ..lexer import Token
from ..values import Row

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import Engine
    from ..extract import Event

Runner = Callable[[str, List[Row], "SearchContext"], List[Row]]


@dataclass
class SearchContext:
    engine: "Engine"
    events: List["Event"]
    eval_ctx: EvalContext
    dispatch_earliest: Optional[float] = None  # the dispatch time range every (sub)search starts from
    dispatch_latest: Optional[float] = None
    earliest: Optional[float] = None  # this search's range, after its inline earliest=/latest= terms
    latest: Optional[float] = None
    extras: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Command:
    name: str
    run: Runner
    generating: bool = False


COMMANDS: Dict[str, Command] = {}


def command(*names: str, generating: bool = False) -> Callable[[Runner], Runner]:
    def deco(fn: Runner) -> Runner:
        for n in names:
            COMMANDS[n] = Command(n, fn, generating)
        return fn

    return deco


def take_options(toks: Sequence[Token], allowed: Sequence[str], cmd: str) -> Tuple[Dict[str, str], List[Token]]:
    """Pull ``key=value`` options out of a token list; others stay in order.

    Any other ``key=value`` is an error (unknown argument)."""
    opts: Dict[str, str] = {}
    rest: List[Token] = []
    i = 0
    toks = list(toks)
    while i < len(toks):
        t = toks[i]
        if t.kind == "WORD" and i + 1 < len(toks) and toks[i + 1].kind == "OP" and toks[i + 1].value == "=":
            if i + 2 >= len(toks) or toks[i + 2].kind not in ("WORD", "STR"):
                raise SplError(f"{cmd}: missing value for option {t.value}")
            if t.value in allowed:
                opts[t.value] = toks[i + 2].value
                i += 3
                continue
            raise SplError(f"{cmd}: unknown argument {t.value}= (supported: {', '.join(allowed) or 'none'})")
        rest.append(t)
        i += 1
    return opts, rest


def words(toks: Sequence[Token], cmd: str) -> List[str]:
    """Field-name style tokens (commas ignored); anything else is an error."""
    out = []
    for t in toks:
        if t.kind == "COMMA":
            continue
        if t.kind not in ("WORD", "STR"):
            raise SplError(f"{cmd}: unexpected {t.value!r}")
        out.append(t.value)
    return out


def parse_bool(value: str, cmd: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("t", "true", "1", "yes"):
        return True
    if v in ("f", "false", "0", "no"):
        return False
    raise SplError(f"{cmd}: {name} must be a boolean, got {value!r}")


def parse_int(value: str, cmd: str, name: str, *, minimum: int = 0, maximum: int = 10_000_000) -> int:
    """A bounded integer argument (negative or absurd values are errors, not silent oddities)."""
    if not re.fullmatch(r"-?\d+", value.strip()):
        raise SplError(f"{cmd}: {name} must be an integer, got {value!r}")
    n = int(value)
    if not minimum <= n <= maximum:
        raise SplError(f"{cmd}: {name} must be between {minimum} and {maximum}, got {n}")
    return n


def match_fields(pattern: str, names: Sequence[str]) -> List[str]:
    if "*" not in pattern:
        return [pattern] if pattern in names else []
    return [n for n in names if fnmatch.fnmatchcase(n, pattern.replace("[", "[[]"))]


def all_field_names(rows: Sequence[Row]) -> List[str]:
    seen: Dict[str, None] = {}
    for r in rows:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)
