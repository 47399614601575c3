"""Field-producing commands: rex, spath, mvexpand, makemv, nomv, lookup, convert, bin/bucket."""
from __future__ import annotations

import math
import re
from typing import List, Optional

from .. import jsonpath, timeutil
from ..errors import SplError
from ..evalfuncs import compile_regex
from ..lexer import tokenize
from ..lookups import apply_lookup, parse_lookup_clause, validate_clause
from ..values import Row, as_list, norm, to_num, to_str
from .base import SearchContext, command, parse_bool, parse_int, take_options, words


@command("rex")
def rex_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["field", "max_match", "mode", "offset_field"], "rex")
    if "offset_field" in opts:
        raise SplError("rex: offset_field is not supported")
    if len(rest) != 1 or rest[0].kind != "STR":
        raise SplError("rex: expected one quoted regular expression")
    field = opts.get("field", "_raw")
    if opts.get("mode"):
        if opts["mode"] != "sed":
            raise SplError(f"rex: mode={opts['mode']} is not supported")
        return _rex_sed(rest[0].value, field, rows)
    rx = compile_regex(rest[0].value)
    if not rx.groupindex:
        raise SplError("rex: the regular expression has no named capture group")
    max_match = parse_int(opts.get("max_match", "1"), "rex", "max_match")
    for r in rows:
        text = r.get(field)
        if text is None:
            continue
        found: dict = {}
        for s in as_list(text):
            for i, m in enumerate(rx.finditer(s)):
                if max_match and i >= max_match:
                    break
                for k, v in m.groupdict().items():
                    if v is not None:
                        found.setdefault(k, []).append(v)
        for k, vals in found.items():
            r[k] = norm(vals)
    return rows


def _rex_sed(expr: str, field: str, rows: List[Row]) -> List[Row]:
    m = re.fullmatch(r"s(.)(.*?)(?<!\\)\1(.*?)(?<!\\)\1([gi0-9]*)", expr, re.DOTALL)
    if not m:
        raise SplError(f"rex mode=sed: only s/regex/replacement/flags is supported, got {expr!r}")
    flags = m.group(4)
    count = 0 if "g" in flags else (int(re.sub(r"\D", "", flags) or 1))
    rx = re.compile(compile_regex(m.group(2)).pattern, re.IGNORECASE if "i" in flags else 0)
    repl = m.group(3)
    for r in rows:
        if r.get(field) is not None:
            try:
                r[field] = norm([rx.sub(repl, s, count=count) for s in as_list(r[field])])
            except re.error as exc:
                raise SplError(f"rex mode=sed: invalid replacement {repl!r}: {exc}") from None
    return rows


@command("spath")
def spath_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["input", "output", "path"], "spath")
    pos = words(rest, "spath")
    if pos:
        if "path" in opts or len(pos) > 1:
            raise SplError(f"spath: unexpected arguments {pos}")
        opts["path"] = pos[0]
    src = opts.get("input", "_raw")
    path = opts.get("path")
    if "output" in opts and path is None:
        raise SplError("spath: output= needs path=")
    for r in rows:
        text = to_str(r.get(src))
        if text is None:
            continue
        if path is None:
            obj = jsonpath.parse_json_object(text)
            if obj is None:
                continue
            for k, vals in jsonpath.flatten(obj).items():
                r[k] = norm(vals)
            continue
        values = jsonpath.spath_values(text, path)
        target = opts.get("output", path)
        if values:
            r[target] = norm(values)
        else:
            r.pop(target, None)
    return rows


@command("mvexpand")
def mvexpand_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["limit"], "mvexpand")
    names = words(rest, "mvexpand")
    if len(names) != 1:
        raise SplError("mvexpand: exactly one field is required")
    field = names[0]
    limit = parse_int(opts["limit"], "mvexpand", "limit") if "limit" in opts else 0
    out: List[Row] = []
    for r in rows:
        vals = as_list(r.get(field))
        if not vals:
            continue
        for v in vals[:limit or None]:
            new = dict(r)
            new[field] = v
            out.append(new)
    return out


@command("makemv")
def makemv_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["delim", "tokenizer", "allowempty", "setsv"], "makemv")
    names = words(rest, "makemv")
    if len(names) != 1:
        raise SplError("makemv: exactly one field is required")
    if "setsv" in opts:
        raise SplError("makemv: setsv is not supported")
    allow_empty = parse_bool(opts.get("allowempty", "false"), "makemv", "allowempty")
    field = names[0]
    tokenizer = compile_regex(opts["tokenizer"]) if "tokenizer" in opts else None
    delim = opts.get("delim", " ")
    for r in rows:
        s = to_str(r.get(field))
        if s is None:
            continue
        if tokenizer is not None:
            parts = [m.group(1) if m.groups() else m.group(0) for m in tokenizer.finditer(s)]
        else:
            parts = s.split(delim)
        if not allow_empty:
            parts = [p for p in parts if p != ""]
        r[field] = norm(parts)
        if r[field] is None:
            del r[field]
    return rows


@command("nomv")
def nomv_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    names = words(tokenize(args), "nomv")
    if len(names) != 1:
        raise SplError("nomv: exactly one field is required")
    for r in rows:
        if isinstance(r.get(names[0]), list):
            r[names[0]] = "\n".join(as_list(r[names[0]]))
    return rows


@command("lookup")
def lookup_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    clause = parse_lookup_clause(args)
    table = ctx.engine.lookup_table(clause.table)
    validate_clause(table, clause)
    for r in rows:
        apply_lookup(r, table, clause)
    return rows


@command("convert")
def convert_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["timeformat"], "convert")
    fmt = opts.get("timeformat", "%m/%d/%Y %H:%M:%S")
    specs = []
    i = 0
    while i < len(rest):
        if rest[i].kind == "COMMA":
            i += 1
            continue
        if rest[i].kind != "WORD" or i + 3 >= len(rest) or rest[i + 1].kind != "LP" or rest[i + 3].kind != "RP":
            raise SplError(f"convert: expected function(field) at {rest[i].value!r}")
        fn, field = rest[i].value, rest[i + 2].value
        i += 4
        target = field
        if i + 1 < len(rest) and rest[i].kind == "WORD" and rest[i].value.upper() == "AS":
            target = rest[i + 1].value
            i += 2
        specs.append((fn, field, target))
    if not specs:
        raise SplError("convert: no conversion given")
    for fn, field, target in specs:
        if fn not in ("ctime", "mktime", "num"):
            raise SplError(f"convert: function {fn}() is not supported (ctime, mktime, num)")
        if "*" in field:
            raise SplError("convert: wildcard fields are not supported")
    for r in rows:
        for fn, field, target in specs:
            v = r.get(field)
            if v is None:
                continue
            res: Optional[object] = None
            if fn == "ctime":
                n = to_num(v)
                res = None if n is None else timeutil.strftime(float(n), fmt)
            elif fn == "mktime":
                res = timeutil.strptime(to_str(v) or "", fmt)
            else:
                res = to_num(v)
            if res is not None:
                r[target] = res
    return rows


_SPAN_RE = re.compile(r"^(\d+(?:\.\d+)?)([a-zA-Z]*)$")


def span_seconds(span: str) -> float:
    m = _SPAN_RE.match(span.strip())
    if not m or float(m.group(1)) <= 0:
        raise SplError(f"invalid span {span!r}")
    n, unit = float(m.group(1)), m.group(2).lower()
    table = {"": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
             "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
             "d": 86400, "day": 86400, "days": 86400, "w": 604800, "week": 604800, "weeks": 604800}
    if unit not in table:
        raise SplError(f"span unit {m.group(2)!r} is not supported (s, m, h, d, w)")
    return n * table[unit]


def bucket_time(t: float, span: float) -> float:
    """Start of the span-sized bucket holding t, buckets aligned to the epoch (UTC days/hours)."""
    return math.floor(t / span) * span


@command("bin", "bucket")
def bin_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["span"], "bin")
    toks = words(rest, "bin")
    if "span" not in opts:
        raise SplError("bin: only span= binning is supported")
    if not toks:
        raise SplError("bin: field required")
    field = toks[0]
    target = field
    if len(toks) == 3 and toks[1].upper() == "AS":
        target = toks[2]
    elif len(toks) != 1:
        raise SplError(f"bin: unexpected arguments {toks[1:]}")
    span = span_seconds(opts["span"]) if field == "_time" else None
    num_span = to_num(opts["span"]) if span is None else None
    if span is None and (num_span is None or num_span <= 0):
        span = span_seconds(opts["span"])
    for r in rows:
        n = to_num(r.get(field))
        if n is None:
            continue
        if span is not None:
            b = bucket_time(float(n), span)
            r[target] = int(b) if float(b).is_integer() else b
        elif num_span is not None:
            lo = math.floor(n / num_span) * num_span
            r[target] = f"{_fmt(lo)}-{_fmt(lo + num_span)}"
    return rows


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)
