"""Shared helpers of the collector tests (imported as a top-level module by pytest)."""
from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import httpx

from oai_audit.checkpoint import MemoryStore, checkpoint_key
from oai_audit.client import AuditLogClient, Stats
from oai_audit.eventtypes import is_tenant_scoped
from oai_audit.poller import PollConfig, StreamResult, run, stream_specs
from oai_audit.retry import RetryPolicy

KEY = "sk-admin-collector-0123456789abcdef"
NOW = int(time.time())


class ListSink:
    """Records written events; optionally dies after ``die_after`` writes (a crash in mid-page)."""

    def __init__(self, die_after: Optional[int] = None) -> None:
        self.events: List[Any] = []
        self.times: List[int] = []  # the _time each event was written with
        self.flushes = 0
        self.die_after = die_after

    def write(self, obj: Any, time: Optional[int] = None) -> None:
        if self.die_after is not None and len(self.events) >= self.die_after:
            raise KeyboardInterrupt("simulated crash")
        self.events.append(dict(obj) if isinstance(obj, dict) else obj)
        self.times.append(obj["effective_at"] if time is None else time)

    def flush(self) -> None:
        self.flushes += 1

    @property
    def ids(self) -> List[str]:
        return [e["id"] for e in self.events]


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(base_url: str, *, key: str = KEY, timeout: float = 5.0, budget: float = 30.0,
                sleep: Optional[RecordingSleep] = None) -> AuditLogClient:
    return AuditLogClient(base_url, key, timeout=httpx.Timeout(timeout),
                          policy=RetryPolicy(base=0.01, max_delay=0.05, budget=budget),
                          sleep=sleep if sleep is not None else RecordingSleep(), stats=Stats(),
                          wall_clock=lambda: float(NOW))


def poll(base_url: str, store: MemoryStore, sink: ListSink, *, start: int, event_types: Iterable[str] = (),
         project_ids: Iterable[str] = (), tenant: bool = False, client: Optional[AuditLogClient] = None,
         later: float = 0.0, **cfg: Any) -> List[StreamResult]:
    """One run under an injected clock: ``NOW + later`` (the time the events were generated around, plus
    ``later`` seconds), so no assertion depends on how long the test took."""
    cl = client or make_client(base_url)
    try:
        specs = stream_specs(list(event_types), list(project_ids), tenant)
        return run(cl, specs, store, sink, PollConfig(start=start, **cfg), input_name="in1", account="acc",
                   now=lambda: NOW + later)
    finally:
        if client is None:
            cl.close()


def key(stream: str = "main") -> str:
    return checkpoint_key("in1", "acc", stream)


def non_tenant(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [e for e in events if not is_tenant_scoped(e["type"])]


def pages_for(counts: Iterable[int]) -> int:
    """Requests to page windows holding these event counts: max(1, ceil(n/100)) each."""
    return sum(max(1, math.ceil(n / 100)) for n in counts)


ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "package" / "bin" / "openai_audit_cli.py"


def run_cli(*args: str, key: str = KEY, env_key: bool = True, timeout: float = 120, script: Path = CLI,
            python_flags: Iterable[str] = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "OPENAI"))}
    if env_key:
        env["OPENAI_ADMIN_KEY"] = key
    return subprocess.run([sys.executable, *python_flags, str(script), *args], capture_output=True, text=True, env=env,
                          timeout=timeout)
