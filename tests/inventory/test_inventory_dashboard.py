"""Issue 15 §4: every panel search of the inventory dashboard (read from the shipped XML, default tokens and time
range) runs in the offline engine over KV records made from a real snapshot of the simulator's inventory (the
input's own collect + merge, through tools/dashboard_demo.inventory_snapshot) and returns what that inventory
implies."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
from splsim import Engine

import dashboard_defs as dd
import dashboard_demo as demo
from oai_audit.events import to_raw
from oai_sim.inventory import Inventory

VIEW = "openai_audit_inventory"
NOW = 1_795_000_000
DAY = 86400


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    inv = Inventory.from_population(users=40, projects=9, keys=30, now=NOW)
    keys = [k for ks in inv.project_keys.values() for k in ks]
    first = demo.inventory_snapshot(inv, NOW - 3 * DAY, {}, "acc")
    gone = inv.users[6]
    inv.remove_user(gone["id"])
    second = demo.inventory_snapshot(inv, NOW - 2 * DAY, first, "acc")
    app_dir = dd.ROOT / "package"
    lookups = demo.lookup_files(second, tmp_path_factory.mktemp("kv"), app_dir)
    return inv, gone, Engine(app_dir=str(app_dir), extra_lookups=lookups), keys


def _audit(engine: Engine, gone: Dict[str, Any], minutes_ago: int) -> list:
    at = NOW - 60 * minutes_ago
    obj = {"id": f"audit_log-dash{minutes_ago}", "type": "project.updated", "effective_at": at,
           "actor": {"type": "session", "session": {"user": {"id": gone["id"], "email": gone["email"]},
                                                     "ip_address": "198.51.100.7"}},
           "project.updated": {"id": "proj_x", "changes_requested": {"title": "x"}}}
    return [engine.make_event(to_raw(obj))]


def run(engine: Engine, ds_id: str, events: list = ()) -> List[Dict[str, Any]]:
    spl, earliest, latest = dd.data_source_search(dd.definition(VIEW), ds_id)
    return engine.search(spl, list(events), now=NOW, earliest=earliest, latest=latest)


def test_view_is_dashboard_studio_and_every_panel_has_a_search():
    assert dd.load_view(VIEW).get("version") == "2" and "tabs" in dd.definition(VIEW)["layout"]
    defn = dd.definition(VIEW)
    titles = " | ".join(p.title.lower() for p in dd.panels(defn))
    for want in ("members and roles", "owners", "service accounts with the owner role", "not used for 90 days",
                 "removed actors seen acting"):
        assert want in titles
    used = {ds for v in list(defn["visualizations"].values()) + list(defn["inputs"].values())
            for ds in v.get("dataSources", {}).values()}
    assert used == set(defn["dataSources"])


def test_members_roles_and_owners(setup):
    inv, gone, engine, _ = setup
    members = run(engine, "ds_members")
    assert sorted(r["email"] for r in members) == sorted(u["email"] for u in inv.users)
    assert gone["email"] not in {r["email"] for r in members}  # removed: not a member any more
    roles = {r["role"]: sum(float(v) for k, v in r.items() if k != "role") for r in run(engine, "ds_roles")}
    assert roles == {role: float(sum(u["role"] == role for u in inv.users)) for role in ("owner", "reader")}
    assert sorted(r["email"] for r in run(engine, "ds_owners")) == sorted(
        u["email"] for u in inv.users if u["role"] == "owner")
    assert run(engine, "ds_account_list") == [{"account": "acc"}]


def test_owner_service_accounts(setup):
    inv, _, engine, _ = setup
    want = sorted(s["id"] for sas in inv.service_accounts.values() for s in sas if s["role"] == "owner")
    assert want and sorted(r["id"] for r in run(engine, "ds_owner_service_accounts")) == want


def test_keys_idle_for_90_days_or_never_used(setup):
    inv, _, engine, keys = setup
    active = {p["id"] for p in inv.projects if p["status"] == "active"}
    listed = [k for pid, ks in inv.project_keys.items() if pid in active for k in ks] + inv.admin_keys
    want = sorted(k["id"] for k in listed if k["last_used_at"] is None or NOW - k["last_used_at"] >= 90 * DAY)
    rows = run(engine, "ds_stale_keys")
    assert sorted(r["id"] for r in rows) == want
    # the simulator's keys (invented, seeded) were used days, weeks and months ago, or never: each side of 90 days
    ages = [None if k["last_used_at"] is None else (NOW - k["last_used_at"]) / DAY for k in keys]
    assert None in ages and any(a is not None and a < 30 for a in ages) and any(a is not None and 30 <= a < 90
                                                                                for a in ages)
    assert any(a is not None and a >= 90 for a in ages) and 0 < len(want) < len(listed)
    assert {r["last_used"] for r in rows if r["id"] in {k["id"] for k in listed if k["last_used_at"] is None}} == {
        "never"}


def test_removed_actors_seen_acting_after_their_removal_only(setup):
    inv, gone, engine, _ = setup
    after = _audit(engine, gone, 60)  # 1 hour ago: after the snapshot of 2 days ago that missed them
    before = _audit(engine, gone, 60 * 24 * 2 + 60)  # before that snapshot
    rows = run(engine, "ds_removed_acting", after + before)
    assert [(r["removed_actor"], r["removed_kind"], r["actions"]) for r in rows] == [(gone["email"], "user", "1")]
    assert run(engine, "ds_removed_acting", before) == []
