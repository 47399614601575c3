"""splsim: an offline, strict emulation of Splunk's search-time processing and an SPL subset.

Real Splunk is the authority; see tools/splsim/README.md for the supported subset and deviations.

    from splsim import Engine, SplError
    eng = Engine(app_dir="package")
    ev = eng.make_event(raw_json)
    fields = eng.extract(ev)
    rows = eng.search('sourcetype="openai:audit" tag=change | stats count by action', [ev])
"""
from __future__ import annotations

from .engine import Engine
from .errors import SplError
from .extract import Event

__all__ = ["Engine", "Event", "SplError"]
