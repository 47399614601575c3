"""Serve a seeded dataset on loopback for the README demo:

    python -m oai_sim --port 8787 --events 2000 --seed 7 --days 7 --admin-key sk-admin-demo [--no-tenant]

``--start/--end`` (epoch seconds) replace ``--days``; with ``--tenant-events M`` the ``--events`` are all
non-tenant types and M tenant-scoped events are added (exact counts per stream, for benchmarks).

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
    ap.add_argument("--start", type=int, help="earliest effective_at (epoch seconds; default now - days)")
    ap.add_argument("--end", type=int, help="latest effective_at (epoch seconds; default now)")
    ap.add_argument("--tenant-events", type=int, help="--events become non-tenant only, plus this many tenant ones")
    ap.add_argument("--cache-pages", action="store_true", help="cache rendered pages (benchmarks; uses memory)")
    ap.add_argument("--prefetch", action="store_true",
                    help="render the next page of a cursor while the client reads this one (benchmarks)")
    args = ap.parse_args(argv)

    end = args.end if args.end is not None else int(time.time())
    start = args.start if args.start is not None else end - int(args.days * 86400)
    split = args.tenant_events is not None
    sim = Simulator(Dataset(args.events, args.seed, start, end, tenant=False if split else None),
                    admin_key=args.admin_key, port=args.port, tenant_enabled=not args.no_tenant,
                    cache_pages=args.cache_pages, prefetch=args.prefetch)
    if split and args.tenant_events:
        sim.add_events(Dataset(args.tenant_events, args.seed + 1, start, end, tenant=True))
    sim.start()
    print(sim.base_url, flush=True)
    print("serving %d events (%s .. %s), GET %s ; Ctrl-C to stop" % (len(sim.store), start, end, sim.url),
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
