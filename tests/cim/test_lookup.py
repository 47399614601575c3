"""openai_audit_event_types.csv: covers every event type of the spec, with valid CIM classifications."""
from __future__ import annotations

import csv
import fnmatch
import re

import pytest

from cim_support import (AUTH_ACTIONS, CHANGE_ACTIONS, DATASETS, LOOKUP_CSV, conf, exact_lookup, is_account_type,
                         lookup_rows, props_stanza, spec_rows, types_missing_from_lookup)

HEADER = ["event_type", "datamodel", "dataset", "action", "change_type", "object_category", "tenant_scoped",
          "description"]


def test_header_is_the_documented_one():
    with LOOKUP_CSV.open(encoding="utf-8") as fh:
        assert fh.readline().strip().split(",") == HEADER


def test_every_spec_event_type_has_an_exact_row():
    assert len(spec_rows()) >= 145
    missing = types_missing_from_lookup()
    assert not missing, "event types in the spec but not in the lookup: %s" % missing


def test_coverage_check_catches_a_new_spec_type(tmp_path):
    """A spec list that grew by one type is reported (the check above would fail)."""
    rows = spec_rows()
    grown = tmp_path / "event-types.csv"
    with grown.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows + [dict(rows[0], event_type="widget.teleported")])
    assert types_missing_from_lookup(grown) == ["widget.teleported"]


def test_no_exact_row_for_a_type_the_spec_lacks():
    extra = sorted(set(exact_lookup()) - {r["event_type"] for r in spec_rows()})
    assert not extra


def test_event_types_are_unique():
    names = [r["event_type"] for r in lookup_rows()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("row", [r for r in lookup_rows() if "*" not in r["event_type"]], ids=lambda r: r["event_type"])
def test_exact_row_is_a_valid_cim_classification(row):
    dm, ds, action = row["datamodel"], row["dataset"], row["action"]
    assert ds in DATASETS[dm]
    assert action in (AUTH_ACTIONS if dm == "Authentication" else CHANGE_ACTIONS)
    if dm == "Change":
        assert row["change_type"] in ("AAA", "configuration")
        assert re.fullmatch(r"[a-z_]+", row["object_category"])
    else:
        assert row["change_type"] == "" and row["object_category"] == ""
    assert row["description"].strip() and "\n" not in row["description"]


def test_tenant_scope_matches_the_spec():
    spec = {r["event_type"]: r["tenant_scoped"] for r in spec_rows()}
    got = {t: r["tenant_scoped"] for t, r in exact_lookup().items()}
    assert got == spec


def test_only_logins_are_authentication_and_failures_fail():
    rows = exact_lookup()
    assert {t for t, r in rows.items() if r["datamodel"] == "Authentication"} == {"login.succeeded", "login.failed"}
    assert rows["login.failed"]["action"] == "failure" and rows["login.succeeded"]["action"] == "success"


def test_account_management_rows_follow_the_account_rule():
    """Exact rows: dataset Account_Management <=> the account-family rule (also used by props EVAL-user)."""
    for t, r in exact_lookup().items():
        assert (r["dataset"] == "Account_Management") == is_account_type(t), t


def test_props_account_regex_agrees_with_the_lookup_for_known_and_unknown_types():
    expr = props_stanza()["EVAL-user"]
    regex = re.search(r'match\(type, "([^"]+)"\)', expr).group(1)
    probes = list(exact_lookup()) + ["user.suspended", "tenant.user.suspended", "tenant.group.member.promoted",
                                     "widget.created", "tenant.widget.created", "roles.x", "usage.user.y"]
    for t in probes:
        assert bool(re.search(regex, t)) == (first_match(t)["dataset"] == "Account_Management"), t
    for other in ("EVAL-src_user", "EVAL-src_user_type"):
        assert regex in props_stanza()[other]


def first_match(event_type: str) -> dict:
    """WILDCARD(event_type) with max_matches = 1: the first row in file order whose pattern matches."""
    for r in lookup_rows():
        if fnmatch.fnmatchcase(event_type, r["event_type"]):
            return r
    raise AssertionError("no row matches %s" % event_type)


def test_fallback_rows_come_last_and_end_with_catch_all():
    names = [r["event_type"] for r in lookup_rows()]
    first_wild = next(i for i, n in enumerate(names) if "*" in n)
    assert all("*" in n for n in names[first_wild:])
    assert names[-1] == "*"
    assert first_match("brand_new.thing")["datamodel"] == "Change"
    assert first_match("tenant.brand_new.thing")["tenant_scoped"] == "true"
    for t, r in exact_lookup().items():  # no exact type is shadowed by a wildcard row
        assert first_match(t)["event_type"] == t


def test_transforms_definition_is_wildcard_first_match():
    st = conf("transforms.conf")["openai_audit_event_types"]
    assert st["filename"] == "openai_audit_event_types.csv"
    assert st["match_type"] == "WILDCARD(event_type)"
    assert st["max_matches"] == "1"
