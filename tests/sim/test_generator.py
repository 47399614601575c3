from __future__ import annotations

import csv
import ipaddress
import json
import random
from pathlib import Path
from typing import Any, Dict, List

import pytest

from oai_sim import generator as g
from oai_sim.catalog import CSV_PATH, EVENT_TYPES, PAYLOAD_FIELDS, TENANT_TYPES

REPO = Path(__file__).resolve().parents[2]
SHARED_CSV = REPO.parent / "shared" / "openai-audit-api" / "event-types.csv"
DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
T0 = 1767225600


def _leaf_values(payload: Dict[str, Any], path: str) -> List[Any]:
    """All values at a leaf path of event-types.csv (``x[].y`` descends into every array item)."""
    nodes: List[Any] = [payload]
    for part in path.split("."):
        nxt: List[Any] = []
        for node in nodes:
            key, is_array = (part[:-2], True) if part.endswith("[]") else (part, False)
            assert isinstance(node, dict) and key in node, "missing %s in %r" % (path, payload)
            value = node[key]
            if is_array:
                assert isinstance(value, list) and value, "%s must be a non-empty array" % key
                nxt.extend(value)
            else:
                nxt.append(value)
        nodes = nxt
    return nodes


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="../shared not present")
def test_event_types_csv_is_a_verbatim_copy():
    assert CSV_PATH.read_bytes() == SHARED_CSV.read_bytes()


def test_catalog_counts():
    with CSV_PATH.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(EVENT_TYPES) == len(rows) == 145 == len(set(EVENT_TYPES))
    assert len(TENANT_TYPES) == 88
    assert {"role.bound_to_resource", "role.unbound_from_resource"} <= TENANT_TYPES


def test_one_of_each_covers_every_type_and_every_payload_field():
    events = g.one_of_each(seed=3, at=T0)
    assert [e["type"] for e in events] == EVENT_TYPES
    assert len({e["id"] for e in events}) == 145
    for ev in events:
        t = ev["type"]
        assert set(ev) <= {"id", "type", "effective_at", "project", "actor", t}
        assert ev["effective_at"] == T0 and isinstance(ev["id"], str) and ev["id"].startswith("audit_log-")
        payload = ev[t]
        assert isinstance(payload, dict)
        for path in PAYLOAD_FIELDS[t]:
            values = _leaf_values(payload, path)
            leaf = path.rsplit(".", 1)[-1]
            for v in values:
                if leaf in ("scopes", "allowed_ips", "permissions", "permissions_added", "permissions_removed"):
                    assert isinstance(v, list)
                elif leaf in ("data", "changes_requested", "metadata"):
                    assert isinstance(v, dict) and v
                elif leaf.startswith(("max_", "batch_")):
                    assert isinstance(v, int) and v > 0
                elif leaf == "enabled":
                    assert isinstance(v, bool)
                else:
                    assert isinstance(v, str), (t, path, v)
        if not PAYLOAD_FIELDS[t] and t not in ("login.succeeded", "logout.succeeded"):
            assert isinstance(payload.get("id"), str)  # invented minimal payload


def _actors(events):
    return [e["actor"] for e in events if e.get("actor")]


def test_session_actor_shape_and_documentation_ips():
    events = g.generate(3000, seed=11, start=T0, end=T0 + 86400)
    sessions = [a["session"] for a in _actors(events) if a["type"] == "session"]
    assert len(sessions) > 1000
    for s in sessions:
        ip = ipaddress.ip_address(s["ip_address"])
        assert any(ip in net for net in DOC_NETS), ip
        assert set(s) == {"user", "ip_address", "user_agent", "ja3", "ja4", "ip_address_details"}
        assert len(s["ja3"]) == 32 and s["ja4"].count("_") == 2
        det = s["ip_address_details"]
        assert set(det) == {"country", "city", "region", "region_code", "asn", "latitude", "longitude"}
        assert all(isinstance(v, str) for v in det.values())
        float(det["latitude"]), float(det["longitude"])
    assert any(":" in s["ip_address"] for s in sessions) and any("." in s["ip_address"] for s in sessions)
    assert len({s["ip_address_details"]["country"] for s in sessions}) >= 8


def test_api_key_actors_user_and_service_account():
    events = g.generate(2000, seed=5, start=T0, end=T0 + 3600, tenant=False)
    keys = [a["api_key"] for a in _actors(events) if a["type"] == "api_key"]
    users = [k for k in keys if k["type"] == "user"]
    sas = [k for k in keys if k["type"] == "service_account"]
    assert users and sas
    assert all(set(k) == {"id", "type", "user"} and set(k["user"]) == {"id", "email"} for k in users)
    assert all(set(k) == {"id", "type", "service_account"} and set(k["service_account"]) == {"id"} for k in sas)


def test_login_logout_are_always_session():
    types = [t for t in EVENT_TYPES if t.startswith(("login.", "logout."))]
    events = g.generate(400, seed=9, start=T0, end=T0 + 60, types=types)
    assert {e["actor"]["type"] for e in events} == {"session"}
    failed = [e["login.failed"] for e in events if e["type"] == "login.failed"]
    assert failed and all(f["error_code"] and f["error_message"] for f in failed)
    with pytest.raises(ValueError):
        g.make_event("login.failed", random.Random(1), T0, actor_kind="api_key_user")


def test_realistic_variety_for_detections():
    n = 6000
    types = ["role.updated", "ip_allowlist.updated", "organization.updated", "service_account.created",
             "invite.sent"]
    events = g.generate(n, seed=21, start=T0, end=T0 + 86400, types=types)
    by = {t: [e[t] for e in events if e["type"] == t] for t in types}
    perms = {p for x in by["role.updated"] for p in x["changes_requested"]["permissions_added"]}
    assert "api.organization.service_accounts.write" in perms
    cidrs = {c for x in by["ip_allowlist.updated"] for c in x["allowed_ips"]}
    assert {c.split("/")[1] for c in cidrs} >= {"32", "24", "16", "0"} and "0.0.0.0/0" in cidrs
    logging = {x["changes_requested"]["api_call_logging"] for x in by["organization.updated"]}
    assert logging == {"disabled", "enabled_per_call", "enabled_for_all_projects", "enabled_for_selected_projects"}
    assert {x["data"]["role"] for x in by["service_account.created"]} == {"owner", "member"}
    assert {x["data"]["role"] for x in by["invite.sent"]} == {"owner", "member"}


def test_generate_is_deterministic_bounded_and_filters_tenant():
    a = g.generate(500, seed=42, start=T0, end=T0 + 1000)
    b = g.generate(500, seed=42, start=T0, end=T0 + 1000)
    c = g.generate(500, seed=43, start=T0, end=T0 + 1000)
    assert json.dumps(a) == json.dumps(b) != json.dumps(c)
    assert all(T0 <= e["effective_at"] <= T0 + 1000 for e in a)
    assert len({e["id"] for e in a + c}) == 1000
    assert all(e["type"] in TENANT_TYPES for e in g.generate(300, 1, T0, T0 + 5, tenant=True))
    assert not any(e["type"] in TENANT_TYPES for e in g.generate(300, 1, T0, T0 + 5, tenant=False))
    with pytest.raises(ValueError):
        g.generate(1, 1, T0, T0, types=["no.such.type"])


def test_same_second_burst_and_lazy_dataset_ids():
    burst = g.same_second_burst(250, T0, seed=4)
    assert len(burst) == 250 and {e["effective_at"] for e in burst} == {T0}
    ds = g.Dataset(1000, 8, T0, T0 + 10)
    assert list(ds.eff) == sorted(ds.eff)
    for i in (0, 17, 999):
        assert ds.index_of(ds.id_of(i)) == i and ds.event(i)["id"] == ds.id_of(i)
    assert ds.index_of("audit_log-nope") is None
    ids = [ds.id_of(i) for i in range(len(ds))]
    assert ids == sorted(ids)


def test_to_raw_is_the_collectors_compact_json():
    ev = g.one_of_each(1, T0)[0]
    assert g.to_raw(ev) == json.dumps(ev, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(g.to_raw(ev)) == ev
