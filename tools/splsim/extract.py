"""Index-time timestamp/truncation and the search-time field pipeline, in Splunk's documented order
(docs.splunk.com/Documentation/Splunk/latest/Knowledge/Searchtimeoperationssequence):

1. EXTRACT-  2. REPORT-  3. KV_MODE  4. FIELDALIAS-  5. EVAL-  6. LOOKUP-  7. eventtypes  8. tags

Within EXTRACT/REPORT/FIELDALIAS/LOOKUP the classes run in ASCII order of their names. All EVAL-
expressions of the merged props are evaluated against the same pre-EVAL fields (so one calculated
field cannot use another); all FIELDALIAS- use the pre-alias fields.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Tuple

from . import jsonpath, timeutil
from .errors import SplError
from .evalexpr import EvalContext, compile_eval
from .evalfuncs import compile_regex
from .lexer import split_pipeline, tokenize
from .lookups import LookupTable, apply_lookup, parse_lookup_clause, validate_clause
from .searchexpr import parse_search
from .values import Row, as_list, norm

Stanzas = Dict[str, Dict[str, str]]


@dataclass(eq=False)
class Event:
    """One indexed event (what the input wrote plus its index-time metadata)."""

    raw: str
    time: float
    sourcetype: str
    source: str
    index: str
    host: str
    indextime: Optional[float] = None

    def base_fields(self) -> Row:
        row: Row = {"_raw": self.raw, "_time": _num(self.time), "host": self.host, "source": self.source,
                    "sourcetype": self.sourcetype, "index": self.index}
        if self.indextime is not None:
            row["_indextime"] = _num(self.indextime)
        return row


def _num(t: float) -> object:
    return int(t) if float(t).is_integer() else t


@lru_cache(maxsize=1024)
def _source_pattern(pattern: str) -> "re.Pattern[str]":
    parts = re.split(r"(\.\.\.|\*)", pattern)
    body = "".join(".*" if p == "..." else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


def merged_props(props: Stanzas, sourcetype: str, source: str, host: str) -> Dict[str, str]:
    """Settings that apply to an event: [default] < [sourcetype] < [host::...] < [source::...]."""
    merged: Dict[str, str] = dict(props.get("default", {}))
    merged.update(props.get(sourcetype, {}))
    for prefix, value in (("host::", host), ("source::", source)):
        for name, st in props.items():
            if name.startswith(prefix) and _source_pattern(name[len(prefix):]).match(value):
                merged.update(st)
    return merged


_CLASS_CACHE: Dict[Tuple[int, str], Tuple[Dict[str, str], List[Tuple[str, str]]]] = {}


def _classes(settings: Dict[str, str], prefix: str) -> List[Tuple[str, str]]:
    """``prefix-<class> = value`` settings in ASCII order of class name (memoised per settings dict)."""
    key = (id(settings), prefix)
    hit = _CLASS_CACHE.get(key)
    if hit is not None and hit[0] is settings:
        return hit[1]
    out = sorted(((k[len(prefix):], v) for k, v in settings.items() if k.startswith(prefix)), key=lambda kv: kv[0])
    if len(_CLASS_CACHE) > 4096:
        _CLASS_CACHE.clear()
    _CLASS_CACHE[key] = (settings, out)
    return out


# --- index time --------------------------------------------------------------------------------

def break_stream(data: str, settings: Dict[str, str]) -> List[str]:
    """LINE_BREAKER (default ``([\\r\\n]+)``): where the regex matches, the text of its first capturing
    group is dropped; the event ends where the group starts and the next begins where it ends.
    Only SHOULD_LINEMERGE = false is emulated (Splunk's default, true, merges lines by other rules)."""
    if settings.get("SHOULD_LINEMERGE", "true").strip().lower() not in ("false", "0", "f"):
        raise SplError("line merging (SHOULD_LINEMERGE = true, the default) is not emulated; "
                       "set SHOULD_LINEMERGE = false with a LINE_BREAKER")
    try:
        rx = re.compile(settings.get("LINE_BREAKER", r"([\r\n]+)"))
    except re.error as exc:
        raise SplError(f"invalid LINE_BREAKER: {exc}") from None
    if rx.groups < 1:
        raise SplError("LINE_BREAKER needs a capturing group")
    events: List[str] = []
    pos = 0
    for m in rx.finditer(data):
        if m.start(1) == m.end(1) or m.start(1) < pos:
            continue
        events.append(data[pos:m.start(1)])
        pos = m.end(1)
    events.append(data[pos:])
    return [e for e in events if e.strip()]


def truncate_raw(raw: str, settings: Dict[str, str]) -> str:
    """TRUNCATE (default 10000 bytes, 0 = never): lines longer than that are cut, as at index time."""
    limit = int(settings.get("TRUNCATE", "10000") or "10000")
    if limit <= 0:
        return raw
    data = raw.encode("utf-8")
    if len(data) <= limit:
        return raw
    return data[:limit].decode("utf-8", errors="ignore")


def extract_timestamp(raw: str, settings: Dict[str, str], now: float) -> float:
    """_time from TIME_PREFIX / MAX_TIMESTAMP_LOOKAHEAD / TIME_FORMAT (DATETIME_CONFIG=CURRENT: now)."""
    if settings.get("DATETIME_CONFIG", "").strip().upper() in ("CURRENT", "NONE"):
        return now
    prefix = settings.get("TIME_PREFIX")
    fmt = settings.get("TIME_FORMAT")
    if not prefix and not fmt:
        return now
    start = 0
    if prefix:
        m = re.search(prefix, raw)
        if not m:
            raise SplError(f"timestamp: TIME_PREFIX {prefix!r} not found in event")
        start = m.end()
    while start < len(raw) and raw[start] in " \t":  # whitespace before the timestamp is skipped
        start += 1
    look = int(settings.get("MAX_TIMESTAMP_LOOKAHEAD", "128") or "128")
    window = raw[start:start + look] if look > 0 else raw[start:]
    if not fmt:
        raise SplError("timestamp: TIME_PREFIX without TIME_FORMAT is not supported (automatic recognition)")
    found = timeutil.strptime_prefix(window, fmt)
    if found is None:
        raise SplError(f"timestamp: TIME_FORMAT {fmt!r} does not match {window[:40]!r} after TIME_PREFIX")
    return found[0]


# --- search time ---------------------------------------------------------------------------------

def _apply_extract(row: Row, spec: str) -> None:
    m = re.match(r"^(.*?)(?:\s+in\s+([A-Za-z0-9_.{}:]+))?\s*$", spec, re.DOTALL)
    regex, src = (m.group(1), m.group(2)) if m else (spec, None)
    rx = compile_regex(regex)
    text = row.get(src or "_raw")
    if text is None:
        return
    mm = rx.search(as_list(text)[0] if isinstance(text, list) else str(text))
    if mm:
        for k, v in mm.groupdict().items():
            if v is not None:
                row[k] = v


def _apply_report(row: Row, name: str, transforms: Stanzas) -> None:
    st = transforms.get(name)
    if st is None:
        raise SplError(f"REPORT refers to missing transforms.conf stanza [{name}]")
    if "DELIMS" in st or "REGEX" not in st:
        raise SplError(f"transforms [{name}]: only REGEX-based transforms are supported")
    rx = compile_regex(st["REGEX"])
    src = st.get("SOURCE_KEY", "_raw")
    if src.startswith("field:"):
        src = src[len("field:"):]
    text = row.get(src)
    if text is None:
        return
    mv_add = st.get("MV_ADD", "false").lower() in ("1", "true")
    clean_keys = st.get("CLEAN_KEYS", "true").lower() in ("1", "true")
    fmt = st.get("FORMAT", "")
    items = fmt.split()
    for part in items:
        if "::" not in part:
            raise SplError(f"transforms [{name}]: FORMAT item {part!r} is not field::value")
    # every match is extracted; without MV_ADD an existing field keeps its first value
    for value in as_list(text):
        for mm in rx.finditer(value):
            pairs: List[Tuple[str, str]] = [(k, v) for k, v in mm.groupdict().items() if v is not None]
            for part in items:
                k, v = (re.sub(r"\$(\d+)", lambda g: mm.group(int(g.group(1))) or "", x) for x in part.split("::", 1))
                if clean_keys:  # non-alphanumerics -> "_", leading "_"/digits stripped
                    k = re.sub(r"[^A-Za-z0-9_]", "_", k).lstrip("_0123456789")
                if k:
                    pairs.append((k, v))
            for k, v in pairs:
                if row.get(k) is None:
                    row[k] = v
                elif mv_add:
                    row[k] = norm(as_list(row[k]) + [v])


_KV_AUTO_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|[^\s,;"]+)')


def _apply_kv(row: Row, settings: Dict[str, str]) -> None:
    mode = settings.get("KV_MODE", "auto").strip().lower() or "auto"
    raw = str(row.get("_raw") or "")
    if mode == "none":
        return
    if mode == "json" or (mode in ("auto", "auto_escaped")
                          and settings.get("AUTO_KV_JSON", "true").lower() in ("1", "true")):
        obj = jsonpath.parse_json_object(raw)
        if obj is not None:
            for k, vals in jsonpath.flatten(obj).items():
                if row.get(k) is None:
                    row[k] = norm(vals)
            return
        if mode == "json":
            return
    if mode in ("auto", "auto_escaped"):
        for m in _KV_AUTO_RE.finditer(raw):
            k, v = m.group(1), m.group(3) if m.group(3) is not None else m.group(2)
            if row.get(k) is None:
                row[k] = v
        return
    raise SplError(f"KV_MODE = {mode} is not supported (json, auto, none)")


@lru_cache(maxsize=1024)
def parse_fieldalias(spec: str) -> List[Tuple[str, str, bool]]:
    toks = tokenize(spec)
    words = [t.value for t in toks]
    if any(t.kind not in ("WORD", "STR") for t in toks) or len(words) % 3:
        raise SplError(f"FIELDALIAS: expected 'field AS alias ...' but got {spec!r}")
    out: List[Tuple[str, str, bool]] = []
    for i in range(0, len(words), 3):
        kw = words[i + 1].upper()
        if kw not in ("AS", "ASNEW"):
            raise SplError(f"FIELDALIAS: expected AS or ASNEW in {spec!r}")
        out.append((words[i], words[i + 2], kw == "ASNEW"))
    return out


def _apply_aliases(row: Row, settings: Dict[str, str]) -> None:
    """All aliases read the pre-alias fields (no alias of an alias). Since Splunk 7.2.4 an ``AS``
    alias whose source field is absent removes the alias field; ``ASNEW`` keeps an existing one
    (docs.splunk.com/Documentation/Splunk/latest/ReleaseNotes/Fieldaliasbehaviorchange)."""
    snapshot = dict(row)
    present: Dict[str, object] = {}
    clear: Dict[str, bool] = {}
    for _cls, spec in _classes(settings, "FIELDALIAS-"):
        for src, dst, asnew in parse_fieldalias(spec):
            val = snapshot.get(src)
            if asnew and snapshot.get(dst) is not None:
                continue
            if val is None:
                clear.setdefault(dst, not asnew)
                continue
            present[dst] = val
    for dst, remove in clear.items():
        if remove and dst not in present:
            row.pop(dst, None)
    row.update(present)


def _apply_evals(row: Row, settings: Dict[str, str], ctx: EvalContext) -> None:
    snapshot = dict(row)
    results: Dict[str, object] = {}
    for name, expr in _classes(settings, "EVAL-"):
        value = compile_eval(expr)(snapshot, ctx)
        if isinstance(value, bool):
            raise SplError(f"EVAL-{name}: a field cannot be assigned a boolean result")
        results[name] = norm(value)
    for name, value in results.items():
        if value is None:
            row.pop(name, None)
        else:
            row[name] = value


def validate_props_setting(key: str, value: str, transforms: Stanzas,
                           get_table: Callable[[str], LookupTable]) -> None:
    """Parse/compile one props.conf search-time setting (raises SplError)."""
    if key.startswith("EXTRACT-"):
        m = re.match(r"^(.*?)(?:\s+in\s+[A-Za-z0-9_.{}:]+)?\s*$", value, re.DOTALL)
        if not compile_regex(m.group(1) if m else value).groupindex:
            raise SplError("EXTRACT regex has no named capture group")
    elif key.startswith("REPORT-"):
        for name in [s.strip() for s in value.split(",") if s.strip()]:
            if name not in transforms:
                raise SplError(f"missing transforms.conf stanza [{name}]")
            if "REGEX" in transforms[name]:
                compile_regex(transforms[name]["REGEX"])
    elif key.startswith("FIELDALIAS-"):
        parse_fieldalias(value)
    elif key.startswith("EVAL-"):
        compile_eval(value)
    elif key.startswith("LOOKUP-"):
        clause = parse_lookup_clause(value)
        validate_clause(get_table(clause.table), clause)
    elif key == "KV_MODE" and value.strip().lower() not in ("json", "auto", "auto_escaped", "none", ""):
        raise SplError(f"KV_MODE = {value} is not supported (json, auto, none)")


class SearchTimePipeline:
    """Applies an app's props/transforms/eventtypes/tags to events."""

    def __init__(self, confs: Dict[str, Stanzas], get_table: Callable[[str], LookupTable],
                 expand_macros: Callable[[str], str]) -> None:
        self.props = confs.get("props", {})
        self.transforms = confs.get("transforms", {})
        self.tags = self._load_tags(confs.get("tags", {}))
        self.get_table = get_table
        self._settings_cache: Dict[Tuple[str, str, str], Dict[str, str]] = {}
        self.eventtypes: List[Tuple[str, Callable[[Row], bool]]] = []
        for name, st in sorted(confs.get("eventtypes", {}).items()):
            if st.get("disabled", "0").strip().lower() in ("1", "true"):
                continue
            if "search" not in st:
                raise SplError(f"eventtype {name} has no search")
            text = expand_macros(st["search"])
            if len(split_pipeline(text)) > 1:
                raise SplError(f"eventtype {name}: an eventtype search cannot contain pipes")
            parsed = parse_search(text)
            if parsed.time_bounds:
                raise SplError(f"eventtype {name}: earliest/latest are not allowed in eventtypes")
            self.eventtypes.append((name, parsed.matcher))

    @staticmethod
    def _load_tags(stanzas: Stanzas) -> Dict[Tuple[str, str], List[str]]:
        out: Dict[Tuple[str, str], List[str]] = {}
        for name, kv in stanzas.items():
            if "=" not in name:
                raise SplError(f"tags.conf stanza [{name}] is not field=value")
            field, value = name.split("=", 1)
            enabled = []
            for tag, state in kv.items():
                st = state.strip().lower()
                if st not in ("enabled", "disabled"):
                    raise SplError(f"tags.conf [{name}] {tag} = {state!r}: must be enabled or disabled")
                if st == "enabled":
                    enabled.append(urllib.parse.unquote(tag))
            out[(urllib.parse.unquote(field), urllib.parse.unquote(value))] = enabled
        return out

    def _settings(self, event: Event) -> Dict[str, str]:
        key = (event.sourcetype, event.source, event.host)
        settings = self._settings_cache.get(key)
        if settings is None:
            settings = merged_props(self.props, *key)
            self._settings_cache[key] = settings
        return settings

    def run(self, event: Event, ctx: EvalContext) -> Row:
        row = event.base_fields()
        settings = self._settings(event)
        for _cls, spec in _classes(settings, "EXTRACT-"):
            _apply_extract(row, spec)
        for _cls, spec in _classes(settings, "REPORT-"):
            for name in [s.strip() for s in spec.split(",") if s.strip()]:
                _apply_report(row, name, self.transforms)
        _apply_kv(row, settings)
        _apply_aliases(row, settings)
        _apply_evals(row, settings, ctx)
        for _cls, spec in _classes(settings, "LOOKUP-"):
            clause = parse_lookup_clause(spec)
            apply_lookup(row, self.get_table(clause.table), clause)
        self._apply_eventtypes(row)
        self._apply_tags(row)
        return row

    def _apply_eventtypes(self, row: Row) -> None:
        matched: List[str] = []
        changed = True
        while changed:
            changed = False
            for name, matcher in self.eventtypes:
                if name not in matched and matcher(row):
                    matched.append(name)
                    row["eventtype"] = norm(sorted(matched))
                    changed = True
        if matched:
            row["eventtype"] = norm(sorted(matched))

    def _apply_tags(self, row: Row) -> None:
        all_tags: List[str] = []
        per_field: Dict[str, List[str]] = {}
        for (field, value), tags in self.tags.items():
            if not tags:
                continue
            if value in as_list(row.get(field)):
                per_field.setdefault(field, []).extend(tags)
                all_tags.extend(tags)
        for field, tags in per_field.items():
            row[f"tag::{field}"] = norm(sorted(set(tags)))
        if all_tags:
            row["tag"] = norm(sorted(set(all_tags)))
