"""Seed rule 000: our SPL selects exactly the events that the issue's Kusto query selects.

The KQL runs verbatim in duckdb-kql (a KQL engine from PyPI) over the fixtures loaded as a table with the
columns EventType, ActorSession, Project, EventDetails, Id, TimeGenerated; the shipped saved search runs in
splsim over the same events as the input writes them. The intended set is computed by the KQL engine, never
hard-coded. duckdb-kql needs Python >= 3.11, so this module is skipped on Python 3.9.
"""
from __future__ import annotations

import json
import random
from typing import Any, Dict, List, Set

import pytest

duckdb_kql = pytest.importorskip("duckdb_kql", reason="duckdb-kql has no release for this Python (needs >= 3.11)")
duckdb = pytest.importorskip("duckdb", reason="duckdb is installed with duckdb-kql (Python >= 3.11)")

from oai_sim.generator import generate, make_event, one_of_each  # noqa: E402
from splsim import Engine  # noqa: E402

from det_support import APP_DIR, DEFAULT_NOW, as_list, parse_time, run_detection  # noqa: E402

SEED_KQL = ('OpenAIAuditLogs | where EventType has_any ("organization.updated","settings","logging",'
            '"retention","rate_limit","sso","scim","mfa","domain","role.updated","member.updated","owner") '
            '| where EventType !has "login"')
NAME = "Organization Security Configuration Change"
# Type strings that are not (yet) in the spec, to pin the whole-term semantics beyond the 145 real types:
# case, underscores/dots/dashes as term breaks, terms glued to letters or digits, and the login exclusion.
EDGE_TYPES = ["Organization.Updated", "custom.owner", "owners.changed", "x.settings_login", "login_settings",
              "member.updated.extra", "role.updatedx", "xmfa.enabled", "mfa9.enabled", "mfa-reset", "sso-login",
              "retention", "data_retention.updated", "api_call_logging.changed", "rate_limits.updated",
              "rate_limit", "domain", "sub.domain.verified", "domains_owner", "SSO.LOGIN"]


def _fixtures(now: float) -> List[Dict[str, Any]]:
    at = int(now - 1200)
    events = one_of_each(7, at) + one_of_each(8, at - 60)  # every one of the 145 types, twice, varied actors
    events += generate(400, 10, at - 3000, at)  # a realistic mix, tenant and non-tenant
    rng = random.Random(9)
    for kind in ("session", "api_key_user", "api_key_service_account"):
        for t in ("organization.updated", "scim.disabled", "tenant.sso_connection.deleted", "login.failed"):
            if t.startswith("login.") and kind != "session":
                continue
            events.append(make_event(t, rng, at - 120, actor_kind=kind))
    for n, t in enumerate(EDGE_TYPES):
        ev = make_event("project.updated", rng, at - 180)
        payload = ev.pop("project.updated")
        ev["id"] = f"audit_log-edge{n:03d}"
        ev["type"] = t
        ev[t] = payload
        events.append(ev)
    return events


def _kql_ids(events: List[Dict[str, Any]]) -> Set[str]:
    con = duckdb_kql.connect()
    con.sql("CREATE TABLE OpenAIAuditLogs (EventType VARCHAR, ActorSession VARCHAR, Project VARCHAR, "
            "EventDetails VARCHAR, Id VARCHAR, TimeGenerated TIMESTAMP)")
    rows = [(e["type"], json.dumps(e.get("actor")), json.dumps(e.get("project")), json.dumps(e.get(e["type"])),
             e["id"], e["effective_at"]) for e in events]
    con.executemany("INSERT INTO OpenAIAuditLogs VALUES (?, ?, ?, ?, ?, to_timestamp(?))", rows)
    result = duckdb_kql.kql(con, SEED_KQL)
    cols = [d[0] for d in result.description]
    return {r[cols.index("Id")] for r in result.fetchall()}


def test_seed_rule_selects_the_same_ids_as_the_kql() -> None:
    now = parse_time(DEFAULT_NOW)
    events = _fixtures(now)
    assert len({e["type"] for e in events}) >= 145 + len(EDGE_TYPES)
    expected = _kql_ids(events)
    rows = run_detection(Engine(app_dir=APP_DIR), NAME, events, now)
    got = [i for r in rows for i in as_list(r["event_ids"])]
    assert len(got) == len(set(got)), "each selected event is listed once"
    assert len(rows) == len({r["user"] for r in rows}), "one finding per actor (Sentinel groups by Account)"
    assert expected, "the KQL selects something"
    assert set(got) == expected, f"only SPL: {sorted(set(got) - expected)}; only KQL: {sorted(expected - set(got))}"
    # every finding carries the rule's output columns, one listed change per event
    for r in rows:
        for f in ("user", "types", "changes", "event_ids", "change_key"):
            assert f in r, f"{f} missing from {r}"
        assert int(r["change_count"]) == len(as_list(r["event_ids"])) == len(as_list(r["changes"]))
