"""How one audit-log object becomes a Splunk event: its JSON unchanged, ``_time`` = ``effective_at``."""
from __future__ import annotations

import json
import re
from typing import Any, Mapping

# Code points json.dumps(ensure_ascii=False) writes raw but that neither UTF-8 (lone surrogates, e.g. from a
# "\ud800" escape in the API's JSON) nor XML 1.0 (U+FFFE, U+FFFF) can carry: written as JSON \u escapes.
_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _escape(match: "re.Match[str]") -> str:
    return "\\u%04x" % ord(match.group())


def to_raw(obj: Mapping[str, Any]) -> str:
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
