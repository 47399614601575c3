"""The simulator's Admin API inventory lists: every page validates against the spec's list response schema
(tools/oai_sim/openapi-inventory.yaml, a verbatim copy of ../shared/openai-admin-api/), cursor pagination as the
spec states it (limit/after = last id, has_more), the identities agree with the audit events' cast, and the
same auth/scope errors and fault injection as the audit log. Orders, scope names and the 400/404 answers where
the spec is silent are the simulator's invention (tools/oai_sim/inventory_api.py) and are tested as such."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest
import yaml

from oai_sim import faults as F
from oai_sim import inventory_api as IA
from oai_sim.generator import POPULATION, generate
from oai_sim.inventory import Inventory
from oai_sim.server import ALL_SCOPES, Simulator

from sim_support import KEY, T0, api_error, page_all, schema_errors

VENDORED = Path(IA.__file__).with_name("openapi-inventory.yaml")
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "openai-admin-api" / "openapi-inventory.yaml"
SPEC = yaml.safe_load(VENDORED.read_text())
SCHEMAS = SPEC["components"]["schemas"]


def _list_schema(path: str) -> Dict[str, Any]:
    ref = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return SCHEMAS[ref.rsplit("/", 1)[-1]]


def _spec_path(url_path: str) -> str:
    parts = url_path.split("/")
    if len(parts) == 5 and parts[2] == "projects":  # /organization/projects/<id>/<sub>
        return "/organization/projects/{project_id}/" + parts[4]
    return url_path


@pytest.fixture
def inv_sim():
    with Simulator([], inventory=Inventory.from_population(users=130, projects=12, keys=140)) as s:
        yield s


@pytest.fixture
def client():
    with httpx.Client(headers={"Authorization": "Bearer " + KEY}, timeout=10) as c:
        yield c


def _all_paths(inv: Inventory) -> List[str]:
    paths = ["/organization/users", "/organization/projects", "/organization/admin_api_keys",
             "/organization/invites"]
    for p in inv.projects:
        for sub in ("users", "service_accounts", "api_keys"):
            if p["status"] == "active" or sub == "api_keys":
                paths.append("/organization/projects/%s/%s" % (p["id"], sub))
    return paths


@pytest.mark.skipif(not SHARED.exists(), reason="../shared not present")
def test_vendored_spec_is_the_shared_one():
    assert VENDORED.read_bytes() == SHARED.read_bytes()


def test_every_page_of_every_list_validates_against_the_spec(inv_sim, client):
    problems: List[str] = []
    pages = 0
    for path in _all_paths(inv_sim.inventory):
        after = None
        while True:
            body = client.get(inv_sim.base_url + path, params=dict(limit=50, **({"after": after} if after else {})))
            assert body.status_code == 200, (path, body.text)
            data = body.json()
            problems += ["%s %s" % (path, e) for e in schema_errors(data, _list_schema(_spec_path(path)), SCHEMAS, "")]
            pages += 1
            if not data["has_more"]:
                break
            after = data["last_id"]
            assert after == data["data"][-1]["id"]  # the spec's cursor: the last object id of the page
    assert not problems, problems[:10]
    assert pages > len(_all_paths(inv_sim.inventory))  # some lists took several pages
    # the checker can fail: a wrong enum, a missing required field
    bad = {"object": "list", "has_more": False, "data": [{"object": "organization.user", "id": "u", "role": 1}]}
    assert len(schema_errors(bad, _list_schema("/organization/users"), SCHEMAS, "")) == 2


def test_pagination_walks_every_object_once_with_the_default_limit_of_20(inv_sim, client):
    url = inv_sim.base_url + "/organization/users"
    first = client.get(url).json()
    assert len(first["data"]) == 20 and first["has_more"] is True and first["first_id"] == first["data"][0]["id"]
    users = page_all(client, url, {"limit": 100})
    assert [u["id"] for u in users] == [u["id"] for u in inv_sim.inventory.users] and len(users) == 130
    keys = sum((page_all(client, inv_sim.base_url + "/organization/projects/%s/api_keys" % p["id"], {"limit": 7})
                for p in inv_sim.inventory.projects), [])
    assert len(keys) == 140 and len({k["id"] for k in keys}) == 140


def test_projects_hide_archived_unless_asked_and_archived_sub_lists_are_refused(client):
    with Simulator([]) as sim:
        url = sim.base_url + "/organization/projects"
        shown = page_all(client, url, {})
        every = page_all(client, url, {"include_archived": "true"})
        archived = [p for p in every if p["status"] == "archived"]
        assert len(archived) == 1 and archived[0]["archived_at"] and archived[0] not in shown
        assert len(every) == len(POPULATION.projects) == len(shown) + 1
        sub = sim.base_url + "/organization/projects/%s/users" % archived[0]["id"]
        assert api_error(client.get(sub), 400)["code"] == "project_archived"  # spec: 400 when archived
        assert api_error(client.get(sim.base_url + "/organization/projects/proj_nope/users"), 404)


@pytest.mark.parametrize("params,code", [({"limit": "101"}, "invalid_value"), ({"limit": "0"}, "invalid_value"),
                                         ({"after": "user-unknown"}, "invalid_cursor"),
                                         ({"colour": "red"}, "unknown_parameter")])
def test_invalid_requests_are_400(inv_sim, client, params, code):
    assert api_error(client.get(inv_sim.base_url + "/organization/users", params=params), 400)["code"] == code


def test_users_filter_by_email(inv_sim, client):
    email = POPULATION.users[3]["email"]
    body = client.get(inv_sim.base_url + "/organization/users", params={"emails": email.upper()}).json()
    assert [u["email"] for u in body["data"]] == [email]


def test_inventory_lists_the_identities_that_act_in_the_audit_events(client):
    events = generate(600, seed=3, start=T0, end=T0 + 86400, tenant=False)
    with Simulator(events) as sim:
        base = sim.base_url + "/organization"
        users = {u["id"]: u for u in page_all(client, base + "/users", {"limit": 100})}
        projects = {p["id"] for p in page_all(client, base + "/projects", {"include_archived": "true"})}
        sas, keys = set(), set()
        for pid in projects:
            keys |= {k["id"] for k in page_all(client, base + "/projects/%s/api_keys" % pid, {})}
            if sim.inventory.project(pid)["status"] == "active":
                sas |= {s["id"] for s in page_all(client, base + "/projects/%s/service_accounts" % pid, {})}
    acting_users, acting_keys, acting_sas, acting_projects = set(), set(), set(), set()
    for ev in events:
        actor = ev.get("actor") or {}
        if actor.get("session"):
            acting_users.add(actor["session"]["user"]["id"])
            assert users[actor["session"]["user"]["id"]]["email"] == actor["session"]["user"]["email"]
        key = actor.get("api_key") or {}
        if key:
            acting_keys.add(key["id"])
            if key.get("service_account"):
                acting_sas.add(key["service_account"]["id"])
        if ev.get("project") and ev["type"] != "project.created":
            acting_projects.add(ev["project"]["id"])
    assert acting_users and acting_users <= set(users)
    assert acting_keys and acting_keys <= keys
    assert acting_sas and acting_sas <= sas
    assert acting_projects and acting_projects <= projects


def test_a_key_without_one_scope_gets_401_naming_it_and_the_other_lists_answer(client):
    scopes = tuple(s for s in ALL_SCOPES if s != IA.ADMIN_KEYS_SCOPE)
    with Simulator([], scopes=scopes) as sim:
        err = api_error(client.get(sim.base_url + "/organization/admin_api_keys"), 401)
        assert "Missing scopes: api.organization.admin_api_keys.read." in err["message"]
        assert client.get(sim.base_url + "/organization/users").status_code == 200
        assert client.get(sim.url).status_code == 200  # the audit log still answers
        assert api_error(httpx.get(sim.base_url + "/organization/users",
                                   headers={"Authorization": "Bearer sk-admin-wrong-key"}), 401)["code"] == \
            "invalid_api_key"


def test_faults_aim_at_inventory_paths_by_glob_and_default_to_the_audit_log(inv_sim, client):
    base = inv_sim.base_url
    inv_sim.inject(F.server_error(503))  # no path: only the audit log
    assert client.get(base + "/organization/users").status_code == 200
    assert client.get(inv_sim.url).status_code == 503
    inv_sim.inject(F.rate_limit("3", path="/organization/projects/*/api_keys"))
    assert client.get(base + "/organization/invites").status_code == 200
    pid = inv_sim.inventory.projects[0]["id"]
    r = client.get(base + "/organization/projects/%s/api_keys" % pid)
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    inv_sim.inject(F.missing_scope(path="/organization/invites"))
    assert "Missing scopes: api.organization.invites.read." in api_error(client.get(base + "/organization/invites"),
                                                                          401)["message"]
    inv_sim.inject(F.repeated_cursor(path="/organization/users"))
    first = client.get(base + "/organization/users").json()
    again = client.get(base + "/organization/users", params={"after": first["last_id"]}).json()
    assert again["last_id"] == first["last_id"] and again["has_more"] is True
    inv_sim.inject(F.truncated_json(path="/organization/users"))
    with pytest.raises(ValueError):
        client.get(base + "/organization/users").json()
    assert [r.fault for r in inv_sim.requests if r.fault] == ["server_error", "rate_limit", "missing_scope",
                                                              "repeated_cursor", "truncated_json"]


def test_removed_objects_disappear_from_the_lists(inv_sim, client):
    inv = inv_sim.inventory
    user = inv.users[5]["id"]
    sa = next(s for sas in inv.service_accounts.values() for s in sas)["id"]
    key = inv.admin_keys[0]["id"]
    inv.remove_user(user)
    inv.remove_service_account(sa)
    inv.remove_key(key)
    base = inv_sim.base_url + "/organization"
    assert user not in {u["id"] for u in page_all(client, base + "/users", {"limit": 100})}
    assert key not in {k["id"] for k in page_all(client, base + "/admin_api_keys", {})}
    for pid in inv.project_users:
        if inv.project(pid)["status"] == "active":
            assert user not in {u["id"] for u in page_all(client, base + "/projects/%s/users" % pid, {})}
            assert sa not in {s["id"] for s in page_all(client, base + "/projects/%s/service_accounts" % pid, {})}


def test_a_project_deleted_mid_run_and_a_plain_404(inv_sim, client):
    """The delete_project fault deletes the requested project before answering (then the simulator's invented 404
    for an unknown project); not_found answers 404 and deletes nothing."""
    inv = inv_sim.inventory
    base = inv_sim.base_url + "/organization"
    pid, other = [p["id"] for p in inv.projects if p["status"] == "active"][:2]
    inv_sim.inject(F.not_found(path="/organization/projects/%s/users" % other))
    assert client.get(base + "/projects/%s/users" % other).status_code == 404
    assert client.get(base + "/projects/%s/users" % other).status_code == 200  # consumed; the project is there
    assert client.get(base + "/projects/%s/users" % pid).status_code == 200
    inv_sim.inject(F.delete_project(path="/organization/projects/%s/service_accounts" % pid))
    assert client.get(base + "/projects/%s/users" % pid).status_code == 200  # the fault aims at another path
    err = api_error(client.get(base + "/projects/%s/service_accounts" % pid), 404)
    assert pid in err["message"]
    for sub in ("users", "service_accounts", "api_keys"):
        assert client.get(base + "/projects/%s/%s" % (pid, sub)).status_code == 404
    listed = {p["id"] for p in page_all(client, base + "/projects", {"include_archived": "true"})}
    assert pid not in listed and other in listed
    assert pid not in inv.project_users and pid not in inv.project_keys
