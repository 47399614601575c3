"""chart: ``chart agg [as name] ... by X`` or ``chart agg over X [by Y]`` / ``chart agg by X Y``."""
from __future__ import annotations

import re
from typing import List

from ..errors import SplError
from ..values import Row, norm
from .aggregate import compute, fill_value, group_keys, key_order, parse_agg_clause, split_series
from .base import SearchContext, command, parse_bool, parse_int


@command("chart")
def chart_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    text = re.sub(r"\s+over\s+(\S+)(?:\s+by\s+(\S+))?\s*$",
                  lambda m: f" by {m.group(1)}" + (f" {m.group(2)}" if m.group(2) else ""), args)
    clause = parse_agg_clause(text, "chart", ("limit", "useother", "usenull"))
    if not clause.by or len(clause.by) > 2:
        raise SplError("chart: needs 'over X [by Y]' or 'by X [Y]'")
    if len(clause.by) == 2 and len(clause.aggs) > 1:
        raise SplError("chart: several aggregations with a split-by field are not supported")
    limit = parse_int(clause.options.get("limit", "10"), "chart", "limit")
    useother = parse_bool(clause.options.get("useother", "true"), "chart", "useother")
    usenull = parse_bool(clause.options.get("usenull", "true"), "chart", "usenull")
    x = clause.by[0]
    groups: dict = {}
    for r in rows:
        for k in group_keys(r, [x]):
            groups.setdefault(k, []).append(r)
    series = split_series(rows, clause.by[1], limit, useother, usenull) if len(clause.by) == 2 else None
    out: List[Row] = []
    for key in sorted(groups, key=key_order):
        row: Row = {x: key[0]}
        if series is None:
            for a in clause.aggs:
                row[a.name] = norm(compute(a, groups[key], ctx.eval_ctx))
        else:
            agg = clause.aggs[0]
            for name, srows in series.partition(groups[key]).items():
                row[name] = fill_value(agg, norm(compute(agg, srows, ctx.eval_ctx)))
        out.append({k: v for k, v in row.items() if v is not None})
    return out
