"""Every detection's shipped search, run in the offline engine over its YAML fixtures (positive and negative)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Mapping

import pytest
from splsim import Engine

import render_detections
from det_support import APP_DIR, DEFAULT_NOW, as_list, build_events, lookup_overrides, parse_time, run_detection

DETECTIONS = render_detections.load_detections()
CASES = [(d, t) for d in DETECTIONS for t in d["tests"]]
FIRE_CASES = [(d, t) for d, t in CASES if t["expect"] == "fire"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(app_dir=APP_DIR)


def _matches(row: Mapping[str, Any], checks: Mapping[str, Any], contains: Mapping[str, Any],
             absent: Mapping[str, Any]) -> bool:
    for k, v in checks.items():
        if str(v) not in as_list(row.get(k)):
            return False
    for k, v in contains.items():
        if not any(str(v) in x for x in as_list(row.get(k))):
            return False
    for k, v in absent.items():
        if str(v) in as_list(row.get(k)):
            return False
    return True


@pytest.mark.parametrize("det,case", CASES, ids=[f"{d['name']}: {t['name']}" for d, t in CASES])
def test_fixture(det: Dict[str, Any], case: Dict[str, Any], engine: Engine, tmp_path: Path) -> None:
    now = parse_time(case.get("now", DEFAULT_NOW))
    eng = engine
    if case.get("lookups"):
        eng = Engine(app_dir=APP_DIR, extra_lookups=lookup_overrides(tmp_path, case["lookups"]))
    rows = run_detection(eng, det["name"], build_events(case["events"], now), now)
    if case["expect"] == "none":
        assert rows == [], f"expected no result, got {rows}"
        return
    assert rows, "expected the detection to fire"
    checks, contains, absent = case.get("checks", {}), case.get("contains", {}), case.get("absent", {})
    assert any(_matches(r, checks, contains, absent) for r in rows), f"no row matches {checks} {contains}: {rows}"
    for r in rows:  # throttle fields exist in each result (ES suppresses on them)
        missing = [f for f in det["throttling"]["fields"] if f not in r]
        assert not missing, f"throttle fields {missing} missing from {r}"
    if "distinct_throttle_keys" in case:  # results ES must not suppress as repeats of one another
        keys = {tuple(str(r[f]) for f in det["throttling"]["fields"]) for r in rows}
        assert len(keys) == len(rows) == case["distinct_throttle_keys"], rows


@pytest.mark.parametrize("det", DETECTIONS, ids=[d["name"] for d in DETECTIONS])
def test_fire_fixtures_produce_declared_fields(det: Dict[str, Any], engine: Engine, tmp_path: Path) -> None:
    """Over all 'fire' fixtures of a detection, every declared output field (risk objects, threat objects,
    throttle fields, $tokens$ of title/description) is produced by the search at least once."""
    produced: set = set()
    for case in det["tests"]:
        if case["expect"] != "fire":
            continue
        now = parse_time(case.get("now", DEFAULT_NOW))
        eng = engine
        if case.get("lookups"):
            eng = Engine(app_dir=APP_DIR, extra_lookups=lookup_overrides(tmp_path, case["lookups"]))
        for row in run_detection(eng, det["name"], build_events(case["events"], now), now):
            produced |= set(row)
    wanted = set(det["output_fields"])
    wanted |= {o["field"] for o in det["rba"]["risk_objects"] + det["rba"].get("threat_objects", [])}
    wanted |= set(det["throttling"]["fields"])
    for text in (det["notable"]["rule_title"], det["notable"]["rule_description"], det["rba"]["message"]):
        wanted |= set(re.findall(r"\$(\w+)\$", text))
    assert wanted <= produced, f"never produced: {sorted(wanted - produced)}"


@pytest.mark.parametrize("det,case", FIRE_CASES, ids=[f"{d['name']}: {t['name']}" for d, t in FIRE_CASES])
def test_fire_fixture_is_reported_by_one_run_only(det: Dict[str, Any], case: Dict[str, Any], engine: Engine,
                                                  tmp_path: Path) -> None:
    """The same events, seen by the scheduled runs an hour before and an hour after the fixture's run (each
    with its own dispatch window, as the hourly cron gives them), produce nothing (or, where the fixture says
    ``runs: {before: fire}``, only results about other events): a situation is reported by the run whose
    slice holds its end and by no other (README: each run reports only what ends in its own slice)."""
    now = parse_time(case.get("now", DEFAULT_NOW))
    eng = engine
    if case.get("lookups"):
        eng = Engine(app_dir=APP_DIR, extra_lookups=lookup_overrides(tmp_path, case["lookups"]))
    objs = build_events(case["events"], now)
    own = {r.get("event_id") for r in run_detection(eng, det["name"], objs, now)} - {None}
    for when, offset in (("before", -3600), ("after", 3600)):
        rows = run_detection(eng, det["name"], objs, now + offset)
        if case.get("runs", {}).get(when, "none") == "none":
            assert rows == [], f"the run {when} reported it too: {rows}"
        else:
            assert rows and "event_id" in det["output_fields"], "runs: fire needs event-level results"
            assert not own & {r.get("event_id") for r in rows}, f"the run {when} reported an event again"
