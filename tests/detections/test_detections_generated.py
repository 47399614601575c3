"""Every shipped detection over a month of realistic generated events (all types, every actor shape incl.
null actors): runs without error, keeps its throttle fields, and fires on the events planted into it."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from oai_sim.generator import generate, one_of_each
from splsim import Engine

import render_detections as rd
from det_support import APP_DIR, DEFAULT_NOW, build_events, lookup_overrides, parse_time, run_detection

DETECTIONS = rd.load_detections()


@pytest.fixture(scope="module")
def background() -> List[Dict[str, Any]]:
    now = parse_time(DEFAULT_NOW)
    return generate(600, 11, int(now - 30 * 86400), int(now - 300))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(app_dir=APP_DIR)


@pytest.mark.parametrize("det", DETECTIONS, ids=[d["name"] for d in DETECTIONS])
def test_fires_on_planted_events_amid_background(det: Dict[str, Any], background: List[Dict[str, Any]],
                                                 engine: Engine, tmp_path: Path) -> None:
    case = next(t for t in det["tests"] if t["expect"] == "fire" and not t.get("now"))
    if case.get("lookups"):
        engine = Engine(app_dir=APP_DIR, extra_lookups=lookup_overrides(tmp_path, case["lookups"]))
    now = parse_time(DEFAULT_NOW)
    planted = build_events(case["events"], now)
    rows = run_detection(engine, det["name"], background + planted, now)
    for r in rows:
        assert all(f in r for f in det["throttling"]["fields"]), r
    planted_ids = {o["id"] for o in planted}
    if "event_id" in det["output_fields"]:
        assert planted_ids & {r.get("event_id") for r in rows}, "planted event not reported"
    else:
        assert rows, "planted aggregate not reported"


@pytest.mark.parametrize("det", DETECTIONS, ids=[d["name"] for d in DETECTIONS])
def test_sparse_events_keep_throttle_fields(det: Dict[str, Any], engine: Engine) -> None:
    """Events as sparse as the spec allows (actor null or absent, payload empty or absent, no project) for
    all 145 types: no error, and every result still carries its throttle fields."""
    now = parse_time(DEFAULT_NOW)
    objs: List[Dict[str, Any]] = []
    for n, o in enumerate(one_of_each(5, int(now - 1200))):
        t = o["type"]
        objs.append({"id": f"audit_log-sparse-a{n}", "type": t, "effective_at": o["effective_at"], "actor": None,
                     t: {}})
        objs.append({"id": f"audit_log-sparse-b{n}", "type": t, "effective_at": o["effective_at"]})
        objs.append(dict(o, id=f"audit_log-sparse-c{n}", **{t: {}}))
    rows = run_detection(engine, det["name"], objs, now)
    for r in rows:
        assert all(f in r for f in det["throttling"]["fields"]), r
