"""Search-language boolean expressions (the ``search`` command, eventtype searches, ``where``-less
filters): free-text terms, ``field=value`` with ``*`` wildcards, ``!=``, ``<``/``>``, ``IN``, ``NOT``,
``AND``/``OR`` and parentheses.

Semantics (docs.splunk.com/Documentation/Splunk/latest/Search/...):
* field names are case-sensitive, field values and terms case-insensitive;
* ``field=value`` matches when any value of a multivalue field matches; ``field=*`` means "exists";
* ``field!=value`` needs the field to exist, ``NOT field=value`` also matches events without it;
* free-text terms match whole tokens of ``_raw`` (bounded by breakers), ``*`` is a wildcard.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence

from .errors import SplError
from .lexer import Token, tokenize
from .values import Row, as_list, to_num

Matcher = Callable[[Row], bool]
TIME_FIELDS = ("earliest", "latest")
_KEYWORDS = {"AND", "OR", "NOT"}


@lru_cache(maxsize=65536)
def wildcard_regex(value: str, *, anchored: bool = True, ignore_case: bool = True) -> "re.Pattern[str]":
    body = ".*".join(re.escape(p) for p in value.split("*"))
    flags = re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL
    return re.compile(f"^{body}$" if anchored else body, flags)


@lru_cache(maxsize=4096)
def _term_regex(term: str) -> "re.Pattern[str]":
    body = ".*?".join(re.escape(p) for p in term.split("*"))
    left = "" if term.startswith("*") else r"(?<![^\W_])"
    right = "" if term.endswith("*") else r"(?![^\W_])"
    return re.compile(left + body + right, re.IGNORECASE | re.DOTALL)


def _value_matcher(field: str, op: str, value: str) -> Matcher:
    if op in ("=", "=="):
        if value == "*":
            return lambda row: bool(as_list(row.get(field)))
        rx = wildcard_regex(value)
        return lambda row: any(rx.match(v) for v in as_list(row.get(field)))
    if op == "!=":
        rx = wildcard_regex(value)
        return lambda row: any(not rx.match(v) for v in as_list(row.get(field)))
    num = to_num(value)

    def cmp(v: str) -> bool:
        a = to_num(v)
        if a is not None and num is not None:
            left, right = a, num  # type: ignore[assignment]
        else:
            left, right = v, value  # type: ignore[assignment]
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right

    return lambda row: any(cmp(v) for v in as_list(row.get(field)))


@dataclass
class Parsed:
    matcher: Matcher
    time_bounds: Dict[str, str]


class _Parser:
    def __init__(self, toks: Sequence[Token], text: str) -> None:
        self.toks = list(toks)
        self.i = 0
        self.text = text
        self.time_bounds: Dict[str, str] = {}
        self.depth = 0

    def peek(self, k: int = 0) -> Optional[Token]:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def peek_kind(self) -> str:
        t = self.peek()
        return "" if t is None else t.kind

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise SplError(f"unexpected end of search expression: {self.text!r}")
        self.i += 1
        return t

    def parse(self) -> Matcher:
        if not self.toks:
            return lambda row: True
        m = self.and_expr()
        extra = self.peek()
        if extra is not None:
            raise SplError(f"unexpected {extra.value!r} in search expression {self.text!r}")
        return m

    # Splunk's search precedence differs from SQL: parentheses, then NOT, then OR, then AND
    # (docs.splunk.com/Documentation/Splunk/latest/Search/Booleanexpressions), so "a OR b c" is "(a OR b) c".

    def _is_word(self, w: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == "WORD" and t.value == w

    def and_expr(self) -> Matcher:
        parts = [self.or_expr()]
        while True:
            t = self.peek()
            if t is None or t.kind == "RP":
                break
            if self._is_word("AND"):
                self.take()
            parts.append(self.or_expr())
        parts = [p for p in parts if p is not _ALWAYS and p is not _TIME]
        if not parts:
            return _ALWAYS
        if len(parts) == 1:
            return parts[0]
        return lambda row: all(p(row) for p in parts)

    def or_expr(self) -> Matcher:
        parts = [self.not_expr()]
        while self._is_word("OR"):
            self.take()
            parts.append(self.not_expr())
        if len(parts) == 1:
            return parts[0]
        if any(p is _TIME for p in parts):
            raise SplError(f"earliest/latest inside OR is not supported: {self.text!r}")
        return lambda row: any(p(row) for p in parts)

    def not_expr(self) -> Matcher:
        if self._is_word("NOT"):
            self.take()
            inner = self.not_expr()
            if inner is _TIME:
                raise SplError(f"NOT earliest/latest is not supported: {self.text!r}")
            return lambda row: not inner(row)
        return self.primary()

    def primary(self) -> Matcher:
        t = self.take()
        if t.kind == "LP":
            if self.peek_kind() == "RP":
                self.take()
                return _ALWAYS_GROUP  # "()" as produced by the CIM index macros: matches everything
            self.depth += 1
            m = self.and_expr()
            self.depth -= 1
            if self.take().kind != "RP":
                raise SplError(f"missing ')' in search expression {self.text!r}")
            return m
        if t.kind == "STR" and self.peek_kind() == "OP":
            t = Token("WORD", t.value, t.pos)  # "quoted field name"=value
        if t.kind == "STR":
            rx = _term_regex(t.value)
            return lambda row: bool(rx.search(str(row.get("_raw") or "")))
        if t.kind == "WORD":
            if t.value in _KEYWORDS:
                raise SplError(f"misplaced {t.value} in search expression {self.text!r}")
            nxt = self.peek()
            if nxt is not None and nxt.kind == "OP":
                self.take()
                val = self.take()
                if val.kind not in ("WORD", "STR"):
                    raise SplError(f"missing value after {t.value}{nxt.value} in {self.text!r}")
                return self._comparison(t.value, nxt.value, val.value)
            if nxt is not None and nxt.kind == "WORD" and nxt.value == "IN":
                self.take()
                return self._in(t.value)
            if t.value.upper() in ("TERM", "CASE") and nxt is not None and nxt.kind == "LP":
                raise SplError(f"unsupported search directive {t.value}()")
            rx = _term_regex(t.value)
            if t.value == "*":
                return _ALWAYS
            return lambda row: bool(rx.search(str(row.get("_raw") or "")))
        raise SplError(f"unexpected {t.value!r} in search expression {self.text!r}")

    def _comparison(self, field: str, op: str, value: str) -> Matcher:
        if field in TIME_FIELDS:
            if op != "=":
                raise SplError(f"{field} needs '=': {self.text!r}")
            if self.depth:
                raise SplError(f"{field}= inside parentheses/OR is not supported")
            self.time_bounds[field] = value
            return _TIME
        if op == "==":
            raise SplError(f"'==' is not a search operator (use '=' or the where command): {self.text!r}")
        return _value_matcher(field, op, value)

    def _in(self, field: str) -> Matcher:
        if self.take().kind != "LP":
            raise SplError(f"IN needs a parenthesised list: {self.text!r}")
        values: List[str] = []
        while True:
            t = self.take()
            if t.kind == "RP":
                break
            if t.kind == "COMMA":
                continue
            if t.kind not in ("WORD", "STR"):
                raise SplError(f"bad value {t.value!r} in IN list")
            values.append(t.value)
        rxs = [wildcard_regex(v) for v in values]
        return lambda row: any(rx.match(v) for v in as_list(row.get(field)) for rx in rxs)


def _always(row: Row) -> bool:
    return True


def _always_group(row: Row) -> bool:
    return True


_ALWAYS: Matcher = _always
_ALWAYS_GROUP: Matcher = _always_group


def _time_modifier(row: Row) -> bool:
    return True  # earliest=/latest= select events by time before the search runs


_TIME: Matcher = _time_modifier


@lru_cache(maxsize=2048)
def parse_search(text: str) -> Parsed:
    """Compile a search expression; earliest=/latest= terms are returned separately (cached:
    treat the result as read-only)."""
    p = _Parser(tokenize(text), text)
    return Parsed(p.parse(), p.time_bounds)
