"""Generating commands (must start the pipeline with '|'): makeresults, inputlookup."""
from __future__ import annotations

from typing import List

from ..errors import SplError
from ..lexer import tokenize
from ..searchexpr import parse_search
from ..values import Row
from .base import SearchContext, command, parse_bool, parse_int, take_options, words


@command("makeresults", generating=True)
def makeresults_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    opts, rest = take_options(tokenize(args), ["count"], "makeresults")
    if rest:
        raise SplError(f"makeresults: unexpected arguments {args!r}")
    n = parse_int(opts.get("count", "1"), "makeresults", "count", minimum=1, maximum=1_000_000)
    now = int(ctx.eval_ctx.now) if float(ctx.eval_ctx.now).is_integer() else ctx.eval_ctx.now
    return [{"_time": now} for _ in range(n)]


@command("inputlookup", generating=True)
def inputlookup_cmd(args: str, rows: List[Row], ctx: SearchContext) -> List[Row]:
    text = args
    where = None
    lowered = text.lower()
    idx = lowered.find(" where ")
    if idx >= 0:
        text, where = args[:idx], args[idx + len(" where "):]
    opts, rest = take_options(tokenize(text), ["append", "start", "max"], "inputlookup")
    if parse_bool(opts.get("append", "false"), "inputlookup", "append"):
        raise SplError("inputlookup: append=true is not supported")
    names = words(rest, "inputlookup")
    if len(names) != 1:
        raise SplError("inputlookup: exactly one lookup name is required")
    table = ctx.engine.lookup_table(names[0])
    out: List[Row] = [{k: v for k, v in r.items() if v != ""} for r in table.rows]
    start = parse_int(opts.get("start", "0"), "inputlookup", "start")
    out = out[start:]
    if "max" in opts:
        out = out[:parse_int(opts["max"], "inputlookup", "max")]
    if where is not None:
        matcher = parse_search(where).matcher
        out = [r for r in out if matcher(r)]
    return out
