"""Small commands: regex, reverse, strcat, rangemap."""
from __future__ import annotations

import re
from typing import List

from ..errors import SplError
from ..evalfuncs import compile_regex
from ..lexer import tokenize
from ..values import Row, as_list, to_num, to_str
from .base import SearchContext, command, parse_bool, take_options


@command("regex")
def regex_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    toks = tokenize(args)
    field, negate = "_raw", False
    if len(toks) == 3 and toks[0].kind == "WORD" and toks[1].kind == "OP" and toks[1].value in ("=", "!="):
        field, negate, pattern_tok = toks[0].value, toks[1].value == "!=", toks[2]
    elif len(toks) == 1:
        pattern_tok = toks[0]
    else:
        raise SplError('regex: expected [field=|field!=]"<regex>"')
    if pattern_tok.kind != "STR":
        raise SplError("regex: the regular expression must be quoted")
    rx = compile_regex(pattern_tok.value)
    out = []
    for r in rows:
        values = as_list(r.get(field))
        hit = any(rx.search(v) for v in values)
        if values and hit != negate:
            out.append(r)
        elif not values and negate:
            out.append(r)
    return out


@command("reverse")
def reverse_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    if args.strip():
        raise SplError("reverse takes no arguments")
    return list(reversed(rows))


@command("strcat")
def strcat_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["allrequired"], "strcat")
    allrequired = parse_bool(opts.get("allrequired", "false"), "strcat", "allrequired")
    if len(rest) < 2 or rest[-1].kind != "WORD" or any(t.kind not in ("WORD", "STR") for t in rest):
        raise SplError("strcat: expected source fields/quoted strings and a destination field")
    sources, dest = rest[:-1], rest[-1].value
    for r in rows:
        parts = []
        missing = False
        for t in sources:
            if t.kind == "STR":
                parts.append(t.value)
            else:
                v = to_str(r.get(t.value))
                missing = missing or v is None
                parts.append(v or "")
        if allrequired and missing:
            continue
        r[dest] = "".join(parts)
    return rows


@command("rangemap")
def rangemap_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    toks = tokenize(args)
    opts, rest = take_options(toks, [t.value for t in toks if t.kind == "WORD"], "rangemap")
    if rest or "field" not in opts:
        raise SplError("rangemap: expected field=<field> <name>=<low>-<high> ... [default=<name>]")
    field = opts.pop("field")
    default = opts.pop("default", "None")
    ranges = []
    for name, spec in opts.items():
        m = re.fullmatch(r"(-?[\d.]+)-(-?[\d.]+)", spec)
        if not m:
            raise SplError(f"rangemap: bad range {name}={spec}")
        ranges.append((name, float(m.group(1)), float(m.group(2))))
    for r in rows:
        n = to_num(r.get(field))
        hits = [name for name, lo, hi in ranges if n is not None and lo <= n <= hi]
        r["range"] = hits[0] if len(hits) == 1 else (hits if hits else default)
    return rows
