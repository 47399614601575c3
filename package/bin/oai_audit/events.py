"""How one audit-log object becomes a Splunk event: its JSON unchanged, ``_time`` = ``effective_at``."""
from __future__ import annotations

import json
from typing import Any, Mapping


def to_raw(obj: Mapping[str, Any]) -> str:
    """Serialise an audit-log object exactly as the input writes it (keys in API order, compact, UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def event_time(obj: Mapping[str, Any]) -> int:
    """The event's ``_time``: its ``effective_at`` (Unix seconds)."""
    return int(obj["effective_at"])


def event_id(obj: Mapping[str, Any]) -> str:
    """The audit-log id used for de-duplication."""
    return str(obj["id"])
