"""Aggregation functions and the parser for ``fn(arg) [as name], ... [by f1, f2]`` clauses
(stats, eventstats, streamstats, timechart).

docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..errors import SplError
from ..evalexpr import EvalContext, compile_eval
from ..values import Row, as_list, norm, sort_key, to_num


@dataclass(frozen=True)
class Agg:
    func: str
    arg: Optional[str]  # field name, None for bare count
    eval_text: Optional[str]  # for fn(eval(...))
    name: str

    def values(self, row: Row, ctx: EvalContext) -> List[str]:
        if self.eval_text is not None:
            v = compile_eval(self.eval_text)(row, ctx)
            if isinstance(v, bool):
                return ["1"] if v else []
            return as_list(norm(v))
        if self.arg is None:
            return ["1"]
        return as_list(row.get(self.arg))


def _num_list(vals: List[str]) -> List[float]:
    return [n for n in (to_num(v) for v in vals) if n is not None]


def _fmt_avg(x: float) -> Any:
    return int(x) if float(x).is_integer() else x


def _sum(vals: List[str]) -> Any:
    nums = _num_list(vals)
    if not nums:
        return None
    s = sum(nums)
    return int(s) if all(isinstance(n, int) for n in nums) else s


def _avg(vals: List[str]) -> Any:
    nums = _num_list(vals)
    return _fmt_avg(sum(nums) / len(nums)) if nums else None


def _minmax(pick_max: bool) -> Callable[[List[str]], Any]:
    def run(vals: List[str]) -> Any:
        if not vals:
            return None
        nums = _num_list(vals)
        if len(nums) == len(vals):
            return max(nums) if pick_max else min(nums)
        return (max if pick_max else min)(vals, key=sort_key)

    return run


def _range(vals: List[str]) -> Any:
    nums = _num_list(vals)
    return (max(nums) - min(nums)) if nums else None


def _stdev(vals: List[str]) -> Any:
    nums = _num_list(vals)
    return statistics.stdev(nums) if len(nums) > 1 else (0 if nums else None)


def _var(vals: List[str]) -> Any:
    nums = _num_list(vals)
    return statistics.variance(nums) if len(nums) > 1 else (0 if nums else None)


def _median(vals: List[str]) -> Any:
    nums = sorted(_num_list(vals))
    if not nums:
        return None
    # no interpolation: with an even number of values Splunk returns the higher of the two middle ones
    return nums[len(nums) // 2]


def _mode(vals: List[str]) -> Any:
    if not vals:
        return None
    counts: Dict[str, int] = {}
    for v in vals:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: (counts[k], -vals.index(k)))


# functions over the list of non-null values (in input order)
VALUE_FUNCS: Dict[str, Callable[[List[str]], Any]] = {
    "count": lambda vals: len(vals),
    "c": lambda vals: len(vals),
    "dc": lambda vals: len(set(vals)),
    "distinct_count": lambda vals: len(set(vals)),
    "values": lambda vals: norm(sorted(set(vals))),
    "list": lambda vals: norm(vals[:100]),
    "min": _minmax(False),
    "max": _minmax(True),
    "avg": _avg,
    "mean": _avg,
    "sum": _sum,
    "range": _range,
    "stdev": _stdev,
    "var": _var,
    "median": _median,
    "mode": _mode,
    "first": lambda vals: vals[0] if vals else None,
    "last": lambda vals: vals[-1] if vals else None,
}
TIME_FUNCS = ("earliest", "latest", "earliest_time", "latest_time")
ALL_FUNCS = set(VALUE_FUNCS) | set(TIME_FUNCS)


def compute(agg: Agg, rows: List[Row], ctx: EvalContext) -> Any:
    if agg.func in TIME_FUNCS:
        timed = [(to_num(r.get("_time")) or 0, agg.values(r, ctx)) for r in rows]
        timed = [(t, vs) for t, vs in timed if vs]
        if not timed:
            return None
        pick = min if agg.func.startswith("earliest") else max
        t, vs = pick(timed, key=lambda tv: tv[0])
        return t if agg.func.endswith("_time") else norm(vs)
    vals: List[str] = []
    for r in rows:
        vals.extend(agg.values(r, ctx))
    return VALUE_FUNCS[agg.func](vals)


def _read_balanced(text: str, i: int) -> Tuple[str, int]:
    depth = 0
    j = i
    quote = ""
    while j < len(text):
        ch = text[j]
        if quote:
            if ch == "\\":
                j += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[i + 1:j], j + 1
        j += 1
    raise SplError(f"unbalanced parenthesis in {text!r}")


_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_RE = re.compile(r'"([^"]+)"|([^\s,()]+)')


@dataclass
class AggClause:
    aggs: List[Agg]
    by: List[str]
    options: Dict[str, str]


def parse_agg_clause(text: str, cmd: str, allowed_options: Tuple[str, ...] = ()) -> AggClause:
    options: Dict[str, str] = {}
    aggs: List[Agg] = []
    by: List[str] = []
    i = 0
    n = len(text)
    while i < n:
        while i < n and (text[i].isspace() or text[i] == ","):
            i += 1
        if i >= n:
            break
        m = re.compile(r"([A-Za-z_]+)=(\"[^\"]*\"|\S+)").match(text, i)
        if m and not aggs:
            if m.group(1) not in allowed_options:
                raise SplError(f"{cmd}: unknown argument {m.group(1)}=")
            options[m.group(1)] = m.group(2).strip('"')
            i = m.end()
            continue
        m = _IDENT_RE.match(text, i)
        if not m:
            raise SplError(f"{cmd}: unexpected {text[i:i + 20]!r}")
        word = m.group(0)
        i = m.end()
        if word.lower() == "by":
            rest = text[i:]
            if re.search(r"\s(as|AS)\s", " " + rest + " ") or not rest.strip():
                raise SplError(f"{cmd}: bad by-clause {rest!r}")
            by = [b for b in re.split(r"[\s,]+", rest.strip()) if b]
            break
        func = word
        arg: Optional[str] = None
        eval_text: Optional[str] = None
        if i < n and text[i] == "(":
            inner, i = _read_balanced(text, i)
            inner = inner.strip()
            em = re.match(r"^eval\s*\((.*)\)$", inner, re.DOTALL)
            if em:
                eval_text = em.group(1)
            else:
                arg = inner.strip('"')
                if not arg:
                    raise SplError(f"{cmd}: {func}() needs a field")
        if func not in ALL_FUNCS:
            raise SplError(f"{cmd}: unsupported aggregation function {func!r}")
        if arg is None and eval_text is None and func not in ("count", "c"):
            raise SplError(f"{cmd}: {func} needs a field argument, e.g. {func}(field)")
        default_name = func if arg is None and eval_text is None else f"{func}({arg if arg is not None else 'eval(' + (eval_text or '') + ')'})"
        name = default_name
        am = re.compile(r"\s+(?:as|AS|As)\s+").match(text, i)
        if am:
            nm = _NAME_RE.match(text, am.end())
            if not nm:
                raise SplError(f"{cmd}: missing name after AS")
            name = nm.group(1) or nm.group(2)
            i = nm.end()
        aggs.append(Agg("count" if func == "c" else ("dc" if func == "distinct_count" else func), arg, eval_text, name))
    if not aggs:
        raise SplError(f"{cmd}: no aggregation given")
    return AggClause(aggs, by, options)


def group_keys(row: Row, by: List[str]) -> List[Tuple[str, ...]]:
    """All group keys of a row (multivalue by-fields fan out; null by-field: no group)."""
    keys: List[Tuple[str, ...]] = [()]
    for f in by:
        vals = as_list(row.get(f))
        if not vals:
            return []
        keys = [k + (v,) for k in keys for v in vals]
    return keys


def split_series(rows: List[Row], field: str, limit: int, useother: bool, usenull: bool) -> "Series":
    """Series of a split-by field (chart/timechart): the ``limit`` most frequent values (0 = all),
    sorted, plus OTHER for the rest if ``useother``; null values become NULL if ``usenull``."""
    totals: Dict[str, int] = {}
    for r in rows:
        for v in as_list(r.get(field)) or (["NULL"] if usenull else []):
            totals[v] = totals.get(v, 0) + 1
    ranked = sorted(totals, key=lambda v: (-totals[v], v))
    keep = ranked[:limit] if limit else ranked
    other = useother and len(keep) < len(ranked)
    return Series(field, sorted(keep) + (["OTHER"] if other else []), usenull)


@dataclass
class Series:
    field: str
    names: List[str]
    usenull: bool

    def partition(self, rows: List[Row]) -> Dict[str, List[Row]]:
        per: Dict[str, List[Row]] = {s: [] for s in self.names}
        for r in rows:
            for v in as_list(r.get(self.field)) or (["NULL"] if self.usenull else []):
                target = v if v in per else ("OTHER" if "OTHER" in per else None)
                if target is not None:
                    per[target].append(r)
        return per


def fill_value(agg: Agg, value: Any) -> Any:
    """count/dc of an empty cell is 0 in chart/timechart; other aggregations stay null."""
    return 0 if value is None and agg.func in ("count", "dc") else value


def key_order(key: Tuple[str, ...]) -> Tuple:
    return tuple(sort_key(v) for v in key)


__all__ = ["Agg", "AggClause", "Series", "compute", "fill_value", "group_keys", "key_order", "parse_agg_clause",
           "split_series"]
