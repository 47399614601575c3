"""Demo / fixture data for the dashboards: audit events, the collector's own log lines, ES notables and
scheduler records, as ``RawEvent`` tuples that any engine can ingest (tests and the PNG renderer use splsim).

- audit events come from the simulator's seeded generator (``oai_sim.generator``), serialised by the
  collector's own ``oai_audit.events.to_raw`` and timed by ``event_time`` (``_time`` = ``effective_at``);
- collector log lines use solnlib's real log format and the collector's real run-summary text
  (``oai_audit.poller.StreamResult.summary``) and error messages (``oai_audit.client.error_for_response``);
- scheduler.log / notable lines follow Splunk's own formats;
- the inventory dashboard's KV-store records are snapshots of the simulator's inventory (``oai_sim.inventory``, the
  same cast as the audit events) collected and merged by the inventory input's own ``collect`` and ``merge``.
"""
from __future__ import annotations

import csv
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

import httpx
from solnlib import log as solnlib_log

from oai_audit.client import ApiClient, error_for_response
from oai_audit.events import event_time, to_raw
from oai_audit.inventory import collect
from oai_audit.inventory_snapshot import collection_name, merge
from oai_audit.poller import StreamResult
from oai_sim import generator
from oai_sim.inventory import Inventory
from oai_sim.server import Simulator
from splsim.conf import read_conf

import openai_audit_helper as helper

SOURCETYPE = "openai:audit"
LOG_SOURCETYPE = "ta-openai-audit:log"
AUDIT_INDEX = "openai"
LOG_DIR = "/opt/splunk/var/log/splunk"
NEW_JA3 = "e7d705a3286e19ea42f587b344ee6865"
NEW_JA4 = "t13d1517h2_8daaf6152771_b0da82dd1658"


@dataclass(frozen=True)
class RawEvent:
    raw: str
    time: float
    index: str
    sourcetype: str
    source: str
    host: str = "hf1"


@dataclass(frozen=True)
class InputSpec:
    name: str
    account: str
    healthy: bool = True  # False: every poll fails with HTTP 401
    interval: int = 300


DEFAULT_INPUTS = (InputSpec("prod_org", "prod_account"), InputSpec("research_org", "research_account"),
                  InputSpec("legacy_org", "legacy_account", healthy=False))


def input_source(name: str) -> str:
    return f"openai_audit://{name}"


def log_source(name: str) -> str:
    return f"{LOG_DIR}/ta-openai-audit_{name}.log"


def _login(rng: random.Random, kind: str, at: int) -> Dict[str, Any]:
    return generator.make_event(kind, rng, at)


def audit_objects(now: int, n: int = 600, seed: int = 7, days: int = 6) -> List[Dict[str, Any]]:
    """Generated audit-log objects over the last ``days``: a uniform mix of all 145 types, one of each type,
    extra logins (successes and bursts of failures) and one session with a never-seen JA3/JA4 an hour ago."""
    start = now - days * 86400
    objs = generator.generate(n, seed, start, now - 300)
    rng = random.Random(seed + 2)
    for obj in generator.one_of_each(seed + 1, now - 2 * 3600):  # every type once, spread over the days
        obj["effective_at"] = rng.randint(start, now - 600)
        objs.append(obj)
    for _ in range(60):
        objs.append(_login(rng, "login.succeeded", rng.randint(start, now - 600)))
    for _ in range(25):
        objs.append(_login(rng, "login.failed", rng.randint(start, now - 600)))
    fresh = _login(rng, "login.succeeded", now - 3600)
    fresh["actor"]["session"].update(ja3=NEW_JA3, ja4=NEW_JA4)
    objs.append(fresh)
    return objs


def audit_events(objs: Sequence[Mapping[str, Any]], inputs: Sequence[InputSpec] = DEFAULT_INPUTS) -> List[RawEvent]:
    """Audit events as the inputs index them; objects are dealt round-robin to the healthy inputs."""
    healthy = [i for i in inputs if i.healthy]
    return [RawEvent(to_raw(o), float(event_time(o)), AUDIT_INDEX, SOURCETYPE, input_source(healthy[k % len(healthy)].name))
            for k, o in enumerate(objs)]


_FORMATTER = logging.Formatter(solnlib_log.Logs._default_log_format)  # solnlib's own line format
_FORMATTER.converter = time.gmtime


class _Capture(logging.Handler):
    """Keeps the records a logger emits, so they can be re-stamped with a chosen time."""

    def __init__(self) -> None:
        super().__init__()
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _capture(emit: Callable[[logging.Logger], None]) -> List[logging.LogRecord]:
    logger = logging.getLogger("dashboard_demo.capture")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = _Capture()
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return handler.records


def _stamp(record: logging.LogRecord, at: float) -> str:
    record.created = at
    record.msecs = (at - int(at)) * 1000
    return _FORMATTER.format(record)


def _lines(spec: InputSpec, at: float, emit: Callable[[logging.Logger], None]) -> List[RawEvent]:
    """What ``emit`` logs, as _internal events of the input's own log file, 0.1 s apart from ``at``."""
    return [RawEvent(_stamp(rec, at + 0.1 * k), at + 0.1 * k, "_internal", LOG_SOURCETYPE, log_source(spec.name))
            for k, rec in enumerate(_capture(emit))]


def collector_logs(now: int, audit: Sequence[RawEvent], inputs: Sequence[InputSpec] = DEFAULT_INPUTS,
                   hours: int = 24, seed: int = 11) -> List[RawEvent]:
    """Collector log lines of the last ``hours``, one poll per interval and input, written by the input helper's
    own reporting (``openai_audit_helper._report``) and solnlib's ``events_ingested``. Healthy inputs log their
    run summary, some polls after a retried HTTP 429 (the client's retry warning); the unhealthy input fails
    every poll with HTTP 401 (run summary with status=error plus solnlib's Authentication Error line)."""
    rng = random.Random(seed)
    out: List[RawEvent] = []
    unauthorized = error_for_response(httpx.Response(401, json={"error": {"message": "Incorrect API key provided"}}))
    throttled_by = error_for_response(httpx.Response(429, headers={"retry-after": "2"}))
    for spec in inputs:
        by_time = sorted(e.time for e in audit if e.source == input_source(spec.name))
        prev = now - hours * 3600
        for at in range(prev + rng.randint(0, spec.interval), now - 30, spec.interval):
            if not spec.healthy:
                res = StreamResult(stream="main", requests=1, duration=0.2, error=unauthorized)
            else:
                n = sum(1 for t in by_time if prev < t <= at)
                pages = max(1, -(-n // 100))
                throttled = 1 if rng.random() < 0.08 else 0
                if throttled:  # the client's own retry warning (oai_audit.client.AuditLogClient.fetch)
                    out += _lines(spec, at - 2,
                                  lambda lg: lg.warning("retry %d in %.1fs after: %s", 1, 2.0, throttled_by))
                res = StreamResult(stream="main", pages=pages, events=n, requests=pages + throttled,
                                   retries=throttled, duration=0.4 + 0.01 * n)
                prev = at

            def emit(lg: logging.Logger, res: StreamResult = res, spec: InputSpec = spec) -> None:
                helper._report(lg, res, spec.name, spec.account)
                solnlib_log.events_ingested(lg, input_source(spec.name), SOURCETYPE, res.events, AUDIT_INDEX,
                                            account=spec.account)

            out += _lines(spec, at, emit)
    return out


def scheduler_line(at: float, search_name: str, result_count: int) -> RawEvent:
    stamp = time.strftime("%m-%d-%Y %H:%M:%S", time.gmtime(at)) + ".000 +0000"
    raw = (f'{stamp} INFO  SavedSplunker - savedsearch_id="nobody;TA-openai-audit;{search_name}", '
           f'search_type="scheduled", user="nobody", app="TA-openai-audit", savedsearch_name="{search_name}", '
           f'priority=default, status=success, digest_mode=1, scheduled_time={int(at)}, window_time=0, '
           f'dispatch_time={int(at)}, run_time=0.412, result_count={result_count}, alert_actions="notable", '
           f'sid="scheduler__nobody__search__RMD5_at_{int(at)}_1", suppressed=0, thread_id="AlertNotifierWorker-0"')
    return RawEvent(raw, at, "_internal", "scheduler", f"{LOG_DIR}/scheduler.log")


def notable_event(at: float, search_name: str, user: str) -> RawEvent:
    raw = (f'{int(at)}, search_name="{search_name}", orig_time="{int(at)}", user="{user}", '
           f'severity="high", security_domain="access"')
    return RawEvent(raw, at, "notable", "stash", "Threat - Correlation Search - Rule")


SPRAYING = "OpenAI Audit - Password Spraying - Rule"


def detection_events(now: int, with_es: bool) -> List[RawEvent]:
    """Records of fired detections: scheduler.log lines (always), plus notables when ES is present. With ES a
    notable-raising rule leaves both: its scheduler line (result_count = its results) and one notable per result;
    the password-spraying runs (one at 1 h ago with 2 results, one at 3 h ago with 1) are that case."""
    out = [scheduler_line(now - 3600 * h, "OpenAI Audit - Admin API Key Created - Rule", 1) for h in (2, 5, 9)]
    out.append(scheduler_line(now - 1800, "OpenAI Audit - Login Failure Burst - Rule", 0))
    out.append(scheduler_line(now - 7200, "OpenAI Audit - Collector Health - Alert", 3))
    if with_es:
        for hours, users in ((1, ("alice@example.com", "bob@example.com")), (3, ("alice@example.com",))):
            out.append(scheduler_line(now - 3600 * hours, SPRAYING, len(users)))
            out += [notable_event(now - 3600 * hours, SPRAYING, user) for user in users]
    return out


Records = Dict[str, List[Dict[str, Any]]]  # KV collection name -> its records
INVENTORY_KEY = "sk-admin-dashboard-demo"


def inventory_snapshot(inv: Inventory, at: int, previous: Records, account: str) -> Records:
    """The records the inventory input stores after one snapshot of ``inv`` at ``at``: every list collected from
    the simulator's list endpoints (loopback) by the input's ``collect`` and merged with ``previous`` by ``merge``."""
    with Simulator([], admin_key=INVENTORY_KEY, inventory=inv) as sim, ApiClient(sim.base_url, INVENTORY_KEY) as api:
        results = collect(api)
    out: Records = {}
    for name, res in results.items():
        if not res.complete:
            raise RuntimeError(f"inventory list {name} incomplete: {res.message}")
        coll = collection_name(name)
        records, _ = merge(name, res.objects, previous.get(coll, []), account, at, f"s{at}")
        out.setdefault(coll, []).extend(records)
    return out


def inventory_records(now: int, account: str = DEFAULT_INPUTS[0].account,
                      inv: Optional[Inventory] = None) -> Records:
    """The demo inventory (``inv``, default the cast, its keys last used relative to ``now``): its snapshot 3 days
    ago, then one 2 days ago after a cast user was removed (their later audit events are a removed actor acting)."""
    inv = Inventory.from_population(now=now) if inv is None else inv
    first = inventory_snapshot(inv, now - 3 * 86400, {}, account)
    inv.remove_user(removed_demo_user(inv)["id"])
    return inventory_snapshot(inv, now - 2 * 86400, first, account)


def removed_demo_user(inv: Inventory) -> Dict[str, Any]:
    return inv.users[5]


def lookup_files(records: Records, directory: Path, app_dir: Path) -> Dict[str, str]:
    """KV-store records as CSV files (columns: the lookup's ``fields_list`` in transforms.conf) for an engine's
    ``extra_lookups``; booleans as Splunk stores them (``true``/``false``), nulls empty."""
    transforms = read_conf(str(app_dir / "default" / "transforms.conf"))
    out = {}
    for coll, rows in records.items():
        path = directory / f"{coll}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=transforms[coll]["fields_list"].split(","), extrasaction="ignore")
            writer.writeheader()
            writer.writerows({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                              for k, v in r.items()} for r in rows)
        out[coll] = str(path)
    return out


def engine_events(engine: Any, raws: Iterable[RawEvent]) -> List[Any]:
    """``raws`` as events of a splsim ``Engine`` (``make_event`` with each one's time, index, sourcetype, source and
    host)."""
    return [engine.make_event(e.raw, sourcetype=e.sourcetype, source=e.source, index=e.index, host=e.host,
                              time=e.time) for e in raws]


def dataset(now: Optional[int] = None, with_es: bool = True) -> Dict[str, List[RawEvent]]:
    """Everything the two dashboards read, keyed by kind."""
    now = int(time.time()) if now is None else now
    audit = audit_events(audit_objects(now))
    return {"audit": audit, "logs": collector_logs(now, audit), "detections": detection_events(now, with_es)}
