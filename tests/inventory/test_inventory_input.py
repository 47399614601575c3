"""The real openai_inventory modular input process (built app, XML on stdin) against the simulator's inventory lists
and the fake splunkd's KV store: one snapshot per run (events + KV records), removed objects kept with their
last_seen, a failed list keeps its previous snapshot while the others are replaced, a key without one endpoint's
scope gets one message naming it. Issue 15 §1; the simulator's data is its own invention (tools/oai_sim)."""
from __future__ import annotations

import pytest

from fake_splunkd import FakeSplunkd
from oai_sim import faults as F
from oai_sim import inventory_api as IA
from oai_sim.inventory import Inventory
from oai_sim.server import ALL_SCOPES, Simulator

from inventory_support import KEY, InventoryRunner
from modinput_support import require_build

pytestmark = pytest.mark.build


def _env(tmp_path, inventory=None, scopes=ALL_SCOPES):
    require_build()
    sim = Simulator([], admin_key=KEY, scopes=scopes, inventory=inventory or Inventory.from_population(
        users=230, projects=10, keys=60))
    fake = FakeSplunkd()
    sim.start()
    fake.start()
    fake.set_account("acc", encrypted={"api_key": KEY}, base_url=sim.base_url)
    fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
    fake.set_conf("ta_openai_audit_settings", "logging", {"loglevel": "INFO"})
    return sim, fake, InventoryRunner(fake, tmp_path)


@pytest.fixture
def env(tmp_path):
    sim, fake, runner = _env(tmp_path)
    try:
        yield sim, fake, runner
    finally:
        sim.stop()
        fake.stop()


def _present(records):
    return {r["id"] for r in records.values() if r["status"] == "present"}


def test_one_snapshot_writes_an_event_per_object_and_fills_every_collection(env):
    sim, fake, runner = env
    inv = sim.inventory
    proc = runner.run()
    assert proc.returncode == 0, proc.stderr
    events = runner.events(proc)
    sizes = inv.sizes
    active = sum(1 for p in inv.projects if p["status"] == "active")
    archived_keys = sum(len(inv.project_keys[p["id"]]) for p in inv.projects if p["status"] == "archived")
    expected = dict(sizes, project_api_keys=sizes["project_api_keys"] - archived_keys)
    by_kind = {}
    for ev in events:
        by_kind[ev["object_kind"]] = by_kind.get(ev["object_kind"], 0) + 1
    assert by_kind == {"user": expected["users"], "project": expected["projects"],
                       "project_user": expected["project_users"], "service_account": expected["service_accounts"],
                       "project_api_key": expected["project_api_keys"], "admin_api_key": expected["admin_api_keys"],
                       "invite": expected["invites"]}
    snap = {ev["snapshot_id"] for ev in events}
    assert len(snap) == 1 and all(ev["status"] == "present" and ev["_index"] == "inventory" for ev in events)
    assert {ev["_time"] for ev in events} == {str(events[0]["snapshot_time"])}
    users = runner.records("inventory_users")
    assert _present(users) == {u["id"] for u in inv.users}
    alice = next(r for r in users.values() if r["email"] == inv.users[0]["email"])
    assert alice["_key"] == "acc:user:" + alice["id"] and alice["role"] == "owner" and alice["account"] == "acc"
    keys = runner.records("inventory_api_keys")
    assert {r["object_kind"] for r in keys.values()} == {"project_api_key", "admin_api_key"}
    assert all(r["redacted_value"].count("...") == 1 for r in keys.values())  # the API's masked value only
    idents = runner.records("identities")
    assert len(idents) == len(inv.users) + expected["service_accounts"]
    owner = idents["acc:user:" + alice["id"]]
    assert owner["identity"] == f"{alice['email']}|{alice['id']}" and owner["category"] == "openai_owner"
    assert owner["startDate"] and owner["endDate"] == ""
    assert {r["list"] for r in runner.records("inventory_snapshots").values()} == {
        "users", "projects", "project_users", "service_accounts", "project_api_keys", "admin_api_keys", "invites"}
    # requests: ceil(230/100)=3 users, 1 projects, 3 per active project (each under 100 items), 1 admin keys, 1 invites
    assert len(sim.requests) == 3 + 1 + 3 * active + 1 + 1
    log = runner.log_text
    assert "inventory summary snapshot=" in log and "status=ok" in log and "incomplete=none" in log
    assert KEY not in log + proc.stdout + proc.stderr


def test_removed_objects_are_kept_as_removed_with_their_last_seen(env):
    sim, fake, runner = env
    inv = sim.inventory
    first = runner.run()
    t1 = runner.events(first)[0]["snapshot_time"]
    gone_user = inv.users[4]["id"]
    gone_key = inv.admin_keys[1]["id"]
    gone_sa = next(s for sas in inv.service_accounts.values() for s in sas)["id"]
    inv.remove_user(gone_user)
    inv.remove_key(gone_key)
    inv.remove_service_account(gone_sa)
    second = runner.run()
    assert second.returncode == 0, second.stderr
    events = runner.events(second)
    removed = {(e["object_kind"], e["id"]) for e in events if e["status"] == "removed"}
    assert {("user", gone_user), ("admin_api_key", gone_key), ("service_account", gone_sa)} <= removed
    t2 = events[0]["snapshot_time"]
    user = runner.records("inventory_users")["acc:user:" + gone_user]
    assert user["status"] == "removed" and user["last_seen"] == t1 and user["removed_at"] == t2 and t2 >= t1
    assert runner.records("inventory_api_keys")["acc:admin_api_key:" + gone_key]["status"] == "removed"
    assert runner.records("identities")["acc:user:" + gone_user]["endDate"] != ""
    # a third snapshot keeps the removed record and does not announce it again
    third = runner.events(runner.run())
    assert not [e for e in third if e["status"] == "removed" and e["id"] == gone_user]
    assert runner.records("inventory_users")["acc:user:" + gone_user]["last_seen"] == t1


def test_a_list_that_fails_midway_keeps_its_previous_snapshot_and_the_others_are_replaced(env):
    sim, fake, runner = env
    inv = sim.inventory
    runner.run()
    before = runner.records("inventory_users")
    inv.remove_user(inv.users[7]["id"])
    inv.invites.pop()
    # page 2 of the users list is anomalous: has_more without last_id (never followed, not retried)
    sim.inject(F.has_more_without_last_id(path="/organization/users", match={"after": None}))
    proc = runner.run()
    assert proc.returncode == 0, proc.stderr
    assert runner.records("inventory_users") == before  # untouched: not half-replaced
    kinds = {e["object_kind"] for e in runner.events(proc)}
    assert "user" not in kinds and "invite" in kinds
    invites = runner.records("inventory_invites")
    assert sum(r["status"] == "removed" for r in invites.values()) == 1  # the other lists were replaced
    log = runner.log_text
    assert "GET /organization/users: has_more=true without last_id" in log
    assert "incomplete=users" in log


def test_a_key_without_one_scope_gets_one_message_naming_it_and_the_other_lists_run(tmp_path):
    scopes = tuple(s for s in ALL_SCOPES if s != IA.PROJECT_KEYS_SCOPE)
    sim, fake, runner = _env(tmp_path, scopes=scopes)
    try:
        proc = runner.run()
        assert proc.returncode == 0, proc.stderr
        kinds = {e["object_kind"] for e in runner.events(proc)}
        assert kinds == {"user", "project", "project_user", "service_account", "admin_api_key", "invite"}
        log = runner.log_text
        msg = ("GET /organization/projects/{project_id}/api_keys: the admin API key lacks the "
               "'api.organization.projects.api_keys.read' scope")
        assert log.count(msg) == 1
        refused = [r for r in sim.requests if r.path.endswith("/api_keys")]
        assert len(refused) == 1  # the first project's refusal stops the per-project list
    finally:
        sim.stop()
        fake.stop()


def test_an_invalid_key_stops_after_one_request(env):
    sim, fake, runner = env
    fake.set_account("acc", encrypted={"api_key": "sk-admin-wrong-key-0000000000"}, base_url=sim.base_url)
    fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
    proc = runner.run()
    assert proc.returncode == 0, proc.stderr
    assert runner.events(proc) == [] and len(sim.requests) == 1
    assert runner.records("inventory_users") == {}
    assert "not requested (an earlier list failed with HTTP 401" in runner.log_text
    assert "sk-admin-wrong-key-0000000000" not in runner.log_text + proc.stdout + proc.stderr


def test_transient_errors_are_retried_with_the_audit_inputs_policy(env):
    sim, fake, runner = env
    sim.inject(F.server_error(503, path="/organization/invites"), F.rate_limit("1", path="/organization/users"))
    proc = runner.run()
    assert proc.returncode == 0, proc.stderr
    assert {e["object_kind"] for e in runner.events(proc)} >= {"user", "invite"}
    assert "retries=2" in runner.log_text and "incomplete=none" in runner.log_text


@pytest.mark.parametrize("field, value, message", [
    ("index", "Bad Index", "Index 'Bad Index' is not a valid Splunk index name"),
    ("interval", "0 * * * *", "Interval '0 * * * *' must be a whole number of seconds from 300 to 86400"),
])
def test_a_bad_index_or_interval_is_a_configuration_error_and_nothing_is_requested(env, field, value, message):
    """The inventory input checks its fields as the audit input does (openai_audit_helper.input_settings): one
    configuration error naming the field, no request, no event, no KV record."""
    sim, fake, runner = env
    proc = runner.run(**{field: value})
    assert proc.returncode == 0, proc.stderr
    assert runner.events(proc) == [] and sim.requests == []
    assert runner.records("inventory_users") == {}
    assert 'exc_l="Configuration Error"' in runner.log_text and message in runner.log_text


def _of_project(records, project_id):
    return {r["_key"]: r for r in records.values() if r.get("project_id") == project_id}


def test_a_project_deleted_between_the_projects_list_and_its_sub_lists_is_skipped_and_recorded_as_removed(env):
    """A project deleted mid-run (``project.deleted`` is an audit event type; the simulator answers 404 for an
    unknown project, its own invention): the per-project lists stay complete without it, the run says so once, and
    the snapshot is the one a complete snapshot after the deletion would be - the project and its members, service
    accounts and keys removed (the choice stated in oai_audit/inventory.py)."""
    sim, fake, runner = env
    inv = sim.inventory
    runner.run()
    active = [p["id"] for p in inv.projects if p["status"] == "active"]
    victim, listed = active[2], len(inv.projects)
    assert inv.service_accounts[victim] and inv.project_keys[victim] and inv.project_users[victim]
    sim.clear_requests()
    # deleted once its members were read: its service-accounts list is the first to answer 404
    sim.inject(F.delete_project(path="/organization/projects/%s/service_accounts" % victim))
    proc = runner.run()
    assert proc.returncode == 0, proc.stderr
    log = runner.log_text
    summary = [line for line in log.splitlines() if "inventory summary" in line]
    assert "status=ok" in summary[-1] and "incomplete=none" in summary[-1]
    note = [line for line in log.splitlines() if "vanished between the projects list" in line]
    assert len(note) == 1 and "1 of %d projects" % listed in note[0]
    assert victim + " deleted (404)" in note[0]
    members = sum(len(inv.project_users[p["id"]]) for p in inv.projects if p["status"] == "active")
    assert "inventory list=project_users status=ok objects=%d " % members in log  # read before it vanished
    asked = [(r.path, r.status) for r in sim.requests]
    assert ("/v1/organization/projects/%s/service_accounts" % victim, 404) in asked
    assert not [p for p, _ in asked if p == "/v1/organization/projects/%s/api_keys" % victim]  # skipped
    assert sum(p == "/v1/organization/projects" for p, _ in asked) == 2  # the one second read of the projects
    assert runner.records("inventory_projects")["acc:project:" + victim]["status"] == "removed"
    for coll in ("inventory_project_users", "inventory_service_accounts", "inventory_api_keys"):
        mine = _of_project(runner.records(coll), victim)
        assert mine and {r["status"] for r in mine.values()} == {"removed"}, coll
        others = [r for r in runner.records(coll).values() if r.get("project_id") != victim]
        assert others and {r["status"] for r in others} == {"present"}, coll
    removed_events = {(e["object_kind"], e["id"]) for e in runner.events(proc) if e["status"] == "removed"}
    assert ("project", victim) in removed_events
    assert {s for k, s in removed_events if k == "service_account"} == {
        r["id"] for r in _of_project(runner.records("inventory_service_accounts"), victim).values()}
    # the next run finds nothing to skip and announces nothing again
    sim.clear_requests()
    third = runner.run()
    assert not [e for e in runner.events(third) if e["status"] == "removed"]
    assert not [r for r in sim.requests if r.status == 404]
    assert runner.log_text.count("vanished between the projects list") == 1


def test_a_404_for_a_project_the_projects_list_still_has_fails_that_list_as_before(env):
    """A 404 is taken for a vanished project only when a second read of the projects list no longer has it:
    otherwise it is an error and the list keeps its previous snapshot (no key of a live project marked removed)."""
    sim, fake, runner = env
    runner.run()
    def project_keys():
        return {k: r for k, r in runner.records("inventory_api_keys").items() if r["object_kind"] == "project_api_key"}

    before = project_keys()
    pid = [p["id"] for p in sim.inventory.projects if p["status"] == "active"][1]
    sim.inject(F.not_found(path="/organization/projects/%s/api_keys" % pid))
    proc = runner.run()
    assert proc.returncode == 0, proc.stderr
    assert project_keys() == before
    kinds = {e["object_kind"] for e in runner.events(proc)}
    assert "project_api_key" not in kinds and "service_account" in kinds
    log = runner.log_text
    assert "incomplete=project_api_keys" in log and "vanished between the projects list" not in log
