from __future__ import annotations

import random

import httpx
import pytest

from oai_sim import faults as F
from oai_sim.catalog import TENANT_TYPES
from oai_sim.generator import Dataset, generate, same_second_burst
from oai_sim.server import Simulator
from oai_sim.store import actor_emails_of, actor_ids_of

from sim_support import KEY, T0, api_error as _error, newest_first as _newest_first, page_all as _page_all


def test_newest_first_full_pagination_and_ids(sim, client, events):
    data = _page_all(client, sim.url, {"limit": 100})
    want = _newest_first([e for e in events if e["type"] not in TENANT_TYPES])
    assert [e["id"] for e in data] == want
    first = client.get(sim.url, params={"limit": 7}).json()
    assert first["object"] == "list" and len(first["data"]) == 7 and first["has_more"] is True
    assert first["first_id"] == first["data"][0]["id"] and first["last_id"] == first["data"][-1]["id"]


def test_default_limit_is_20_and_limit_bounds(sim, client):
    assert len(client.get(sim.url).json()["data"]) == 20
    assert len(client.get(sim.url, params={"limit": 1}).json()["data"]) == 1
    assert len(client.get(sim.url, params={"limit": 100}).json()["data"]) == 100
    assert _error(client.get(sim.url, params={"limit": 101}), 400)["code"] == "integer_above_max_value"
    assert _error(client.get(sim.url, params={"limit": 0}), 400)["code"] == "integer_below_min_value"
    assert _error(client.get(sim.url, params={"limit": "ten"}), 400)["param"] == "limit"


@pytest.mark.parametrize("op,lo,hi", [("gt", 1, 0), ("gte", 0, 0), ("lt", 0, -1), ("lte", 0, 0)])
def test_effective_at_bounds_are_exact(client, op, lo, hi):
    t = T0 + 500
    evs = generate(60, seed=3, start=t - 2, end=t + 2, tenant=False)
    with Simulator(evs) as s:
        got = _page_all(client, s.url, {"limit": 100, "effective_at[%s]" % op: t})
    if op.startswith("g"):
        want = [e for e in evs if e["effective_at"] >= t + lo]
    else:
        want = [e for e in evs if e["effective_at"] <= t + hi]
    assert [e["id"] for e in got] == _newest_first(want) and want


def test_effective_at_window_and_bad_forms(sim, client, events):
    lo, hi = T0 + 3600, T0 + 7200
    got = _page_all(client, sim.url, {"limit": 50, "effective_at[gte]": lo, "effective_at[lt]": hi})
    want = [e for e in events if lo <= e["effective_at"] < hi and e["type"] not in TENANT_TYPES]
    assert [e["id"] for e in got] == _newest_first(want)
    assert _error(client.get(sim.url, params={"effective_at": lo}), 400)["param"] == "effective_at"
    assert _error(client.get(sim.url, params={"effective_at[gte]": "yesterday"}), 400)["code"] == "invalid_type"
    assert _error(client.get(sim.url, params={"effective_at[since]": lo}), 400)["param"] == "effective_at"
    assert _error(client.get(sim.url, params={"offset": 5}), 400)["code"] == "unknown_parameter"


def test_array_filters(sim, client, events):
    plain = [e for e in events if e["type"] not in TENANT_TYPES]
    rng = random.Random(1)
    sample = rng.sample([e for e in plain if e.get("project") and e.get("actor")], 3)
    cases = {
        "project_ids[]": ([e["project"]["id"] for e in sample[:2]],
                          lambda e, v: (e.get("project") or {}).get("id") in v),
        "event_types[]": (["login.failed", "api_key.created"], lambda e, v: e["type"] in v),
        "actor_ids[]": ([actor_ids_of(e)[-1] for e in sample], lambda e, v: bool(set(actor_ids_of(e)) & set(v))),
        "actor_emails[]": ([m for e in sample for m in actor_emails_of(e)][:2],
                           lambda e, v: bool(set(actor_emails_of(e)) & set(v))),
        "resource_ids[]": ([e[e["type"]]["id"] for e in sample if "id" in e[e["type"]]],
                           lambda e, v: e[e["type"]].get("id") in v),
    }
    for name, (values, pred) in cases.items():
        assert values, name
        got = _page_all(client, sim.url, {"limit": 100, name: values})
        want = [e for e in plain if pred(e, values)]
        assert want and [e["id"] for e in got] == _newest_first(want), name
    sa = [e for e in plain if (e.get("actor") or {}).get("api_key", {}).get("type") == "service_account"][0]
    sa_id = sa["actor"]["api_key"]["service_account"]["id"]
    got = _page_all(client, sim.url, {"limit": 100, "actor_ids[]": sa_id})
    assert got and all(sa_id in actor_ids_of(e) for e in got)
    bad = _error(client.get(sim.url, params={"event_types[]": "api_key.exploded"}), 400)
    assert bad["param"] == "event_types[]"


def test_tenant_only(events, client):
    tenant = [e for e in events if e["type"] in TENANT_TYPES]
    with Simulator(events) as s:
        got = _page_all(client, s.url, {"limit": 100, "tenant_only": "true"})
        assert [e["id"] for e in got] == _newest_first(tenant)
        only = _page_all(client, s.url, {"limit": 100, "tenant_only": "true",
                                         "event_types[]": ["role.bound_to_resource"]})
        assert only and {e["type"] for e in only} == {"role.bound_to_resource"}
        e1 = _error(client.get(s.url, params={"tenant_only": "true", "event_types[]": "api_key.created"}), 400)
        e2 = _error(client.get(s.url, params={"event_types[]": "role.bound_to_resource"}), 400)
        assert e1["param"] == "event_types[]" and e2["param"] == "tenant_only"
        assert _error(client.get(s.url, params={"tenant_only": "maybe"}), 400)["param"] == "tenant_only"
        default = _page_all(client, s.url, {"limit": 100, "tenant_only": "false"})
        assert not any(e["type"] in TENANT_TYPES for e in default)
    with Simulator(events, tenant_enabled=False) as s:
        err = _error(client.get(s.url, params={"tenant_only": "true"}), 400)
        assert err["message"] == "This organization is not enabled for tenant-scoped audit logs."
        assert client.get(s.url).status_code == 200


def test_cursors_after_before_and_errors(sim, client):
    p1 = client.get(sim.url, params={"limit": 10}).json()
    p2 = client.get(sim.url, params={"limit": 10, "after": p1["last_id"]}).json()
    assert p2["data"][0]["id"] != p1["last_id"]
    back = client.get(sim.url, params={"limit": 10, "before": p2["first_id"]}).json()
    assert [e["id"] for e in back["data"]] == [e["id"] for e in p1["data"]] and back["has_more"] is False
    assert _error(client.get(sim.url, params={"after": "audit_log-doesnotexist"}), 400)["code"] == "invalid_cursor"
    assert _error(client.get(sim.url, params={"after": p1["last_id"], "before": p1["first_id"]}), 400)


def test_same_second_burst_across_page_boundary(client):
    burst = same_second_burst(250, T0, seed=4)
    others = generate(30, 5, T0 - 5, T0 + 5, tenant=False)
    with Simulator(burst + others) as s:
        got = _page_all(client, s.url, {"limit": 100, "effective_at[gte]": T0, "effective_at[lte]": T0})
        assert len(s.requests) == 3
    want = [e for e in burst + others if e["effective_at"] == T0]
    assert [e["id"] for e in got] == _newest_first(want) and len(want) >= 250


def test_late_events_sort_in_behind_a_cursor(client):
    evs = generate(300, seed=8, start=T0, end=T0 + 1000, tenant=False)
    with Simulator(evs) as s:
        p1 = client.get(s.url, params={"limit": 100}).json()
        late = generate(5, seed=9, start=T0 + 990, end=T0 + 1000, tenant=False)  # newer than the cursor
        older = generate(5, seed=10, start=T0, end=T0 + 5, tenant=False)  # older: still ahead of the cursor
        assert s.add_events(late + older) == 10
        fresh = _page_all(client, s.url, {"limit": 100})
        assert [e["id"] for e in fresh] == _newest_first(evs + late + older)
        tail = []
        body = {"has_more": True, "last_id": p1["last_id"]}
        while body["has_more"]:
            body = client.get(s.url, params={"limit": 100, "after": body["last_id"]}).json()
            tail.extend(body["data"])
        tail_ids = {e["id"] for e in tail}
        assert {e["id"] for e in older} <= tail_ids and not ({e["id"] for e in late} & tail_ids)
        with pytest.raises(ValueError):
            s.add_events(late[:1])


def test_lazy_dataset_and_explicit_events_merge(client):
    ds = Dataset(400, 12, T0, T0 + 100, tenant=False)
    extra = generate(50, 13, T0, T0 + 100, tenant=False)
    with Simulator(ds) as s:
        s.add_events(extra)
        got = _page_all(client, s.url, {"limit": 100})
    assert [e["id"] for e in got] == _newest_first(list(ds) + extra)


def test_auth_and_scope_errors_never_echo_the_key(sim, client, events):
    assert _error(httpx.get(sim.url), 401)["message"].startswith("You didn't provide an API key")
    wrong = "sk-admin-abcdefghijklmnop0123456789"
    err = _error(httpx.get(sim.url, headers={"Authorization": "Bearer " + wrong}), 401)
    assert err["code"] == "invalid_api_key" and wrong not in err["message"] and "sk-ad" in err["message"]
    assert _error(httpx.get(sim.url, headers={"Authorization": "Basic " + KEY}), 401)
    with Simulator(events, scopes=("api.usage.read",)) as s:
        err = _error(client.get(s.url), 401)
        assert "Missing scopes: api.audit_logs.read." in err["message"]
    recorded = sim.requests
    assert recorded and all(KEY not in repr(r) and wrong not in repr(r) for r in recorded)
    assert any(r.headers.get("Authorization") == "<redacted>" for r in recorded)
    assert _error(client.get(sim.base_url + "/organization/usage"), 404)["message"].startswith("Invalid URL")
    assert _error(client.post(sim.url), 404)


def test_page_cache_serves_identical_pages_and_invalidates_on_add(client):
    evs = generate(150, seed=14, start=T0, end=T0 + 100, tenant=False)
    with Simulator(evs, cache_pages=True) as s:
        a = client.get(s.url, params={"limit": 100}).content
        assert client.get(s.url, params={"limit": 100}).content == a
        newer = generate(1, seed=15, start=T0 + 200, end=T0 + 200, tenant=False)
        s.add_events(newer)
        b = client.get(s.url, params={"limit": 100}).json()
        assert b["data"][0]["id"] == newer[0]["id"]
        s.inject(F.truncated_json())
        assert len(client.get(s.url, params={"limit": 100}).content) < len(a)


def test_blank_cursor_means_no_cursor(sim, client):
    first = client.get(sim.url, params={"limit": 3}).json()
    assert client.get(sim.url, params={"limit": 3, "after": ""}).json() == first


def test_prefetch_serves_the_same_bytes_as_rendering_on_request():
    """--prefetch (benchmarks) only moves page rendering earlier: every answer of a cursor walk, a repeated
    request and a request after new events are byte-identical to a simulator without it (our simulator's own
    contract, not the API's)."""
    def walk(sim: Simulator) -> list:
        bodies = []
        with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}) as c:
            params = {"limit": "7", "effective_at[gte]": str(T0 - 86400)}
            while True:
                r = c.get(sim.url, params=params)
                bodies.append(r.content)
                body = r.json()
                if not body["has_more"]:
                    break
                params = dict(params, after=body["last_id"])
            bodies.append(c.get(sim.url, params=params).content)  # the last page again
            sim.add_events(generate(5, seed=9, start=T0 - 60, end=T0 - 30))
            bodies.append(c.get(sim.url, params={"limit": "7"}).content)
        return bodies

    data = Dataset(60, 4, T0 - 3600, T0 - 60)
    with Simulator(data, admin_key=KEY) as plain, Simulator(data, admin_key=KEY, prefetch=True) as ahead:
        expected = walk(plain)
        assert walk(ahead) == expected and len(expected) >= 5  # >= 3 pages of 7, the last again, after adding
