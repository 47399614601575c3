"""Serve a seeded dataset on loopback for the README demo:

    python -m oai_sim --port 8787 --events 2000 --seed 7 --days 7 --admin-key sk-admin-demo [--no-tenant]

Prints the base URL, serves until SIGINT/SIGTERM.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from typing import List, Optional

from .generator import Dataset
from .server import Simulator


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m oai_sim", description="Local OpenAI Audit Log API simulator")
    ap.add_argument("--port", type=int, default=8787, help="TCP port on 127.0.0.1 (0 = any free port)")
    ap.add_argument("--events", type=int, default=2000, help="number of seeded events")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--days", type=float, default=7.0, help="events spread over the last N days")
    ap.add_argument("--admin-key", default="sk-admin-demo", help="the bearer key the simulator accepts")
    ap.add_argument("--no-tenant", action="store_true", help="org not tenant-enabled (tenant_only=true -> 400)")
    args = ap.parse_args(argv)

    end = int(time.time())
    start = end - int(args.days * 86400)
    sim = Simulator(Dataset(args.events, args.seed, start, end), admin_key=args.admin_key, port=args.port,
                    tenant_enabled=not args.no_tenant)
    sim.start()
    print(sim.base_url, flush=True)
    print("serving %d events (%s .. %s), GET %s ; Ctrl-C to stop" % (args.events, start, end, sim.url),
          file=sys.stderr, flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
