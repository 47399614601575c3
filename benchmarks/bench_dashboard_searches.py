"""Time every dashboard search (read from the shipped views) in the offline engine over demo data of a given size.

    PYTHONPATH=package/bin:tools .venv/py3.13/bin/python benchmarks/bench_dashboard_searches.py --events 5000

Prints one line per data source (rows returned, seconds) and the totals. Offline-engine numbers only: they say
how the searches scale in splsim, not how fast Splunk runs them.
"""
from __future__ import annotations

import argparse
import sys
import time

import dashboard_defs as dd
import dashboard_demo as demo
from splsim import Engine

NOW = 1_795_000_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=5000, help="generated audit events (plus fixed extras)")
    args = ap.parse_args()
    engine = Engine(app_dir=str(dd.ROOT / "package"))
    audit = demo.audit_events(demo.audit_objects(NOW, n=args.events))
    raws = audit + demo.collector_logs(NOW, audit) + demo.detection_events(NOW, with_es=True)
    events = [engine.make_event(e.raw, sourcetype=e.sourcetype, source=e.source, index=e.index, host=e.host,
                                time=e.time) for e in raws]
    print(f"{len(audit)} audit events, {len(raws) - len(audit)} log/scheduler/notable events")
    grand = 0.0
    for name in dd.DASHBOARDS:
        defn = dd.definition(name)
        tokens, (earliest, latest) = dd.default_tokens(defn), dd.time_range(defn)
        for ds_id, query in dd.queries(defn).items():
            t0 = time.perf_counter()
            rows = engine.search(dd.substitute(query, tokens), events, now=NOW, earliest=earliest, latest=latest)
            took = time.perf_counter() - t0
            grand += took
            print(f"{name:32s} {ds_id:24s} rows={len(rows):4d} {took:7.3f}s")
    print(f"total {grand:.2f}s (first searches include the engine's per-event field extraction)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
