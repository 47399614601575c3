"""Subsearch commands: append and join (the subsearch runs over the same events and time range)."""
from __future__ import annotations

from typing import List

from ..errors import SplError
from ..lexer import tokenize
from ..values import Row, as_list
from .base import SearchContext, command, parse_int, take_options, words


def _subsearch(args: str, cmd: str, allowed: List[str]):
    opts, rest = take_options(tokenize(args), allowed, cmd)
    subs = [t for t in rest if t.kind == "SUB"]
    if len(subs) != 1 or rest[-1].kind != "SUB":
        raise SplError(f"{cmd}: expected one [subsearch] at the end")
    return opts, words(rest[:-1], cmd), subs[0].value


@command("append")
def append_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, extra, sub = _subsearch(args, "append", [])
    if extra:
        raise SplError(f"append: unexpected arguments {extra}")
    return rows + ctx.engine.run_pipeline(sub, ctx)


@command("join")
def join_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, fields, sub = _subsearch(args, "join", ["type", "max", "overwrite"])
    jtype = opts.get("type", "inner").lower()
    if jtype == "outer":
        jtype = "left"
    if jtype not in ("inner", "left"):
        raise SplError(f"join: type={jtype} is not supported (inner, left, outer)")
    if not fields:
        raise SplError("join: join fields are required (joining on all common fields is not supported)")
    max_matches = parse_int(opts.get("max", "1"), "join", "max")
    overwrite = opts.get("overwrite", "true").lower() in ("1", "t", "true")
    right = ctx.engine.run_pipeline(sub, ctx)
    index: dict = {}
    for r in right:
        key = tuple(tuple(as_list(r.get(f))) for f in fields)
        if all(key):
            index.setdefault(key, []).append(r)
    out: List[Row] = []
    for left in rows:
        key = tuple(tuple(as_list(left.get(f))) for f in fields)
        matches = index.get(key, []) if all(key) else []
        if max_matches:
            matches = matches[:max_matches]
        if not matches:
            if jtype == "left":
                out.append(left)
            continue
        for m in matches:
            merged = dict(left)
            for k, v in m.items():
                if overwrite or k not in merged:
                    merged[k] = v
            out.append(merged)
    return out


def _q(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


@command("return")
def return_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    """``return [N] field alias=field $field``: one row whose ``search`` field is the subsearch text
    (docs.splunk.com/Documentation/Splunk/latest/SearchReference/Return)."""
    toks = [t for t in tokenize(args) if t.kind != "COMMA"]
    count = 1
    if toks and toks[0].kind == "WORD" and toks[0].value.isdigit():
        count = parse_int(toks.pop(0).value, "return", "count", minimum=1)
    specs = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind != "WORD":
            raise SplError(f"return: unexpected {t.value!r}")
        if i + 2 < len(toks) and toks[i + 1].kind == "OP" and toks[i + 1].value == "=":
            specs.append(("alias", t.value, toks[i + 2].value))
            i += 3
        elif t.value.startswith("$"):
            specs.append(("value", "", t.value[1:]))
            i += 1
        else:
            specs.append(("field", t.value, t.value))
            i += 1
    if not specs:
        raise SplError("return: no fields given")
    terms = []
    for r in rows[:count]:
        parts = []
        for kind, name, src in specs:
            v = as_list(r.get(src))
            if not v:
                continue
            parts.append(_q(v[0]) if kind == "value" else f"{name}={_q(v[0])}")
        if parts:
            terms.append(" ".join(parts))
    if not terms:
        return []
    text = terms[0] if len(terms) == 1 else " OR ".join(f"({t})" for t in terms)
    return [{"search": text}]


@command("format")
def format_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    """``format`` without options: one row whose ``search`` field is ( ( f="v" AND ... ) OR ... )."""
    if args.strip():
        raise SplError("format: options are not supported")
    from ..engine import format_rows  # late import: engine imports the command registry

    return [{"search": format_rows(rows)}]
