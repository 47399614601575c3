"""Time every dashboard search (read from the shipped views) in the offline engine over demo data of a given size.

    .venv/py3.13/bin/python benchmarks/bench_dashboard_searches.py [--events 5000] [--users 5000] [--projects 200] \
        [--keys 2000]

The data: ``--events`` generated audit events (plus the demo's fixed extras) with the collector log lines,
scheduler records and notables of ``tools/dashboard_demo``, and the inventory KV collections filled as the
``openai_inventory`` input fills them: two snapshots (``dashboard_demo.inventory_records``: collect + merge from
the simulator on loopback, one cast user removed in between) of the simulator's cast grown to ``--users`` users,
``--projects`` projects and ``--keys`` project keys, written as the lookups' CSV files.

Prints the data sizes, then one line per data source (rows returned, seconds) and the totals; exits 1 if a
search returned no rows (its time would say nothing). Offline-engine numbers only: they say how the searches scale
in splsim, not how fast Splunk runs them.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "package" / "bin"), str(ROOT / "tools")]

import dashboard_defs as dd  # noqa: E402
import dashboard_demo as demo  # noqa: E402
from oai_sim.inventory import Inventory  # noqa: E402
from splsim import Engine  # noqa: E402

NOW = 1_795_000_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=5000, help="generated audit events (plus fixed extras)")
    ap.add_argument("--users", type=int, default=5000, help="organization users in the inventory (cast: 16)")
    ap.add_argument("--projects", type=int, default=200, help="projects in the inventory (cast: 8)")
    ap.add_argument("--keys", type=int, default=2000, help="project API keys in the inventory (cast: 12)")
    args = ap.parse_args()
    app_dir = dd.ROOT / "package"
    t0 = time.perf_counter()
    inv = Inventory.from_population(users=args.users, projects=args.projects, keys=args.keys, now=NOW)
    records = demo.inventory_records(NOW, inv=inv)
    with tempfile.TemporaryDirectory() as kv:
        engine = Engine(app_dir=str(app_dir), extra_lookups=demo.lookup_files(records, Path(kv), app_dir))
        print(f"inventory: 2 snapshots in {time.perf_counter() - t0:.1f}s; KV records: "
              + ", ".join(f"{coll} {len(rows)}" for coll, rows in sorted(records.items())))
        audit = demo.audit_events(demo.audit_objects(NOW, n=args.events))
        raws = audit + demo.collector_logs(NOW, audit) + demo.detection_events(NOW, with_es=True)
        events = demo.engine_events(engine, raws)
        print(f"{len(audit)} audit events, {len(raws) - len(audit)} log/scheduler/notable events")
        grand, count, empty = 0.0, 0, []
        for name in dd.DASHBOARDS:
            defn = dd.definition(name)
            for ds_id in dd.queries(defn):
                spl, earliest, latest = dd.data_source_search(defn, ds_id)
                t0 = time.perf_counter()
                rows = engine.search(spl, events, now=NOW, earliest=earliest, latest=latest)
                took = time.perf_counter() - t0
                grand, count = grand + took, count + 1
                if not rows:
                    empty.append(f"{name}/{ds_id}")
                print(f"{name:32s} {ds_id:26s} rows={len(rows):5d} {took:7.3f}s")
    print(f"total {grand:.2f}s for {count} searches (first searches include the engine's per-event field extraction)")
    if empty:
        print("no rows (timing meaningless): " + ", ".join(empty))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
