"""How one audit-log object becomes a Splunk event: its JSON unchanged, ``_time`` = ``effective_at``; and what
makes an object valid (a non-empty string ``id``, an integer ``effective_at`` within the time bounds)."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Mapping

# Bounds of every effective_at the collector accepts, from an API object or a checkpoint: Unix seconds from
# 1970 to the end of year 9999 (Splunk's _time range); anything else (negative, 10**400, true) is invalid.
MIN_TIME = 0
MAX_TIME = 253402300799

# Code points json.dumps(ensure_ascii=False) writes raw but that neither UTF-8 (lone surrogates, e.g. from a
# "\ud800" escape in the API's JSON) nor XML 1.0 (U+FFFE, U+FFFF) can carry: written as JSON \u escapes.
_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _escape(match: "re.Match[str]") -> str:
    return "\\u%04x" % ord(match.group())


def to_raw(obj: Any) -> str:
    """Serialise an audit-log object exactly as the input writes it (keys in API order, compact, UTF-8);
    characters UTF-8 or XML cannot carry stay JSON escapes, so the same string value is written."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text if text.isascii() else _UNWRITABLE.sub(_escape, text)


def event_time(obj: Mapping[str, Any]) -> int:
    """The event's ``_time``: its ``effective_at`` (Unix seconds)."""
    return int(obj["effective_at"])


def event_id(obj: Mapping[str, Any]) -> str:
    """The audit-log id used for de-duplication."""
    return str(obj["id"])


def is_time(value: Any) -> bool:
    """An integer (not a bool) within [MIN_TIME, MAX_TIME]."""
    return type(value) is int and MIN_TIME <= value <= MAX_TIME


def valid_id(obj: Any) -> Any:
    """The object's id if it is a valid audit-log object (string id, effective_at within bounds), else None."""
    if type(obj) is not dict:
        return None
    eid = obj.get("id")
    if type(eid) is not str or not eid or not is_time(obj.get("effective_at")):
        return None
    return eid


def dedup_key(obj: Any) -> str:
    """The de-duplication key of an invalid object: its string id if it has one, else a digest of its JSON."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"]:
        return str(obj["id"])
    return "sha256:" + hashlib.sha256(to_raw(obj).encode("utf-8", "surrogatepass")).hexdigest()[:32]
