"""Filtering and shaping commands: search, where, eval, table, fields, rename, head, tail, dedup,
sort, fillnull, addinfo."""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

from ..errors import SplError
from ..evalexpr import compile_eval, split_assignments
from ..lexer import tokenize
from ..searchexpr import parse_search
from ..values import Row, as_list, norm, sort_key, to_num
from .base import SearchContext, all_field_names, command, match_fields, parse_bool, parse_int, take_options, words


@command("search")
def search_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    parsed = parse_search(args)
    if parsed.time_bounds:
        raise SplError("search: earliest/latest are only supported in the first search of the pipeline")
    return [r for r in rows if parsed.matcher(r)]


@command("where")
def where_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    if not args.strip():
        raise SplError("where: missing expression")
    expr = compile_eval(args)
    out = []
    for r in rows:
        v = expr(r, ctx.eval_ctx)
        if v is None:
            continue
        if not isinstance(v, bool):
            raise SplError(f"where: the expression {args!r} must be boolean (got {v!r})")
        if v:
            out.append(r)
    return out


@command("eval")
def eval_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    assigns = [(name, compile_eval(expr)) for name, expr in split_assignments(args)]
    for r in rows:
        for name, expr in assigns:
            v = expr(r, ctx.eval_ctx)
            if isinstance(v, bool):
                raise SplError(f"eval {name}: fields cannot be assigned a boolean result; use if(...)")
            v = norm(v)
            if v is None:
                r.pop(name, None)
            else:
                r[name] = v
    return rows


def _field_list(args: str, cmd: str) -> List[str]:
    names = words(tokenize(args), cmd)
    if not names:
        raise SplError(f"{cmd}: no fields given")
    return names


@command("table")
def table_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    patterns = _field_list(args, "table")
    names = all_field_names(rows)
    columns: List[str] = []
    for p in patterns:
        for n in (match_fields(p, names) if "*" in p else [p]):
            if n not in columns:
                columns.append(n)
    return [{c: r[c] for c in columns if r.get(c) is not None} for r in rows]


_INTERNAL_KEEP = ("_raw", "_time")


@command("fields")
def fields_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    toks = tokenize(args)
    remove = False
    if toks and toks[0].kind == "WORD" and toks[0].value in ("+", "-"):
        remove = toks[0].value == "-"
        toks = toks[1:]
    elif toks and toks[0].kind == "WORD" and toks[0].value[:1] in "+-" and len(toks[0].value) > 1:
        remove = toks[0].value[0] == "-"  # "fields -_raw" is read as "fields - _raw"
        toks = [toks[0].__class__("WORD", toks[0].value[1:], toks[0].pos + 1)] + list(toks[1:])
    patterns = words(toks, "fields")
    if not patterns:
        raise SplError("fields: no fields given")
    names = all_field_names(rows)
    selected: List[str] = []
    for p in patterns:
        for n in match_fields(p, names):
            if n not in selected:
                selected.append(n)
    if remove:
        return [{k: v for k, v in r.items() if k not in selected} for r in rows]
    keep = selected + [k for k in _INTERNAL_KEEP if k not in selected]
    return [{k: r[k] for k in keep if k in r} for r in rows]


def _rename_pairs(args: str) -> List[Tuple[str, str]]:
    toks = [t for t in tokenize(args) if t.kind != "COMMA"]
    pairs = []
    i = 0
    while i < len(toks):
        if i + 2 >= len(toks) or toks[i + 1].kind != "WORD" or toks[i + 1].value.upper() != "AS":
            raise SplError(f"rename: expected 'field AS newname' in {args!r}")
        pairs.append((toks[i].value, toks[i + 2].value))
        i += 3
    if not pairs:
        raise SplError("rename: no fields given")
    return pairs


@command("rename")
def rename_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    pairs = _rename_pairs(args)
    for src, dst in pairs:
        if src.count("*") != dst.count("*"):
            raise SplError(f"rename: wildcards of {src} and {dst} do not match")
    out = []
    for r in rows:
        new = dict(r)
        for src, dst in pairs:
            if "*" in src:
                rx = re.compile("^" + "(.*)".join(re.escape(p) for p in src.split("*")) + "$")
                for k in list(new):
                    m = rx.match(k)
                    if m:
                        target = dst
                        for g in m.groups():
                            target = target.replace("*", g, 1)
                        new[target] = new.pop(k)
            elif src in new:
                new[dst] = new.pop(src)
            else:
                new.pop(dst, None)
        out.append(new)
    return out


def _count_arg(args: str, cmd: str) -> int:
    opts, rest = take_options(tokenize(args), ["limit"], cmd)
    if rest:
        if len(rest) != 1 or rest[0].kind != "WORD":
            raise SplError(f"{cmd}: only a number of results is supported, got {args!r}")
        return parse_int(rest[0].value, cmd, "count")
    return parse_int(opts.get("limit", "10"), cmd, "limit")


@command("head")
def head_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    return rows[:_count_arg(args, "head")]


@command("tail")
def tail_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    n = _count_arg(args, "tail")
    return list(reversed(rows[-n:])) if n else []


@command("dedup")
def dedup_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["keepempty", "consecutive", "keepevents"], "dedup")
    if any(t.kind == "WORD" and t.value.lower() == "sortby" for t in rest):
        raise SplError("dedup: sortby is not supported (use sort after dedup)")
    names = words(rest, "dedup")
    limit = 1
    if names and re.fullmatch(r"\d+", names[0]):
        limit = parse_int(names.pop(0), "dedup", "count", minimum=1)
    if not names:
        raise SplError("dedup: no fields given")
    keepempty = parse_bool(opts.get("keepempty", "false"), "dedup", "keepempty")
    consecutive = parse_bool(opts.get("consecutive", "false"), "dedup", "consecutive")
    if "keepevents" in opts:
        raise SplError("dedup: keepevents is not supported")
    seen: dict = {}
    out: List[Row] = []
    last: Optional[tuple] = None
    for r in rows:
        vals = [r.get(n) for n in names]
        if any(v is None for v in vals):
            if keepempty:
                out.append(r)
            continue
        key = tuple(tuple(sorted(as_list(v))) for v in vals)
        if consecutive:
            if key != last:
                out.append(r)
            last = key
            continue
        if seen.get(key, 0) < limit:
            seen[key] = seen.get(key, 0) + 1
            out.append(r)
    return out


def _sort_spec(tok: str) -> Tuple[str, bool, Optional[bool]]:
    desc = False
    if tok[:1] in "+-":
        desc = tok[0] == "-"
        tok = tok[1:]
    m = re.fullmatch(r"(num|str|auto|ip)\((.+)\)", tok)
    numeric: Optional[bool] = None
    if m:
        if m.group(1) == "ip":
            raise SplError("sort: ip() is not supported")
        numeric = {"num": True, "str": False, "auto": None}[m.group(1)]
        tok = m.group(2)
    return tok, desc, numeric


@command("sort")
def sort_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    text = re.sub(r"\b(num|str|auto|ip)\s*\(\s*([^)\s]+)\s*\)", r"\1(\2)", args)
    text = re.sub(r"(^|[\s,])([+-])\s+(?=\S)", r"\1\2", text)
    parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
    limit = 10000
    if parts and parts[0].startswith("limit="):
        limit = parse_int(parts.pop(0)[6:], "sort", "limit")
    elif parts and re.fullmatch(r"\d+", parts[0]):
        limit = int(parts.pop(0))
    if parts and parts[-1] in ("d", "desc"):
        parts.pop()
        reverse_all = True
    else:
        reverse_all = False
    if not parts:
        raise SplError("sort: no fields given")
    specs = [_sort_spec(p) for p in parts]
    for name, _d, _n in specs:
        if not name or "=" in name or "(" in name:
            raise SplError(f"sort: unsupported sort key {name!r}")
    out = list(rows)
    for name, desc, numeric in reversed(specs):
        present = [r for r in out if r.get(name) is not None]
        missing = [r for r in out if r.get(name) is None]
        present.sort(key=lambda r: _key(r.get(name), numeric), reverse=desc != reverse_all)
        out = present + missing
    return out[:limit] if limit else out


def _key(v: Any, numeric: Optional[bool]) -> tuple:
    if numeric is True:
        n = to_num(v)
        return (0, n, "") if n is not None else (1, 0, str(as_list(v)[0]))
    if numeric is False:
        return (1, 0, as_list(v)[0])
    return sort_key(as_list(v)[0])


@command("fillnull")
def fillnull_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["value"], "fillnull")
    value = opts.get("value", "0")
    names = words(rest, "fillnull") or [n for n in all_field_names(rows)]
    for r in rows:
        for n in names:
            if r.get(n) is None:
                r[n] = value
    return rows


@command("addinfo")
def addinfo_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    if args.strip():
        raise SplError("addinfo: arguments are not supported")
    for r in rows:
        r["info_min_time"] = ctx.eval_ctx.info_min_time if ctx.eval_ctx.info_min_time is not None else 0
        r["info_max_time"] = ctx.eval_ctx.info_max_time if ctx.eval_ctx.info_max_time is not None else "+Infinity"
        r["info_search_time"] = ctx.eval_ctx.now
    return rows


