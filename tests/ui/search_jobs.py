"""A search-job REST stand-in on the fake splunkd: ``services/search/jobs`` runs the posted SPL in ``tools/splsim``
(with the app's own props/macros) over given events, one search at a time (splsim is not safe for concurrent
searches; the dashboards' panels post theirs in parallel).

Paths (splunkd's search REST API, the subset @splunk/search-job and UCC's footer use):
``POST search/jobs`` (``search``, ``earliest_time``, ``latest_time``) -> ``{"sid"}`` (201);
``GET search/jobs?id=<sid>&id=...`` (answered with every job) and ``GET search/jobs/<sid>``: job status entries (``dispatchState`` DONE, the
counts SplunkSearch reads); ``GET search/[v2/]jobs/<sid>/results[_preview]`` in ``json_cols`` or ``json``
(``count``/``offset``); ``POST search/jobs/<sid>/control`` and ``DELETE search/jobs/<sid>``: accepted.

The one search splsim does not run is splunkd's own ``| rest services/apps/local/<app>`` (UCC's footer reads the
app's build with it): answered from the app's ``app.conf``."""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from fake_splunkd import render as R
from splsim import Engine
from splsim.conf import read_conf

Reply = Tuple[int, str, bytes]
_REST_APP = re.compile(r"^\|\s*rest\s+/?services/apps/local/([^\s|]+)")


@dataclass
class Job:
    sid: str
    search: str
    earliest: str
    latest: str
    label: str = ""  # the dashboard's data source id (ds.search posts it as label=)
    rows: List[Dict[str, Any]] = field(default_factory=list)
    error: Optional[str] = None


class SearchJobs:
    def __init__(self, engine: Engine, events: Sequence[Any], *, app_dir: str, now: Callable[[], float]) -> None:
        self.engine, self.events, self.app_dir, self.now = engine, list(events), app_dir, now
        self.jobs: Dict[str, Job] = {}
        self._run_lock = threading.Lock()  # one splsim search at a time

    @property
    def searches(self) -> List[Job]:
        return list(self.jobs.values())

    def __call__(self, method: str, base: str, owner: str, app: str, rest: List[str], query: Dict[str, str],
                 form: Dict[str, str], session_key: str) -> Optional[Reply]:
        if rest[:1] != ["search"]:
            return None
        parts = rest[1:]
        if parts[:1] == ["v2"]:
            parts = parts[1:]
        if parts[:1] != ["jobs"]:
            return None
        sid = parts[1] if len(parts) > 1 else None
        if method == "POST" and sid is None:
            return self._create(form)
        if sid is None:
            # the batched status GET repeats id=; the fake splunkd keeps one value per key, so answer every job
            return self._status(base, list(self.jobs), query.get("output_mode"))
        if sid not in self.jobs:
            ctype, body = R.messages(f"Unknown sid {sid}", query.get("output_mode"))
            return 404, ctype, body
        tail = parts[2] if len(parts) > 2 else ""
        if tail in ("results", "results_preview"):
            return self._results(self.jobs[sid], query)
        if method in ("POST", "DELETE") or tail == "control":
            return 200, "application/json", b'{"messages":[]}'
        return self._status(base, [sid], query.get("output_mode"))

    # dispatch ---------------------------------------------------------------------------------------------
    def _create(self, form: Dict[str, str]) -> Reply:
        search = form.get("search", "").strip()
        job = Job(uuid.uuid4().hex[:16], search, form.get("earliest_time", ""), form.get("latest_time", ""),
                  form.get("label", ""))
        self.jobs[job.sid] = job
        with self._run_lock:
            try:
                job.rows = self._run(job)
            except Exception as exc:  # a failing search is a failed job, as in splunkd
                job.error = f"{type(exc).__name__}: {exc}"
        return 201, "application/json", json.dumps({"sid": job.sid}).encode()

    def _run(self, job: Job) -> List[Dict[str, Any]]:
        spl = job.search
        found = _REST_APP.match(spl)
        if found:
            conf = read_conf(f"{self.app_dir}/default/app.conf")
            row = {"title": found.group(1), "version": conf["launcher"]["version"], "build": conf["install"]["build"]}
            return [row]
        if spl.startswith("search "):  # splunkd's implicit leading command
            spl = spl[len("search "):]
        return self.engine.search(spl, self.events, now=self.now(), earliest=job.earliest or None,
                                  latest=job.latest or None)

    # answers ----------------------------------------------------------------------------------------------
    def _content(self, job: Job) -> Dict[str, Any]:
        n = len(job.rows)
        return {"sid": job.sid, "dispatchState": "FAILED" if job.error else "DONE", "isDone": True,
                "isFailed": job.error is not None, "isFinalized": False, "isPaused": False, "isSaved": False,
                "isZombie": False, "isRealTimeSearch": False, "isPreviewEnabled": False, "doneProgress": 1,
                "resultCount": n, "resultPreviewCount": n, "eventCount": n, "scanCount": len(self.events),
                "eventAvailableCount": 0, "eventIsStreaming": True, "resultIsStreaming": False,
                "earliestTime": job.earliest, "latestTime": job.latest, "runDuration": 0.1, "ttl": 600,
                "label": "", "request": {"search": job.search}, "messages": (
                    [{"type": "FATAL", "text": job.error}] if job.error else [])}

    def _status(self, base: str, sids: List[str], mode: Optional[str]) -> Reply:
        entries = [(sid, self._content(self.jobs[sid]), R.acl("TA-openai-audit", owner="admin", sharing="global"),
                    R.link(base, "search", "jobs", sid)) for sid in sids if sid in self.jobs]
        return (200, *R.feed("jobs", base, entries, mode or "json"))

    def _results(self, job: Job, query: Dict[str, str]) -> Reply:
        rows = job.rows
        offset, count = int(query.get("offset") or 0), int(query.get("count") or 0)
        page = rows[offset:offset + count] if count > 0 else rows[offset:]
        fields: List[str] = []
        for row in page:
            fields += [k for k in row if k not in fields]
        page = [_splunkd_row(row) for row in page]
        messages = [{"type": "FATAL", "text": job.error}] if job.error else []
        if query.get("output_mode") == "json_cols":
            body: Dict[str, Any] = {"preview": False, "init_offset": offset, "messages": messages,
                                    "fields": [{"name": f} for f in fields],
                                    "columns": [[row.get(f) for row in page] for f in fields]}
        else:
            body = {"preview": False, "init_offset": offset, "messages": messages,
                    "fields": [{"name": f} for f in fields], "results": page}
        return 200, "application/json", json.dumps(body).encode()



def _iso(value: Any) -> Any:
    """``_time`` as splunkd writes it in results: ISO-8601 with milliseconds and the UTC offset."""
    try:
        t = float(value)
    except (TypeError, ValueError):
        return value
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03d+00:00" % int(round((t % 1) * 1000) % 1000)


def _splunkd_row(row: Dict[str, Any]) -> Dict[str, Any]:
    return {k: (_iso(v) if k == "_time" else v) for k, v in row.items()}
