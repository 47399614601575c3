"""Eval expressions (``eval``, ``where``, props ``EVAL-``): tokenizer + precedence-climbing parser
compiled to Python closures.

Per docs.splunk.com/Documentation/Splunk/latest/SearchReference/Eval:
* field names with characters other than letters, digits and ``_`` must be in single quotes
  (``'actor.session.ip_address'``); an unquoted ``a.b`` is the concatenation of fields a and b;
* string literals use double quotes and compare case-sensitively;
* operator precedence (high to low): unary ``-``; ``* / %``; ``+ - .``; ``< > <= >=``;
  ``= == != LIKE IN``; ``NOT``; ``AND``; ``XOR``; ``OR``;
* an operation on a null value yields null, a comparison involving null is false.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from .errors import SplError
from .values import Row, to_num, to_str

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<field>'(?:[^'\\]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|[-+*/%.<>=(),])
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD_OPS = {"AND", "OR", "XOR", "NOT", "LIKE", "IN"}


@dataclass
class EvalContext:
    """Per-search values: now() and the search time range (info_min_time / info_max_time)."""

    now: float
    info_min_time: Optional[float] = None
    info_max_time: Optional[float] = None
    search_matcher: Optional[Callable[[str], Callable[[Row], bool]]] = None
    extras: Dict[str, Any] = field(default_factory=dict)


Compiled = Callable[[Row, EvalContext], Any]


@dataclass(frozen=True)
class Expr:
    fn: Compiled
    fields: FrozenSet[str]
    text: str

    def __call__(self, row: Row, ctx: EvalContext) -> Any:
        return self.fn(row, ctx)


def _unescape(body: str) -> str:
    return re.sub(r'\\(["\\])', r"\1", body)


def tokenize_eval(text: str) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise SplError(f"eval: unexpected character {text[pos]!r} at {pos} in {text!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        val = m.group(0)
        if kind == "ws":
            continue
        if kind == "str":
            out.append(("str", _unescape(val[1:-1])))
        elif kind == "field":
            out.append(("field", _unescape(val[1:-1]).replace("\\'", "'")))
        elif kind == "ident" and val.upper() in _WORD_OPS and not (
                val in ("like", "in") and text.startswith("(", pos)):  # like(...)/in(...) are functions
            out.append(("op", val.upper()))
        else:
            out.append((kind, val))
    return out


def truth(v: Any, what: str) -> bool:
    """Boolean operands: bool, or null (false). Anything else is Splunk's type-check error."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    raise SplError(f"eval: type checking failed, {what} only takes boolean arguments (got {v!r})")


def _scalar_pairs(a: Any, b: Any) -> List[Tuple[Any, Any]]:
    la = a if isinstance(a, list) else [a]
    lb = b if isinstance(b, list) else [b]
    return [(x, y) for x in la for y in lb]


def compare(op: str, a: Any, b: Any) -> bool:
    """Comparison with Splunk's coercion: numeric when both sides are numbers (or numeric strings),
    otherwise case-sensitive string comparison; null compares false; multivalue matches any value."""
    if a is None or b is None:
        return False
    for x, y in _scalar_pairs(a, b):
        if isinstance(x, bool) or isinstance(y, bool):
            x, y = to_str(x), to_str(y)
        nx, ny = to_num(x), to_num(y)
        left: Any
        right: Any
        if nx is not None and ny is not None:
            left, right = nx, ny
        else:
            left, right = to_str(x), to_str(y)
        if op in ("=", "=="):
            r = left == right
        elif op == "!=":
            r = left != right
        elif op == "<":
            r = left < right
        elif op == "<=":
            r = left <= right
        elif op == ">":
            r = left > right
        else:
            r = left >= right
        if r:
            return True
    return False


def like(value: Any, pattern: Any) -> Optional[bool]:
    if value is None or pattern is None:
        return None
    rx = "^" + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in to_str(pattern) or "") + "$"
    return any(re.match(rx, to_str(v) or "", re.DOTALL) for v in (value if isinstance(value, list) else [value]))


def _arith(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if op == ".":
        sa, sb = to_str(a), to_str(b)
        return None if sa is None or sb is None else sa + sb
    na, nb = to_num(a), to_num(b)
    if op == "+" and (na is None or nb is None):
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        return None
    if na is None or nb is None:
        return None
    if op == "+":
        return na + nb
    if op == "-":
        return na - nb
    if op == "*":
        return na * nb
    if nb == 0:
        return None
    if op == "/":
        r = na / nb
        return int(r) if r.is_integer() and isinstance(na, int) and isinstance(nb, int) else r
    return na % nb


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize_eval(text)
        self.i = 0
        self.fields: set = set()

    def peek(self) -> Optional[Tuple[str, str]]:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def is_op(self, *ops: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "op" and t[1] in ops

    def take(self) -> Tuple[str, str]:
        t = self.peek()
        if t is None:
            raise SplError(f"eval: unexpected end of expression {self.text!r}")
        self.i += 1
        return t

    def expect(self, op: str) -> None:
        t = self.take()
        if t != ("op", op):
            raise SplError(f"eval: expected {op!r} but found {t[1]!r} in {self.text!r}")

    def parse(self) -> Compiled:
        if not self.toks:
            raise SplError("eval: empty expression")
        fn = self.binary(0)
        extra = self.peek()
        if extra is not None:
            raise SplError(f"eval: unexpected {extra[1]!r} in {self.text!r}")
        return fn

    _LEVELS: List[Tuple[str, ...]] = [("OR",), ("XOR",), ("AND",)]

    def binary(self, level: int) -> Compiled:
        if level == len(self._LEVELS):
            return self.not_expr()
        left = self.binary(level + 1)
        while self.is_op(*self._LEVELS[level]):
            op = self.take()[1]
            right = self.binary(level + 1)
            left = _bool_op(op, left, right)
        return left

    def not_expr(self) -> Compiled:
        if self.is_op("NOT"):
            self.take()
            inner = self.not_expr()
            return lambda r, c: not truth(inner(r, c), "NOT")
        return self.equality()

    def equality(self) -> Compiled:
        left = self.relational()
        while self.is_op("=", "==", "!=", "LIKE", "IN"):
            op = self.take()[1]
            if op == "IN":
                left = self._in(left)
                continue
            right = self.relational()
            left = _cmp_op(op, left, right)
        return left

    def _in(self, left: Compiled) -> Compiled:
        self.expect("(")
        items = [self.binary(0)]
        while self.is_op(","):
            self.take()
            items.append(self.binary(0))
        self.expect(")")
        return lambda r, c: any(compare("=", left(r, c), it(r, c)) for it in items)

    def _left_assoc(self, ops: Tuple[str, ...], operand: Callable[[], Compiled],
                    combine: Callable[[str, Compiled, Compiled], Compiled]) -> Compiled:
        """One left-associative precedence level: operand (op operand)*."""
        left = operand()
        while self.is_op(*ops):
            op = self.take()[1]
            left = combine(op, left, operand())
        return left

    def relational(self) -> Compiled:
        return self._left_assoc(("<", ">", "<=", ">="), self.additive, _cmp_op)

    def additive(self) -> Compiled:
        return self._left_assoc(("+", "-", "."), self.multiplicative, _arith_op)

    def multiplicative(self) -> Compiled:
        return self._left_assoc(("*", "/", "%"), self.unary, _arith_op)

    def unary(self) -> Compiled:
        if self.is_op("-"):
            self.take()
            inner = self.unary()

            def neg(r: Row, c: EvalContext) -> Any:
                n = to_num(inner(r, c))
                return None if n is None else -n

            return neg
        if self.is_op("+"):
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Compiled:
        kind, val = self.take()
        if kind == "num":
            num: Any = float(val) if any(ch in val for ch in ".eE") else int(val)
            return lambda r, c: num
        if kind == "str":
            return lambda r, c: val
        if kind == "field":
            return self._field(val)
        if kind == "ident":
            if self.is_op("("):
                return self._call(val)
            return self._field(val)
        if (kind, val) == ("op", "("):
            inner = self.binary(0)
            self.expect(")")
            return inner
        raise SplError(f"eval: unexpected {val!r} in {self.text!r}")

    def _field(self, name: str) -> Compiled:
        self.fields.add(name)

        def get(r: Row, c: EvalContext) -> Any:
            v = r.get(name)
            if v is None and name in ("info_min_time", "info_max_time"):
                return getattr(c, name)
            return v

        return get

    def _call(self, name: str) -> Compiled:
        from .evalfuncs import FUNCTIONS  # late import: evalfuncs uses this module

        spec = FUNCTIONS.get(name)
        if spec is None:
            raise SplError(f"eval: the function {name!r} is unsupported or undefined")
        self.expect("(")
        args: List[Compiled] = []
        arg_fields: List[FrozenSet[str]] = []
        if not self.is_op(")"):
            while True:
                before = set(self.fields)
                args.append(self.binary(0))
                arg_fields.append(frozenset(self.fields - before))
                if self.is_op(","):
                    self.take()
                    continue
                break
        self.expect(")")
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            raise SplError(f"eval: wrong number of arguments ({len(args)}) to {name}()")
        return spec.bind(args, arg_fields)


def _bool_op(op: str, left: Compiled, right: Compiled) -> Compiled:
    if op == "AND":
        return lambda r, c: truth(left(r, c), "AND") and truth(right(r, c), "AND")
    if op == "OR":
        return lambda r, c: truth(left(r, c), "OR") or truth(right(r, c), "OR")
    return lambda r, c: truth(left(r, c), "XOR") != truth(right(r, c), "XOR")


def _cmp_op(op: str, left: Compiled, right: Compiled) -> Compiled:
    if op == "LIKE":
        return lambda r, c: bool(like(left(r, c), right(r, c)))
    return lambda r, c: compare(op, left(r, c), right(r, c))


def _arith_op(op: str, left: Compiled, right: Compiled) -> Compiled:
    return lambda r, c: _arith(op, left(r, c), right(r, c))


@lru_cache(maxsize=4096)
def compile_eval(text: str) -> Expr:
    p = _Parser(text)
    fn = p.parse()
    return Expr(fn, frozenset(p.fields), text)


def split_assignments(text: str) -> List[Tuple[str, str]]:
    """``a=expr, b=expr`` -> [(a, expr), ...] (top-level commas, first single ``=``)."""
    parts: List[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < len(text) and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    out: List[Tuple[str, str]] = []
    for part in parts:
        m = re.match(r"""\s*("[^"]+"|'[^']+'|[^\s=!<>]+)\s*=(?!=)(.*)$""", part, re.DOTALL)
        if not m or not m.group(2).strip():
            raise SplError(f"eval: expected 'field=expression' but got {part.strip()!r}")
        name = m.group(1)
        if name[0] in "\"'":
            name = name[1:-1]
        out.append((name, m.group(2).strip()))
    return out
