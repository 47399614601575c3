"""Eventtypes/tags and the CIM datasets' own constraints (CIM 6.x Change.json / Authentication.json) select
exactly the intended events, computed independently from the classification lookup."""
from __future__ import annotations

from typing import Callable, Dict, List, Set

import pytest

from cim_support import exact_lookup

ROOT_AUTH = 'tag=authentication NOT (action=success user=*$)'
ROOT_CHANGE = 'tag=change'
ROOT_ACCOUNT = 'tag=change tag=account'

Row = Dict[str, str]


def _types(pred: Callable[[Row], bool]) -> Set[str]:
    return {t for t, r in exact_lookup().items() if pred(r)}


CONSTRAINTS: Dict[str, tuple] = {
    # dataset: (constraint as the data model applies it, the event types that must match)
    "Authentication": (ROOT_AUTH, _types(lambda r: r["datamodel"] == "Authentication")),
    "Failed_Authentication": (ROOT_AUTH + ' (action="failure" OR result="failure")', {"login.failed"}),
    "Successful_Authentication": (ROOT_AUTH + ' (action="success" OR result="success")', {"login.succeeded"}),
    "All_Changes": (ROOT_CHANGE, _types(lambda r: r["datamodel"] == "Change")),
    "Account_Management": (ROOT_ACCOUNT, _types(lambda r: r["dataset"] == "Account_Management")),
    "Accounts_Created": (ROOT_ACCOUNT + ' action="created"',
                         _types(lambda r: r["dataset"] == "Account_Management" and r["action"] == "created")),
    "Accounts_Deleted": (ROOT_ACCOUNT + ' action="deleted"',
                         _types(lambda r: r["dataset"] == "Account_Management" and r["action"] == "deleted")),
    "Accounts_Updated": (ROOT_ACCOUNT + ' (action="updated" OR action="modified")',
                         _types(lambda r: r["dataset"] == "Account_Management" and r["action"] in ("updated", "modified"))),
    "Account_Lockouts": (ROOT_ACCOUNT + ' result="lockout"', set()),
    # audit settings: organization.updated sets api_call_logging (every generated organization.updated does)
    "Auditing_Changes": (ROOT_CHANGE + ' tag=audit', {"organization.updated"}),
    "Endpoint_Changes": (ROOT_CHANGE + ' tag=endpoint', set()),
    "Network_Changes": (ROOT_CHANGE + ' tag=network', _types(lambda r: r["dataset"] == "Network_Changes")),
    "Instance_Changes": (ROOT_CHANGE + ' tag=instance', set()),
}


@pytest.fixture(scope="module")
def events(indexed) -> List:
    return [ev for _, ev in indexed]


@pytest.mark.parametrize("dataset", sorted(CONSTRAINTS))
def test_dataset_constraint_selects_exactly_the_intended_types(engine, events, dataset):
    constraint, expected = CONSTRAINTS[dataset]
    rows = engine.search('sourcetype="openai:audit" %s | fields type' % constraint, events)
    assert {r["type"] for r in rows} == expected


def test_expected_sets_are_meaningful():
    assert CONSTRAINTS["Authentication"][1] == {"login.succeeded", "login.failed"}
    assert {"user.added", "invite.sent", "api_key.created", "service_account.created"} <= CONSTRAINTS["Accounts_Created"][1]
    assert {"user.deleted", "api_key.deleted", "tenant.user.removed"} <= CONSTRAINTS["Accounts_Deleted"][1]
    assert {"role.assignment.created", "user.updated"} <= CONSTRAINTS["Accounts_Updated"][1]
    assert "organization.updated" in CONSTRAINTS["All_Changes"][1] - CONSTRAINTS["Account_Management"][1]
    assert {"ip_allowlist.created", "ip_allowlist.config.activated"} <= CONSTRAINTS["Network_Changes"][1]


def test_every_event_lands_in_exactly_one_root_data_model(engine, events):
    auth = engine.search('sourcetype="openai:audit" tag=authentication | fields id', events)
    change = engine.search('sourcetype="openai:audit" tag=change | fields id', events)
    ids_auth, ids_change = {r["id"] for r in auth}, {r["id"] for r in change}
    assert not ids_auth & ids_change
    assert len(ids_auth | ids_change) == len(events)


def test_eventtype_and_tag_counts(engine, events):
    rows = engine.search('sourcetype="openai:audit" | stats count by eventtype', events)
    counts = {r["eventtype"]: int(r["count"]) for r in rows}
    n_auth = sum(1 for ev in events if '"type":"login.' in ev.raw)
    assert counts["openai_audit_authentication"] == n_auth
    assert counts["openai_audit_change"] == len(events) - n_auth
    assert counts["openai_audit_account_management"] < counts["openai_audit_change"]


def test_authentication_root_excludes_successful_machine_accounts(engine):
    """The Authentication root constraint drops action=success for users ending in $, keeps failures."""
    from oai_audit.events import to_raw

    def login(t: str, email: str):
        obj = {"id": "audit_log-%s" % t, "type": t, "effective_at": 1767225600,
               "actor": {"type": "session", "session": {"user": {"id": "user-1", "email": email}, "ip_address": "192.0.2.5"}}}
        return engine.make_event(to_raw(obj))

    evs = [login("login.succeeded", "host$"), login("login.failed", "host$"), login("login.succeeded", "a@example.com")]
    rows = engine.search('sourcetype="openai:audit" %s | fields type user' % ROOT_AUTH, evs)
    assert sorted((r["type"], r["user"]) for r in rows) == [("login.failed", "host$"), ("login.succeeded", "a@example.com")]


def test_audit_tag_follows_the_audit_setting_not_the_type(engine):
    """Only an organization.updated that changes API call logging is an audit-settings change (Auditing_Changes);
    a title change is an ordinary configuration change."""
    from oai_audit.events import to_raw

    def org_update(changes: dict):
        obj = {"id": "audit_log-o", "type": "organization.updated", "effective_at": 1767225600, "actor": None,
               "organization.updated": {"id": "org-1", "changes_requested": changes}}
        return engine.extract(engine.make_event(to_raw(obj)))

    for changes, audit in (({"title": "New name"}, False), ({"api_call_logging": "disabled"}, True),
                           ({"api_call_logging_project_ids": "proj_1"}, True)):
        tags = org_update(changes)["tag"]
        assert ("audit" in tags) == audit and "change" in tags, changes
