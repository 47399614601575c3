"""Multivalue eval functions (MultivalueEvalFunctions)."""
from __future__ import annotations

from typing import Any, FrozenSet, List

from ..errors import SplError
from ..evalexpr import Compiled, EvalContext, truth
from ..values import Row, norm, to_num, to_str
from .registry import compile_regex, eager, lazy, mv


# --- multivalue -----------------------------------------------------------------------------------

@eager("mvcount", 1, 1)
def _mvcount(v: Any) -> Any:
    return None if v is None else len(mv(v))


@eager("mvindex", 2, 3)
def _mvindex(v: Any, start: Any, end: Any = None) -> Any:
    items = mv(v)
    s = to_num(start)
    if not items or s is None:
        return None
    n = len(items)
    s = int(s) + (n if int(s) < 0 else 0)
    if end is None:
        return items[s] if 0 <= s < n else None
    e = to_num(end)
    if e is None:
        return None
    e = int(e) + (n if int(e) < 0 else 0)
    if s < 0 or s >= n or e < s:
        return None
    return norm(items[s: e + 1])


@eager("mvjoin", 2, 2)
def _mvjoin(v: Any, delim: Any) -> Any:
    items = mv(v)
    return None if not items else (to_str(delim) or "").join(items)


@eager("mvappend", 1, None)
def _mvappend(*vals: Any) -> Any:
    out: List[str] = []
    for v in vals:
        out.extend(mv(v))
    return norm(out)


@eager("mvdedup", 1, 1)
def _mvdedup(v: Any) -> Any:
    return norm(list(dict.fromkeys(mv(v))))


@eager("mvsort", 1, 1)
def _mvsort(v: Any) -> Any:
    return norm(sorted(mv(v)))


@eager("mvfind", 2, 2)
def _mvfind(v: Any, regex: Any) -> Any:
    rx = compile_regex(to_str(regex) or "")
    for i, s in enumerate(mv(v)):
        if rx.search(s):
            return i
    return None


@eager("mvzip", 2, 3)
def _mvzip(a: Any, b: Any, delim: Any = ",") -> Any:
    d = to_str(delim) or ","
    return norm([x + d + y for x, y in zip(mv(a), mv(b))])


@lazy("mvfilter", 1, 1)
def _mvfilter(args: List[Compiled], fields: List[FrozenSet[str]]) -> Compiled:
    refs = fields[0]
    if len(refs) != 1:
        raise SplError("eval: mvfilter() must reference exactly one field")
    name = next(iter(refs))
    pred = args[0]

    def run(r: Row, c: EvalContext) -> Any:
        kept = []
        for s in mv(r.get(name)):
            probe = dict(r)
            probe[name] = s
            if truth(pred(probe, c), "mvfilter"):
                kept.append(s)
        return norm(kept)

    return run
