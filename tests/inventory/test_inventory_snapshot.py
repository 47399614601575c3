"""Pure snapshot semantics (oai_audit.inventory_snapshot): merge of a complete list with the previous records,
ES identity rows in the identity lookup format the ES documentation gives (issue 15 §2; source below)."""
from __future__ import annotations

import calendar
import configparser
import time
from pathlib import Path

from oai_audit.inventory_snapshot import IDENTITY_FIELDS, es_time, event_of, flatten, identities, merge

ROOT = Path(__file__).resolve().parents[2]

USER = {"object": "organization.user", "id": "user-a", "email": "a@example.com", "name": "Ann Lee", "role": "owner",
        "added_at": 1735689600, "is_scim_managed": True, "is_service_account": False, "api_key_last_used_at": None}


def test_present_removed_and_back_again():
    recs, removed = merge("users", [USER], [], "acc", 100, "s1")
    assert removed == [] and recs[0]["status"] == "present" and recs[0]["first_seen"] == 100
    recs2, removed2 = merge("users", [], recs, "acc", 200, "s2")
    assert [r["_key"] for r in removed2] == ["acc:user:user-a"]
    assert recs2[0]["status"] == "removed" and recs2[0]["removed_at"] == 200 and recs2[0]["last_seen"] == 100
    recs3, removed3 = merge("users", [], recs2, "acc", 300, "s3")  # still gone: not announced again
    assert removed3 == [] and recs3[0]["removed_at"] == 200 and recs3[0]["snapshot_id"] == "s3"
    back, _ = merge("users", [USER], recs3, "acc", 400, "s4")
    assert back[0]["status"] == "present" and back[0]["removed_at"] is None and back[0]["first_seen"] == 100


def test_other_accounts_and_kinds_are_not_touched():
    other = dict(merge("users", [USER], [], "other", 100, "s1")[0][0])
    key = dict(merge("admin_api_keys", [{"id": "key_1", "owner": {"type": "user", "id": "user-a"}}], [], "acc",
                     100, "s1")[0][0])
    recs, removed = merge("users", [], [other, key], "acc", 200, "s2")
    assert recs == [] and removed == []


def test_key_owners_are_flattened_for_both_spec_shapes():
    project_key = {"id": "key_p", "owner": {"type": "service_account", "service_account": {
        "id": "svc_1", "name": "bot", "role": "owner", "created_at": 1}}}
    admin_key = {"id": "key_a", "owner": {"type": "user", "object": "organization.user", "id": "user-a",
                                          "name": "Ann Lee", "role": "owner"}}
    assert flatten("project_api_key", project_key)["owner_id"] == "svc_1"
    assert flatten("project_api_key", project_key)["owner_type"] == "service_account"
    assert flatten("admin_api_key", admin_key)["owner_id"] == "user-a"
    assert flatten("project", {"id": "p", "status": "archived"})["project_status"] == "archived"


def test_identities_in_es_format_with_end_date_once_removed():
    users, _ = merge("users", [USER], [], "acc", 100, "s1")
    users, _ = merge("users", [], users, "acc", 1735776000, "s2")
    sas, _ = merge("service_accounts", [{"id": "svc_1", "name": "bot", "role": "owner", "created_at": 1735689600,
                                         "project_id": "p1"}], [], "acc", 100, "s1")
    rows = identities(users, sas)
    assert all(set(IDENTITY_FIELDS) <= set(r) for r in rows)
    person, bot = rows
    assert person["identity"] == "a@example.com|user-a" and person["first"] == "Ann" and person["last"] == "Lee"
    assert person["category"] == "openai_owner" and person["startDate"] == "01/01/2025 00:00"
    assert person["endDate"] == es_time(1735776000) == "01/02/2025 00:00"
    assert bot["identity"] == "svc_1" and bot["category"] == "openai_service_account" and bot["endDate"] == ""
    assert not any(k.endswith(("_bunit", "_category", "_priority")) for k in person)


def test_events_carry_no_kv_bookkeeping():
    rec = merge("users", [USER], [], "acc", 100, "s1")[0][0]
    ev = event_of(dict(rec, _user="nobody"))
    assert "_key" not in ev and "_user" not in ev and ev["object_kind"] == "user" and ev["snapshot_time"] == 100


# The ES identity lookup format, from the Splunk Enterprise Security documentation "Format an asset or identity list
# as a lookup in Splunk Enterprise Security" (docs.splunk.com/Documentation/ES/latest/Admin/Formatassetoridentitylist),
# sections "Identity lookup header" and "Identity lookup fields": the header below; identity = "a pipe-delimited list
# of username strings"; category = pipe-delimited strings; watchlist = "true" or empty; priority = unknown, low,
# medium, high or critical (recommended, may be empty); startDate / endDate formats %m/%d/%Y %H:%M, %m/%d/%y %H:%M
# or %s. Not verified against a running ES here (none is available to the tests).
ES_IDENTITY_HEADER = ("identity,prefix,nick,first,last,suffix,email,phone,phone2,managedBy,priority,bunit,category,"
                      "watchlist,startDate,endDate,work_city,work_country,work_lat,work_long")
ES_DATE_FORMAT = "%m/%d/%Y %H:%M"


def test_identity_rows_follow_the_documented_es_identity_lookup_format():
    assert ",".join(IDENTITY_FIELDS) == ES_IDENTITY_HEADER
    transforms = configparser.ConfigParser(interpolation=None)
    transforms.read(ROOT / "package" / "default" / "transforms.conf")
    shipped = transforms["openai_audit_identities"]["fields_list"].split(",")
    assert shipped == ["_key"] + ES_IDENTITY_HEADER.split(",") + ["account"]  # the lookup ES reads
    users, _ = merge("users", [USER], [], "acc", 100, "s1")
    users, _ = merge("users", [], users, "acc", 1735776060, "s2")
    sas, _ = merge("service_accounts", [{"id": "svc_1", "name": "bot", "created_at": 1735689600}], [], "acc", 100,
                   "s1")
    person, bot = identities(users, sas)
    assert person["identity"].split("|") == ["a@example.com", "user-a"]  # the documented multi-value delimiter
    assert bot["identity"] == "svc_1" and "|" not in person["category"] + bot["category"]
    for row, start, end in ((person, USER["added_at"], 1735776060), (bot, 1735689600, None)):
        assert calendar.timegm(time.strptime(row["startDate"], ES_DATE_FORMAT)) == start
        assert (calendar.timegm(time.strptime(row["endDate"], ES_DATE_FORMAT)) if row["endDate"] else None) == end
        assert row["watchlist"] in ("", "true") and row["priority"] in ("", "unknown", "low", "medium", "high",
                                                                         "critical")
