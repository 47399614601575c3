"""Smoke test of the instruction-count benchmark (benchmarks/instr_count.py) on a tiny size.

Not a performance test: it asserts no instruction budget. It checks that the harness measures what it says
(issue 16): the collector really runs under callgrind with counting switched on only around the collection
call, collects every event from the simulator process, starts with the dedup map full, and that the
per-event / fixed split is a correct least-squares fit.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import instr_count  # noqa: E402
from bench_support import APP, SimProcess  # noqa: E402

pytestmark = [pytest.mark.build, pytest.mark.slow]


def test_fit_recovers_per_event_and_fixed_cost_of_a_line() -> None:
    points = [(n, 250_000 * n + 370_000_000) for n in (100, 1000, 4000)]
    per_event, fixed = instr_count.fit(points)
    assert per_event == pytest.approx(250_000)
    assert fixed == pytest.approx(370_000_000)


def test_fit_refuses_a_single_run_size() -> None:
    with pytest.raises(ValueError):
        instr_count.fit([(1000, 5), (1000, 7)])


def test_seeded_dedup_map_lies_inside_the_overlap() -> None:
    seen = instr_count.seeded_seen(816, wall=1_700_000_000)
    assert len(seen) == 816
    assert all(1_700_000_000 - 600 <= t < 1_700_000_000 for t in seen.values())  # re-read boundary: 600 s
    assert all(k.startswith("audit_log-") and len(k) == len("audit_log-") + 20 for k in seen)


def test_counted_collection_call_collects_everything_and_grows_with_the_run(tmp_path: Path) -> None:
    if not (APP / "bin" / "openai_audit_helper.py").is_file():
        pytest.fail(f"built add-on missing at {APP}: run ./build.sh first (scripts/test.sh does)")
    h = instr_count.Harness(str(tmp_path), app=APP, seen=816)  # fails loudly without valgrind / cc
    wall = int(time.time())
    start, end = wall - instr_count.SPAN, wall - 60
    runs = {}
    for n in (30, 230):
        with SimProcess(n, start, end, cache=False) as sim:
            runs[n] = h.run("collector", sim.base_url, start, end, n)  # raises unless all n events came
            if n == 30:
                floor = h.run("floor", sim.base_url, start, end, n)
    small, big = runs[30], runs[230]
    assert small.result["on_valgrind"] is True and floor.result["on_valgrind"] is True
    assert small.result["errors"] == [] and small.result["pages"] == 1 and big.result["pages"] == 3
    assert small.result["seen_after"] >= 816  # the map stayed full through the run
    # the count follows the call: two more pages cost more instructions
    assert 0 < small.instructions < big.instructions
    assert floor.instructions > 0
    per_event, fixed = instr_count.fit([(r.n, r.instructions) for r in (small, big)])
    assert per_event > 0 and fixed > 0
    assert os.path.isfile(h.toggle)
