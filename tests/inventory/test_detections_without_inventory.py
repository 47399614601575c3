"""Issue 15 §3: "Every detection still works, unchanged in what it fires on, when no inventory or context exists."
Every fixture of EVERY detection runs with the shipped searches (empty KV collections, the shipped example-only
context CSV) and again with the three actor-context macros replaced by no-ops (`openai_audit_actor_context`,
`openai_audit_actor_fields`, `openai_audit_elevate_inactive_actor`); both must give the same rows, and the shipped
rows carry no actor context field. Fixtures that bring inventory or context rows of their own are left out here
(they are the detections' own tests); their other lookups (tickets, admins, ...) are given to both engines.
Also the offline engine's KV-store lookups."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from splsim import Engine
from splsim.errors import SplError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detections"))
import render_detections  # noqa: E402
from det_support import (APP_DIR, CONTEXT_LOOKUPS, DEFAULT_NOW, build_events, lookup_overrides,  # noqa: E402
                         parse_time, run_detection)

DETECTIONS = render_detections.load_detections()
CONTEXT_FIELDS = ("actor_org_role", "actor_scim_managed", "actor_inventory_status", "actor_removed_at",
                  "actor_last_seen", "actor_key_status", "actor_key_removed_at", "actor_team",
                  "actor_employment_status", "actor_manager")
NO_OPS = {"openai_audit_actor_context": "search *", "openai_audit_actor_fields": "search *",
          "openai_audit_elevate_inactive_actor": "search *"}
CASES = [(d, t) for d in DETECTIONS for t in d["tests"] if not set(t.get("lookups") or {}) & set(CONTEXT_LOOKUPS)]


def _strip(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in CONTEXT_FIELDS} for r in rows]


def _engines(lookups: Dict[str, str]):
    shipped = Engine(app_dir=APP_DIR, extra_lookups=lookups)
    without = Engine(app_dir=APP_DIR, extra_lookups=lookups)
    for name, definition in NO_OPS.items():
        without.confs["macros"][name]["definition"] = definition
    return shipped, without


@pytest.fixture(scope="module")
def engines():
    return _engines({})


def test_every_detection_and_almost_every_fixture_is_covered():
    assert {d["name"] for d, _ in CASES} == {d["name"] for d in DETECTIONS}
    assert sum(1 for _, t in CASES if t["expect"] == "fire") >= 2 * len(DETECTIONS)
    uses = [d for d in DETECTIONS if any(m in d["search"] for m in NO_OPS)]
    assert len(uses) == len(DETECTIONS) - sum(1 for d in DETECTIONS if d.get("no_actor"))


@pytest.mark.parametrize("det,case", CASES, ids=[f"{d['name']}: {t['name']}" for d, t in CASES])
def test_same_results_as_without_the_context_macros(det, case, engines, tmp_path):
    shipped, without = _engines(lookup_overrides(tmp_path, case["lookups"])) if case.get("lookups") else engines
    now = parse_time(case.get("now", DEFAULT_NOW))
    objs = build_events(case["events"], now)
    got = run_detection(shipped, det["name"], objs, now)
    assert bool(got) == (case["expect"] == "fire")
    assert _strip(got) == run_detection(without, det["name"], objs, now)
    assert not [f for r in got for f in CONTEXT_FIELDS if f in r]


def test_kvstore_lookups_are_empty_without_records_and_read_given_records(tmp_path):
    eng = Engine(app_dir=APP_DIR)
    table = eng.lookup_table("openai_audit_inventory_users")
    assert table.rows == [] and "role" in table.columns and "status" in table.columns
    rec = tmp_path / "users.csv"
    rec.write_text("id,role,status\nuser-x,reader,present\n")
    eng2 = Engine(app_dir=APP_DIR, extra_lookups={"openai_audit_inventory_users": str(rec)})
    rows = eng2.search('| makeresults | eval uid="user-x" | lookup openai_audit_inventory_users id AS uid '
                       'OUTPUT role', [], now=0)
    assert rows[0]["role"] == "reader"
    with pytest.raises(SplError):
        eng.lookup_table("no_such_lookup")
