"""Pieces shared by the collector benchmarks: the simulator in its own process and the bare httpx floor.

Kept free of third-party imports at module level: the instruction-count driver (instr_count.py) imports this
module before it chooses which httpx (the built add-on's lib/) to load.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-admin-bench-0123456789abcdef"
APP = Path(os.environ.get("TA_OPENAI_AUDIT_APP", str(ROOT / "output" / "TA-openai-audit")))
PAGE_LIMIT = 100


class SimProcess:
    """The simulator (tools/oai_sim) in its own process, so it shares neither our GIL nor our counters."""

    def __init__(self, n: int, start: int, end: int, cache: bool, tenant_n: int = 0, seed: int = 3,
                 prefetch: bool = False) -> None:
        cmd = [sys.executable, "-m", "oai_sim", "--port", "0", "--events", str(n), "--tenant-events",
               str(tenant_n), "--start", str(start), "--end", str(end), "--admin-key", KEY, "--seed", str(seed)]
        cmd += (["--cache-pages"] if cache else []) + (["--prefetch"] if prefetch else [])
        self.proc = subprocess.Popen(cmd, cwd=str(ROOT / "tools"),
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        assert self.base_url.startswith("http://127.0.0.1:"), self.base_url

    def stop(self) -> int:
        """Stop it; returns its peak RSS in KiB."""
        self.proc.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = 0
        self.proc.stdout.close()  # type: ignore[union-attr]
        return int(usage.ru_maxrss)

    def __enter__(self) -> "SimProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bare_loop(base_url: str, start: int, end: int, out: Any) -> int:
    """The floor: one httpx client, every page GET with after=last_id, json.loads of the body, json.dumps of
    each event written as a line. Returns the number of events."""
    import httpx  # imported by the caller first (whichever httpx it chose)

    from oai_audit.events import to_raw  # json.dumps exactly as the collector writes the event

    count, after = 0, None
    with httpx.Client(headers={"Authorization": "Bearer " + KEY}, timeout=30) as c:
        while True:
            params: List[Tuple[str, str]] = [("effective_at[gte]", str(start)), ("effective_at[lte]", str(end)),
                                             ("limit", str(PAGE_LIMIT))]
            if after:
                params.append(("after", after))
            body = c.get(base_url + "/organization/audit_logs", params=params).json()
            for obj in body["data"]:
                out.write(to_raw(obj) + "\n")
                count += 1
            if not body["has_more"]:
                return count
            after = body["last_id"]
