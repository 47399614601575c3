"""Benchmark: run every shipped detection in the offline engine (tools/splsim) over N generated events
spread over 30 days, and print rows returned and seconds per detection. Not a test: it only prints numbers.

    .venv/py3.13/bin/python benchmarks/bench_detections.py [N]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "package" / "bin"), str(ROOT / "tools")]

from oai_audit.events import to_raw  # noqa: E402
from oai_sim.generator import generate  # noqa: E402
from splsim import Engine  # noqa: E402

import render_detections as rd  # noqa: E402


def main(n: int) -> None:
    eng = Engine(app_dir=str(ROOT / "package"))
    now = 1795446120.0  # 2026-11-23T15:02:00Z
    t0 = time.perf_counter()
    events = [eng.make_event(to_raw(o)) for o in generate(n, 42, int(now - 30 * 86400), int(now - 300))]
    print(f"{n} events generated and indexed in {time.perf_counter() - t0:.2f} s")
    total = 0.0
    for d in rd.load_detections():
        st = eng.savedsearches[rd.stanza_name(d["name"])]
        t = time.perf_counter()
        rows = eng.search(st["search"], events, now=now, earliest=st["dispatch.earliest_time"],
                          latest=st["dispatch.latest_time"])
        dt = time.perf_counter() - t
        total += dt
        print(f"{d['name']:48s} rows={len(rows):4d} {dt:7.3f} s")
    print(f"all {len(rd.load_detections())} detections: {total:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
