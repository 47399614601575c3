"""Issue 15 §3: every detection still fires on exactly the same events, with the same severity, when no inventory
and no actor context exist (empty KV collections, the shipped example-only context CSV): the shipped searches are
run over every fixture both as shipped and with `openai_audit_actor_context` replaced by a no-op, and must give the
same rows apart from the (then empty) actor_* context fields. Also the offline engine's KV-store lookups."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from splsim import Engine
from splsim.errors import SplError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detections"))
import render_detections  # noqa: E402
from det_support import APP_DIR, DEFAULT_NOW, build_events, parse_time, run_detection  # noqa: E402

DETECTIONS = render_detections.load_detections()
CONTEXT_FIELDS = ("actor_org_role", "actor_scim_managed", "actor_inventory_status", "actor_removed_at",
                  "actor_last_seen", "actor_key_status", "actor_key_removed_at", "actor_team",
                  "actor_employment_status", "actor_manager", "actor_inactive", "actor_is_reader",
                  "actor_outside_platform_team")
USING = [d for d in DETECTIONS if "openai_audit_actor_context" in d["search"]]
CASES = [(d, t) for d in USING for t in d["tests"] if not t.get("lookups")]


def _strip(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in CONTEXT_FIELDS} for r in rows]


@pytest.fixture(scope="module")
def engines():
    shipped = Engine(app_dir=APP_DIR)
    without = Engine(app_dir=APP_DIR)
    without.confs["macros"]["openai_audit_actor_context"]["definition"] = "eval actor_inactive=0"
    return shipped, without


def test_the_context_macro_is_used_by_the_issue_15_detections():
    assert {d["name"] for d in USING} >= {"Action by Actor No Longer in Organization", "Owner Service Account Created",
                                          "User Granted Owner Role"}
    assert len(CASES) >= 8


@pytest.mark.parametrize("det,case", CASES, ids=[f"{d['name']}: {t['name']}" for d, t in CASES])
def test_same_results_as_without_the_context_macro(det, case, engines):
    shipped, without = engines
    now = parse_time(case.get("now", DEFAULT_NOW))
    objs = build_events(case["events"], now)
    got = run_detection(shipped, det["name"], objs, now)
    assert _strip(got) == _strip(run_detection(without, det["name"], objs, now))
    assert all(not r.get(f) for r in got for f in CONTEXT_FIELDS if f not in ("actor_inactive", "actor_is_reader",
                                                                             "actor_outside_platform_team"))


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
