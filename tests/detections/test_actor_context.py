"""Issue 15 §3: "show the actor's org role, team and SCIM-managed flag in every finding's fields (when known)" and
"elevate the admin-change detections when the actor's employment status is not active".

Every fire fixture of every detection runs with an inventory user record (role, SCIM flag) for each person acting
in it and a context row (team, employment status) for each actor, as the openai_inventory input and the customer's
openai_audit_actor_context CSV give them (det_support.with_actor_context):
- a detection with an actor (all but those that declare ``no_actor``) shows actor_org_role, actor_scim_managed,
  actor_team and actor_employment_status in its results, whatever its aggregation (they are the fields ES puts
  in the finding);
- an *active* actor changes nothing else: same results as without any context;
- a *terminated* actor raises the severity of every admin-change detection (the three change stories) by one
  level (critical stays critical) and leaves every other detection's severity alone; a blank status counts as
  unknown and changes nothing.
The renderer runs the actor lookups once per search: a detection ends with openai_audit_actor_fields, or calls
openai_audit_actor_context (which runs it) earlier and keeps the fields to the end; it refuses neither, both, and
a command after the context macro that could drop a field (README, Actor context in findings).
Severity levels and their order: ES's notable severities (../shared/reference/es-cim-appinspect.md §1a)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import pytest
from splsim import Engine

import render_detections as rd
from det_support import (ACTOR_FIELDS, APP_DIR, CONTEXT_LOOKUPS, DEFAULT_NOW, build_events, elevated,
                         fixture_actors, lookup_overrides, parse_time, run_detection, with_actor_context)

DETECTIONS = rd.load_detections()
WITH_ACTOR = [d for d in DETECTIONS if not d.get("no_actor")]
FIRE = [(d, t) for d in DETECTIONS for t in d["tests"] if t["expect"] == "fire"]
PLAIN_FIRE = [(d, t) for d, t in FIRE if not set(t.get("lookups") or {}) & set(CONTEXT_LOOKUPS)]


def _run(det: Mapping[str, Any], case: Mapping[str, Any], tmp_path: Path,
         lookups: Mapping[str, Any]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    now = parse_time(case.get("now", DEFAULT_NOW))
    objs = build_events(case["events"], now)
    tmp_path.mkdir(parents=True, exist_ok=True)
    eng = Engine(app_dir=APP_DIR, extra_lookups=lookup_overrides(tmp_path, lookups)) if lookups else Engine(
        app_dir=APP_DIR)
    return run_detection(eng, det["name"], objs, now), objs


def _context_run(det, case, tmp_path, status: str):
    now = parse_time(case.get("now", DEFAULT_NOW))
    objs = build_events(case["events"], now)
    return _run(det, case, tmp_path, with_actor_context(case.get("lookups") or {}, objs, status))


def test_only_password_spraying_declares_no_actor():
    assert [d["name"] for d in DETECTIONS if d.get("no_actor")] == ["Password Spraying From One IP"]
    assert len([d for d in DETECTIONS if rd.is_admin_change(d)]) == 21


@pytest.mark.parametrize("det", WITH_ACTOR, ids=[d["name"] for d in WITH_ACTOR])
def test_findings_show_the_actors_role_team_scim_flag_and_status(det, tmp_path):
    shown = []
    for n, case in enumerate(t for t in det["tests"] if t["expect"] == "fire"):
        rows, objs = _context_run(det, case, tmp_path / str(n), "active")
        assert rows, case["name"]
        actors = fixture_actors(objs)
        own = case.get("lookups") or {}  # the fixture's own (possibly partial) rows: not ours to judge here
        own_ids = {str(u.get("id")) for u in own.get("openai_audit_inventory_users", [])}
        own_actors = {str(c.get("actor")).lower() for c in own.get("openai_audit_actor_context.csv", [])}
        for r in rows:
            user = r.get("user")
            if user not in actors:
                continue
            person = "id" in actors[user] and actors[user]["id"] not in own_ids
            wanted = (ACTOR_FIELDS[:2] if person else ()) + (() if user.lower() in own_actors else ACTOR_FIELDS[2:])
            missing = [f for f in wanted if not r.get(f)]
            assert not missing, f"{case['name']}: {missing} missing from {r}"
            shown.append(person)
    assert any(shown), "no result of a person with every actor field"


@pytest.mark.parametrize("det,case", PLAIN_FIRE, ids=[f"{d['name']}: {t['name']}" for d, t in PLAIN_FIRE])
def test_an_active_or_unknown_actor_changes_nothing_but_a_terminated_one_elevates_admin_changes(det, case, tmp_path):
    base, _ = _run(det, case, tmp_path, case.get("lookups") or {})
    assert base

    def strip(rows):
        return [{k: v for k, v in r.items() if k not in ACTOR_FIELDS + ("actor_manager",)} for r in rows]

    for status in ("active", ""):
        rows, _ = _context_run(det, case, tmp_path / (status or "blank"), status)
        assert strip(rows) == base, status
    rows, objs = _context_run(det, case, tmp_path / "terminated", "terminated")
    assert len(rows) == len(base)
    actors = fixture_actors(objs)
    for old, new in zip(base, rows):
        if "severity" not in old:
            assert not rd.is_admin_change(det) or det.get("no_actor"), "an admin change without a severity"
            continue
        want = elevated(old["severity"]) if rd.is_admin_change(det) and old.get("user") in actors else \
            old["severity"]
        assert new["severity"] == want, (old, new)
        assert strip([new]) == [dict(old, severity=want)]


MACROS = {m["name"]: m["definition"] for m in rd.load_yaml("macros.yml") if not m.get("args")}
CONTEXT_USER = next(d for d in DETECTIONS if "`openai_audit_actor_context`" in d["search"] and not rd.is_admin_change(d))
FIELDS_USER = next(d for d in DETECTIONS if d["search"].count("`openai_audit_actor_fields`") == 1)


def _renders(det: Mapping[str, Any], search: str) -> None:
    rd.validate_actor_fields(dict(det, search=search), MACROS)


def test_the_actor_fields_are_the_closing_macros_lookup_outputs():
    """What the renderer requires a detection to keep is read from the macro's definition, not a copy of it."""
    assert rd.actor_fields(MACROS) == list(ACTOR_FIELDS) + ["actor_manager"]
    assert rd.actor_field_providers(MACROS) == ["openai_audit_actor_fields", "openai_audit_actor_context"]


def test_renderer_accepts_the_context_macro_in_place_of_the_closing_one():
    """openai_audit_actor_context runs openai_audit_actor_fields (one definition of the lookups): a detection that
    needs the context mid-search keeps its fields to the end instead of running the lookups a second time."""
    search = rd.one_line(CONTEXT_USER["search"])
    assert "`openai_audit_actor_fields`" not in search
    _renders(CONTEXT_USER, search)
    _renders(FIELDS_USER, rd.one_line(FIELDS_USER["search"]))


def test_renderer_refuses_a_detection_with_neither_actor_macro():
    for det, macro in ((FIELDS_USER, "openai_audit_actor_fields"), (CONTEXT_USER, "openai_audit_actor_context")):
        search = rd.one_line(det["search"]).replace(f"| `{macro}` ", "")
        assert search != rd.one_line(det["search"])
        with pytest.raises(rd.DetectionError, match="exactly once"):
            _renders(det, search)


def test_renderer_refuses_the_actor_lookups_twice_or_a_context_whose_fields_are_dropped():
    search = rd.one_line(CONTEXT_USER["search"])
    filter_call = f"| `{rd.filter_macro_name(CONTEXT_USER['name'])}`"
    with pytest.raises(rd.DetectionError, match="exactly once"):  # the former duplicate closing call
        _renders(CONTEXT_USER, search.replace(filter_call, "| `openai_audit_actor_fields` " + filter_call))
    with pytest.raises(rd.DetectionError, match="must keep"):  # a table without one of the fields
        _renders(CONTEXT_USER, search.replace(" actor_team ", " "))
    with pytest.raises(rd.DetectionError, match="must keep"):  # a command that does not pass fields on
        _renders(CONTEXT_USER, search.replace(filter_call, "| stats count by user " + filter_call))
    _renders(CONTEXT_USER, search.replace(filter_call, '| eval note="a | b" | where user!="x" ' + filter_call))


def test_renderer_refuses_the_actor_lookups_in_a_detection_without_an_actor():
    det = next(d for d in DETECTIONS if d.get("no_actor"))
    search = rd.one_line(det["search"])
    _renders(det, search)
    filter_call = f"| `{rd.filter_macro_name(det['name'])}`"
    with pytest.raises(rd.DetectionError, match="never"):
        _renders(det, search.replace(filter_call, "| `openai_audit_actor_fields` " + filter_call))
