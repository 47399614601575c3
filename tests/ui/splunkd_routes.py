"""splunkd REST paths the UIs read besides the app's own handlers, added to the fake splunkd with ``add_route``:
``data/indexes`` (the Index select), ``data/ui/times`` and ``authentication/current-context`` (the dashboard time
picker). Answers are splunkd's JSON feed shape (``tools/fake_splunkd/render``)."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from fake_splunkd import render as R

Reply = Tuple[int, str, bytes]
INDEXES = ("main", "openai", "_internal", "summary")
# the time picker's presets (a few of Splunk's default times.conf)
TIMES = (("last_24h", "Last 24 hours", "-24h@h", "now"), ("last_7d", "Last 7 days", "-7d@h", "now"),
         ("last_60m", "Last 60 minutes", "-60m@m", "now"), ("today", "Today", "@d", "now"))


class SplunkdRoutes:
    def __init__(self, user: str = "admin", indexes: Sequence[str] = INDEXES) -> None:
        self.user, self.indexes = user, list(indexes)

    def __call__(self, method: str, base: str, owner: str, app: str, rest: List[str], query: Dict[str, str],
                 form: Dict[str, str], session_key: str) -> Optional[Reply]:
        mode = query.get("output_mode")
        if method != "GET":
            return None
        if rest == ["data", "indexes"]:
            wanted = [i for i in self.indexes if "isInternal=0" not in query.get("search", "") or not i.startswith("_")]
            entries = [(i, {"isInternal": "1" if i.startswith("_") else "0", "disabled": "0", "datatype": "event"},
                        R.acl("system"), R.link(base, "data", "indexes", i)) for i in wanted]
            return (200, *R.feed("indexes", base, entries, mode))
        if rest == ["data", "ui", "times"]:
            entries = [(key, {"label": label, "earliest_time": e, "latest_time": la, "order": str(k), "disabled": False},
                        R.acl("search"), R.link(base, "data", "ui", "times", key))
                       for k, (key, label, e, la) in enumerate(TIMES)]
            return (200, *R.feed("times", base, entries, mode))
        if rest == ["authentication", "current-context"]:
            entries = [("context", {"username": self.user, "realname": "Administrator", "roles": ["admin"],
                                    "capabilities": ["admin_all_objects", "list_settings", "edit_tcp"], "tz": "UTC",
                                    "defaultApp": "TA-openai-audit"}, R.acl("system"),
                        R.link(base, "authentication", "current-context", "context"))]
            return (200, *R.feed("current-context", base, entries, mode))
        return None
