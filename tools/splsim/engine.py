"""The Engine: an app's knowledge objects + the SPL pipeline over a list of events."""
from __future__ import annotations

import dataclasses
import functools
import os
import threading
import time as _time
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar, Union, cast

from . import timeutil
from .commands import COMMANDS, SearchContext
from .conf import Stanzas, find_lookup_files, load_app
from .errors import SplError
from .evalexpr import EvalContext, compile_eval
from .extract import (Event, SearchTimePipeline, break_stream, extract_timestamp, merged_props, truncate_raw,
                      validate_props_setting)
from .lexer import split_command, split_pipeline, tokenize
from .lookups import LookupTable, build_table, is_kvstore
from .macros import MacroExpander
from .searchexpr import parse_search
from .values import Row, output_value, to_num, to_str

TimeArg = Union[None, float, int, str]
Result = Dict[str, Union[str, List[str]]]
F = TypeVar("F", bound=Callable[..., Any])


def _locked(method: F) -> F:
    """Run an Engine method under the engine's re-entrant lock (see the Engine docstring)."""
    @functools.wraps(method)
    def wrapper(self: "Engine", *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return cast(F, wrapper)


# Splunk docs, Search Reference "Time modifiers" (help.splunk.com/splunk-enterprise/spl-search-reference/9.4/
# time-format-variables-and-modifiers/time-modifiers): an inline time modifier overrides the time range picker,
# and "because the search does not specify the latest time modifier, the default value now is used for latest".
# The same page: "time ranges specified directly in the base search do not apply to subsearches".
INLINE_TIME_DOC = "Splunk Search Reference, Time modifiers"


def inline_time_range(bounds: Dict[str, str], dispatch_earliest: Optional[float],
                      dispatch_latest: Optional[float], now: float) -> Tuple[Optional[float], Optional[float]]:
    """The time range of a search with inline ``earliest=``/``latest=`` terms (see INLINE_TIME_DOC): inline values
    replace the dispatch range; an inline earliest without an inline latest ends at now. An inline latest without
    an inline earliest is not described by the docs and is refused."""
    if not bounds:
        return dispatch_earliest, dispatch_latest
    if "earliest" not in bounds:
        raise SplError("an inline latest= without an inline earliest= is not emulated (the Time modifiers docs "
                       "only define the opposite case); give both")
    earliest = timeutil.parse_time_modifier(bounds["earliest"], now)
    latest = timeutil.parse_time_modifier(bounds["latest"], now) if "latest" in bounds else now
    return earliest, latest


class Engine:
    """Offline search-time engine for one app directory (``default/*.conf``, ``lookups/*.csv``).

    Thread-safety: every public method takes one re-entrant lock, so an Engine may be shared by threads (e.g. a
    REST stand-in running dashboard panels in parallel); their searches are serialised, not concurrent."""

    def __init__(self, app_dir: str = "package", extra_lookups: Optional[Dict[str, str]] = None) -> None:
        self.lock = threading.RLock()
        if not os.path.isdir(app_dir):
            raise SplError(f"app directory {app_dir!r} does not exist")
        self.app_dir = app_dir
        self.confs: Dict[str, Stanzas] = load_app(app_dir)
        self._lookup_files: Dict[str, str] = find_lookup_files(app_dir)
        self._lookup_files.update(extra_lookups or {})
        self._tables: Dict[str, LookupTable] = {}
        self._macros = MacroExpander(self.confs["macros"], self._eval_to_string)
        self._pipeline = SearchTimePipeline(self.confs, self.lookup_table, self.expand_macros)
        self._cache: "weakref.WeakKeyDictionary[Event, Row]" = weakref.WeakKeyDictionary()

    # --- knowledge objects ------------------------------------------------------------------

    @property
    def savedsearches(self) -> Stanzas:
        return self.confs["savedsearches"]

    @_locked
    def lookup_table(self, name: str) -> LookupTable:
        """A lookup by transforms.conf definition name, CSV file name or extra_lookups key."""
        if name in self._tables:
            return self._tables[name]
        stanza = self.confs["transforms"].get(name)
        if stanza is not None and is_kvstore(stanza):  # records of the collection from extra_lookups[name], or none
            path: Optional[str] = self._lookup_files.get(name)
        elif stanza is not None:
            fn = stanza.get("filename")
            if not fn:
                raise SplError(f"lookup definition {name!r} has no filename (only CSV lookups are supported)")
            path = self._lookup_files.get(name) or self._lookup_files.get(fn)
            if path is None:
                raise SplError(f"lookup {name!r}: file {fn!r} not found in {self.app_dir}/lookups")
        else:
            path = self._lookup_files.get(name)
            if path is None:
                raise SplError(f"lookup table {name!r} is not defined (transforms.conf or lookups/*.csv)")
        table = build_table(name, path, stanza)
        self._tables[name] = table
        return table

    @_locked
    def expand_macros(self, spl: str) -> str:
        """Expand `macro` and `macro(args)` from macros.conf (nested)."""
        return self._macros.expand(spl)

    def _eval_to_string(self, expr: str) -> str:
        ctx = EvalContext(now=_time.time())
        v = compile_eval(expr)({}, ctx)
        if isinstance(v, bool):
            return "true" if v else "false"
        s = to_str(v)
        if s is None:
            raise SplError(f"macro eval expression {expr!r} returned null")
        return s

    @_locked
    def validate(self) -> None:
        """Compile every knowledge object without events and raise one SplError listing all problems:
        props EXTRACT/REPORT/FIELDALIAS/EVAL/LOOKUP settings, macros, and each saved search (run over
        no events, so every command parses its arguments)."""
        problems: List[str] = []
        for stanza, settings in self.confs["props"].items():
            for key, value in settings.items():
                try:
                    validate_props_setting(key, value, self.confs["transforms"], self.lookup_table)
                except SplError as exc:
                    problems.append(f"props.conf [{stanza}] {key}: {exc}")
        for name, st in self.confs["macros"].items():
            if st.get("iseval", "0").strip().lower() in ("1", "true") or "(" in name:
                continue  # needs arguments / evaluation context
            try:
                self.expand_macros(f"`{name}`")
            except SplError as exc:
                problems.append(f"macros.conf [{name}]: {exc}")
        for name, st in self.confs["savedsearches"].items():
            if "search" not in st or st.get("disabled", "0").strip().lower() in ("1", "true"):
                continue
            try:
                self.search(st["search"], [], earliest=st.get("dispatch.earliest_time") or None,
                            latest=st.get("dispatch.latest_time") or None)
            except SplError as exc:
                problems.append(f"savedsearches.conf [{name}]: {exc}")
        if problems:
            raise SplError("invalid knowledge objects:\n" + "\n".join(problems))

    # --- events -------------------------------------------------------------------------------

    @_locked
    def make_event(self, raw: str, *, sourcetype: str = "openai:audit", source: str = "openai_audit://demo",
                   index: str = "main", host: str = "hf1", time: Optional[float] = None,
                   indextime: Optional[float] = None) -> Event:
        """An indexed event: TRUNCATE applied, _time from TIME_PREFIX/TIME_FORMAT unless given;
        ``_indextime`` exists only when ``indextime`` is given."""
        settings = merged_props(self.confs["props"], sourcetype, source, host)
        raw = truncate_raw(raw, settings)
        t = float(time) if time is not None else extract_timestamp(raw, settings, _time.time())
        return Event(raw=raw, time=t, sourcetype=sourcetype, source=source, index=index, host=host,
                     indextime=None if indextime is None else float(indextime))

    @_locked
    def make_events(self, data: str, *, sourcetype: str = "openai:audit", source: str = "openai_audit://demo",
                    index: str = "main", host: str = "hf1") -> List[Event]:
        """Index a stream as the input writes it: LINE_BREAKER splits it (SHOULD_LINEMERGE = false),
        then each event gets TRUNCATE and its timestamp, as in make_event."""
        settings = merged_props(self.confs["props"], sourcetype, source, host)
        return [self.make_event(raw, sourcetype=sourcetype, source=source, index=index, host=host)
                for raw in break_stream(data, settings)]

    def _fields(self, ev: Event) -> Row:
        row = self._cache.get(ev)
        if row is None:
            row = self._pipeline.run(ev, EvalContext(now=_time.time()))
            self._cache[ev] = row
        return row

    @_locked
    def extract(self, ev: Event) -> Result:
        """All fields of an event after the search-time pipeline (str, or list for multivalue)."""
        return _public(self._fields(ev))

    # --- search -----------------------------------------------------------------------------------

    @_locked
    def search(self, spl: str, events: List[Event], *, now: Optional[float] = None,
               earliest: TimeArg = None, latest: TimeArg = None) -> List[Result]:
        """Run an SPL pipeline over events; rows hold only non-null fields (str or list of str).
        ``earliest``/``latest`` are the dispatch time range (the time range picker or a saved search's
        ``dispatch.*_time``); inline ``earliest=``/``latest=`` terms override it (``inline_time_range``)."""
        now_f = float(now) if now is not None else _time.time()
        ctx = SearchContext(engine=self, events=list(events), eval_ctx=EvalContext(now=now_f),
                            dispatch_earliest=_resolve(earliest, now_f), dispatch_latest=_resolve(latest, now_f))
        ctx.eval_ctx.search_matcher = lambda text: parse_search(text).matcher
        rows = self.run_pipeline(spl, ctx)
        return [_public(r) for r in rows]

    @_locked
    def run_pipeline(self, spl: str, outer: SearchContext) -> List[Row]:
        """Run a (sub)search over the context's events; returns internal rows. Each (sub)search starts from the
        dispatch time range: inline time terms of one search do not leak into another (INLINE_TIME_DOC)."""
        ctx = dataclasses.replace(outer, earliest=outer.dispatch_earliest, latest=outer.dispatch_latest,
                                  eval_ctx=dataclasses.replace(outer.eval_ctx))
        segments = split_pipeline(self.expand_macros(spl))
        if segments[0] == "":
            if len(segments) < 2:
                raise SplError("empty search")
            name, args = split_command(segments[1])
            cmd = COMMANDS.get(name)
            if cmd is None:
                raise SplError(f"unknown search command {name!r}")
            if not cmd.generating:
                raise SplError(f"{name}: a search starting with '|' needs a generating command "
                               "(makeresults, inputlookup)")
            self._set_info(ctx)
            rows = cmd.run(args, [], ctx)
            rest = segments[2:]
        else:
            first = segments[0]
            name, args = split_command(first)
            if name == "search":
                first = args
            parsed = parse_search(self._expand_subsearches(first, ctx))
            ctx.earliest, ctx.latest = inline_time_range(dict(parsed.time_bounds), ctx.earliest, ctx.latest,
                                                         ctx.eval_ctx.now)
            self._set_info(ctx)
            rows = [dict(self._fields(ev)) for ev in self._in_range(ctx)]
            rows = [r for r in rows if parsed.matcher(r)]
            rest = segments[1:]
        for seg in rest:
            name, args = split_command(seg)
            cmd = COMMANDS.get(name)
            if cmd is None:
                raise SplError(f"unknown search command {name!r}")
            if cmd.generating:
                raise SplError(f"{name} is a generating command and must be first in the search")
            if name == "search":
                args = self._expand_subsearches(args, ctx)
            rows = cmd.run(args, rows, ctx)
        return rows

    def _expand_subsearches(self, text: str, ctx: SearchContext) -> str:
        """Replace each [subsearch] in a search expression by its results formatted as Splunk's
        implicit ``format`` does: ( ( f1="v" AND f2="w" ) OR ( ... ) ); no results -> NOT ( )."""
        if "[" not in text:
            return text
        out = []
        pos = 0
        for tok in tokenize(text):
            if tok.kind != "SUB":
                continue
            out.append(text[pos:tok.pos])
            out.append(format_rows(self.run_pipeline(tok.value, ctx)))
            pos = tok.end
        out.append(text[pos:])
        return "".join(out)

    @staticmethod
    def _set_info(ctx: SearchContext) -> None:
        ctx.eval_ctx.info_min_time = ctx.earliest if ctx.earliest is not None else 0.0
        ctx.eval_ctx.info_max_time = ctx.latest

    @staticmethod
    def _in_range(ctx: SearchContext) -> List[Event]:
        evs = [e for e in ctx.events
               if (ctx.earliest is None or e.time >= ctx.earliest) and (ctx.latest is None or e.time < ctx.latest)]
        # Splunk returns events newest first
        return sorted(evs, key=lambda e: -e.time)


def _quote(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_rows(rows: List[Row]) -> str:
    """Rows as a search string, like Splunk's format command (used for subsearches)."""
    terms = []
    for r in rows:
        if set(r) in ({"search"}, {"query"}):
            terms.append("( " + str(to_str(next(iter(r.values())))) + " )")
            continue
        parts = []
        for k, v in r.items():
            if k.startswith("_"):
                continue
            vals = output_value(v)
            if vals is None:
                continue
            if isinstance(vals, list):
                parts.append("( " + " OR ".join(f"{k}={_quote(x)}" for x in vals) + " )")
            else:
                parts.append(f"{k}={_quote(vals)}")
        if parts:
            terms.append("( " + " AND ".join(parts) + " )")
    if not terms:
        return "NOT ( )"
    return "( " + " OR ".join(terms) + " )"


def _resolve(t: TimeArg, now: float) -> Optional[float]:
    if t is None:
        return None
    if isinstance(t, (int, float)):
        return float(t)
    n = to_num(t)
    if n is not None:
        return float(n)
    return timeutil.parse_time_modifier(str(t), now)


def _public(row: Row) -> Result:
    out: Result = {}
    for k, v in row.items():
        pv = output_value(v)
        if pv is not None:
            out[k] = pv
    return out
