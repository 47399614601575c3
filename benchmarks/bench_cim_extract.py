"""Benchmark: search-time CIM extraction of openai:audit events in the offline engine (tools/splsim).

Runs the add-on's own props/transforms/eventtypes/tags over N generated events (every type, all actor kinds) and
prints events per second for (1) the full search-time pipeline per event and (2) a data-model style search
(`tag=change tag=account action=created | stats count by user`).
Usage: python benchmarks/bench_cim_extract.py [N]   (run from the repository root)
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "package" / "bin"), str(ROOT / "tools")]

from oai_audit.events import to_raw  # noqa: E402
from oai_sim.generator import EVENT_TYPES, make_event  # noqa: E402
from splsim import Engine  # noqa: E402


def main(n: int) -> None:
    rng = random.Random(1)
    objs = [make_event(EVENT_TYPES[i % len(EVENT_TYPES)], rng, 1767225600 + i) for i in range(n)]
    engine = Engine(app_dir=str(ROOT / "package"))
    events = [engine.make_event(to_raw(o)) for o in objs]
    t0 = time.perf_counter()
    for ev in events:
        engine.extract(ev)
    t1 = time.perf_counter()
    fresh = Engine(app_dir=str(ROOT / "package"))
    events2 = [fresh.make_event(to_raw(o)) for o in objs]
    t2 = time.perf_counter()
    rows = fresh.search('sourcetype="openai:audit" tag=change tag=account action=created | stats count by user', events2)
    t3 = time.perf_counter()
    print("events: %d" % n)
    print("extract (full search-time pipeline): %.0f events/s (%.3f s)" % (n / (t1 - t0), t1 - t0))
    print("search tag=change tag=account action=created | stats: %.0f events/s (%.3f s, %d result rows)"
          % (n / (t3 - t2), t3 - t2, len(rows)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
