"""Statistics commands: stats, eventstats, streamstats, timechart, top, rare."""
from __future__ import annotations

from typing import Dict, List, Tuple

from ..errors import SplError
from ..lexer import tokenize
from ..values import Row, norm, to_num
from .aggregate import compute, fill_value, group_keys, key_order, parse_agg_clause, split_series
from .base import SearchContext, command, parse_bool, parse_int, take_options, words
from .transform import bucket_time, span_seconds


def _groups(rows: List[Row], by: List[str]) -> Dict[Tuple[str, ...], List[Row]]:
    groups: Dict[Tuple[str, ...], List[Row]] = {}
    for r in rows:
        for k in group_keys(r, by):
            groups.setdefault(k, []).append(r)
    return groups


@command("stats")
def stats_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    clause = parse_agg_clause(args, "stats")
    groups = _groups(rows, clause.by)
    if not clause.by and not groups:
        groups = {(): []}
    out: List[Row] = []
    for key in sorted(groups, key=key_order):
        res: Row = dict(zip(clause.by, key))
        for agg in clause.aggs:
            v = norm(compute(agg, groups[key], ctx.eval_ctx))
            if v is not None:
                res[agg.name] = v
        out.append(res)
    return out


@command("eventstats")
def eventstats_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    clause = parse_agg_clause(args, "eventstats")
    groups = _groups(rows, clause.by)
    results = {k: {a.name: norm(compute(a, g, ctx.eval_ctx)) for a in clause.aggs} for k, g in groups.items()}
    for r in rows:
        keys = group_keys(r, clause.by)
        if not keys:
            continue
        for name, v in results[keys[0]].items():
            if v is None:
                r.pop(name, None)
            else:
                r[name] = v
    return rows


@command("streamstats")
def streamstats_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    """Splunk's streamstats (Search Reference, "streamstats"): ``window=N`` keeps the last N events, in one
    window for all groups unless ``global=false`` (documented default: true); ``time_window=<span>`` keeps the
    events whose ``_time`` lies within the span of the current event's and requires input sorted by time
    (ascending or descending), which is checked. Choice where the docs leave room: an event exactly ``span``
    seconds away is outside the window (the window is the half-open span ending at the current event)."""
    clause = parse_agg_clause(args, "streamstats", ("window", "current", "global", "time_window"))
    window = parse_int(clause.options.get("window", "0"), "streamstats", "window")
    current = parse_bool(clause.options.get("current", "true"), "streamstats", "current")
    global_window = parse_bool(clause.options.get("global", "true"), "streamstats", "global")
    span = span_seconds(clause.options["time_window"]) if "time_window" in clause.options else None
    if span is not None:
        _require_time_order(rows)
    seen: Dict[Tuple[str, ...], List[Row]] = {}
    history: List[Tuple[Tuple[Tuple[str, ...], ...], Row]] = []  # every earlier event, for a global window
    out: List[Row] = []
    for r in rows:
        keys = group_keys(r, clause.by)
        snapshot = dict(r)
        if keys:
            if window and global_window and clause.by:
                size = window - 1 if current else window  # the window holds the current event too
                recent = history[-size:] if size else []
                base = [snap for ks, snap in recent if keys[0] in ks] + ([snapshot] if current else [])
            else:
                hist = seen.setdefault(keys[0], [])
                base = hist + [snapshot] if current else list(hist)
                if window:
                    base = base[-window:]
            if span is not None:
                t = float(to_num(r.get("_time")) or 0)
                base = [b for b in base if abs(t - float(to_num(b.get("_time")) or 0)) < span]
            for a in clause.aggs:
                v = norm(compute(a, base, ctx.eval_ctx))
                if v is None:
                    r.pop(a.name, None)
                else:
                    r[a.name] = v
            seen.setdefault(keys[0], []).append(snapshot)
        history.append((tuple(keys), snapshot))
        out.append(r)
    return out


def _require_time_order(rows: List[Row]) -> None:
    times = [to_num(r.get("_time")) for r in rows]
    if any(t is None for t in times):
        raise SplError("streamstats: time_window needs _time on every event")
    ascending = all(a <= b for a, b in zip(times, times[1:]))  # type: ignore[operator]
    descending = all(a >= b for a, b in zip(times, times[1:]))  # type: ignore[operator]
    if not (ascending or descending):
        raise SplError("streamstats: time_window requires events sorted by _time")


@command("timechart")
def timechart_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    clause = parse_agg_clause(args, "timechart", ("span", "limit", "useother", "usenull", "fixedrange"))
    if "span" not in clause.options:
        raise SplError("timechart: span= is required (automatic spans are not emulated)")
    if len(clause.by) > 1:
        raise SplError("timechart: at most one by-field")
    if clause.by and len(clause.aggs) > 1:
        raise SplError("timechart: several aggregations with a by-field are not supported")
    span = span_seconds(clause.options["span"])
    limit = parse_int(clause.options.get("limit", "10"), "timechart", "limit")
    useother = parse_bool(clause.options.get("useother", "true"), "timechart", "useother")
    usenull = parse_bool(clause.options.get("usenull", "true"), "timechart", "usenull")
    buckets: Dict[float, List[Row]] = {}
    for r in rows:
        t = to_num(r.get("_time"))
        if t is not None:
            buckets.setdefault(bucket_time(float(t), span), []).append(r)
    lo = min(buckets) if buckets else None
    hi = max(buckets) if buckets else None
    if ctx.earliest is not None and ctx.latest is not None:
        lo = bucket_time(ctx.earliest, span)
        hi = bucket_time(ctx.latest, span)
        if hi >= ctx.latest:  # latest is exclusive
            hi -= span
    if lo is None or hi is None:
        return []
    series = split_series(rows, clause.by[0], limit, useother, usenull) if clause.by else None
    out: List[Row] = []
    n_buckets = int(round((hi - lo) / span)) + 1
    for i in range(n_buckets):
        b = lo + i * span
        brows = buckets.get(b, [])
        row: Row = {"_time": int(b) if float(b).is_integer() else b}
        if series is None:
            for a in clause.aggs:
                row[a.name] = fill_value(a, norm(compute(a, brows, ctx.eval_ctx)))
        else:
            agg = clause.aggs[0]
            for name, srows in series.partition(brows).items():
                row[name] = fill_value(agg, norm(compute(agg, srows, ctx.eval_ctx)))
        out.append({k: v for k, v in row.items() if v is not None})
    return out


def _top_rare(args: str, rows: List[Row], cmd: str, descending: bool) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["limit", "countfield", "percentfield", "showcount",
                                               "showperc", "useother", "otherstr"], cmd)
    names = words(rest, cmd)
    by: List[str] = []
    lowered = [n.lower() for n in names]
    if "by" in lowered:
        idx = lowered.index("by")
        names, by = names[:idx], names[idx + 1:]
    if not names:
        raise SplError(f"{cmd}: no fields given")
    limit = parse_int(opts.get("limit", "10"), cmd, "limit")
    countfield = opts.get("countfield", "count")
    percentfield = opts.get("percentfield", "percent")
    showcount = parse_bool(opts.get("showcount", "true"), cmd, "showcount")
    showperc = parse_bool(opts.get("showperc", "true"), cmd, "showperc")
    useother = parse_bool(opts.get("useother", "false"), cmd, "useother")
    otherstr = opts.get("otherstr", "OTHER")
    out: List[Row] = []
    for gkey, grows in sorted(_groups(rows, by).items(), key=lambda kv: key_order(kv[0])):
        counts: Dict[Tuple[str, ...], int] = {}
        total = 0
        for r in grows:
            for k in group_keys(r, names):
                counts[k] = counts.get(k, 0) + 1
                total += 1
        ranked = sorted(counts, key=lambda k: ((-counts[k] if descending else counts[k]), key_order(k)))
        shown = ranked[:limit] if limit else ranked
        for k in shown:
            res: Row = dict(zip(by, gkey))
            res.update(dict(zip(names, k)))
            if showcount:
                res[countfield] = counts[k]
            if showperc:
                res[percentfield] = round(counts[k] * 100.0 / total, 6)
            out.append(res)
        rest_count = sum(counts[k] for k in ranked[len(shown):])
        if useother and rest_count:
            res = dict(zip(by, gkey))
            res.update({n: otherstr for n in names})
            if showcount:
                res[countfield] = rest_count
            if showperc:
                res[percentfield] = round(rest_count * 100.0 / total, 6)
            out.append(res)
    return out


@command("top")
def top_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    return _top_rare(args, rows, "top", True)


@command("rare")
def rare_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    return _top_rare(args, rows, "rare", False)
