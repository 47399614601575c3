"""Every panel search of the shipped dashboards, read from the XML, runs in the offline engine (splsim, with the
add-on's own props/macros) over fixture events and returns what the fixtures imply. So does the health alert."""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional, Sequence

import pytest

import dashboard_defs as dd
import dashboard_demo as demo
from splsim import Engine

NOW = 1_795_000_000  # fixed clock: fixtures and searches agree on "now"
ALERT = "OpenAI Audit - Collector Health - Alert"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    app_dir = dd.ROOT / "package"
    lookups = demo.lookup_files(demo.inventory_records(NOW), tmp_path_factory.mktemp("kv"), app_dir)
    return Engine(app_dir=str(app_dir), extra_lookups=lookups)


@pytest.fixture(scope="module")
def objs() -> List[Dict[str, Any]]:
    return demo.audit_objects(NOW)


@pytest.fixture(scope="module")
def data(objs: List[Dict[str, Any]]) -> Dict[str, List[demo.RawEvent]]:
    audit = demo.audit_events(objs)
    return {"audit": audit, "logs": demo.collector_logs(NOW, audit),
            "detections": demo.detection_events(NOW, with_es=True)}


@pytest.fixture(scope="module")
def events(engine: Engine, data: Dict[str, List[demo.RawEvent]]) -> list:
    return demo.engine_events(engine, [e for kind in data.values() for e in kind])


def run(engine: Engine, events: list, dashboard: str, ds_id: str, tokens: Optional[Mapping[str, str]] = None,
        now: int = NOW) -> List[Dict[str, Any]]:
    """Run one data source as the dashboard would: its query from the XML, default tokens (overridable) and the
    time picker's default range."""
    spl, earliest, latest = dd.data_source_search(dd.definition(dashboard), ds_id, tokens)
    return engine.search(spl, events, now=now, earliest=earliest, latest=latest)


def num(row: Mapping[str, Any], field: str) -> float:
    return float(row[field])


def total(rows: Sequence[Mapping[str, Any]], fields: Optional[Sequence[str]] = None) -> float:
    return sum(float(v) for r in rows for k, v in r.items() if k != "_time" and (fields is None or k in fields))


def _all_ds() -> List[tuple]:
    return [(name, ds_id) for name in dd.DASHBOARDS for ds_id in dd.queries(dd.definition(name))]


@pytest.mark.parametrize("dashboard,ds_id", _all_ds())
def test_every_search_returns_rows(engine: Engine, events: list, dashboard: str, ds_id: str) -> None:
    rows = run(engine, events, dashboard, ds_id)
    assert rows, f"{dashboard}/{ds_id} returned nothing over the fixtures"


# ---- overview ------------------------------------------------------------------------------------------------

def test_events_by_category_counts_every_event(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_events_by_category")
    assert total(rows) == len(objs)  # all fixture events are inside the default 7 days
    categories = {o["type"].split(".")[0] for o in objs}
    columns = {k for r in rows for k in r} - {"_time"}
    assert columns <= categories | {"OTHER"} and len(columns) == 13  # 12 named + OTHER
    times = [int(r["_time"]) for r in rows]
    assert times == sorted(times) and all(b - a == 4 * 3600 for a, b in zip(times, times[1:]))


def test_admin_changes_exclude_logins_newest_first(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_admin_changes")
    assert len(rows) == 200
    assert not any(r["type"].startswith(("login.", "logout.")) for r in rows)
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)
    ids = {o["id"] for o in objs}
    assert all(r["event_id"] in ids for r in rows)


def _actor(o: Mapping[str, Any]) -> str:
    a = o.get("actor") or {}
    s, k = a.get("session") or {}, a.get("api_key") or {}
    user = s.get("user") or k.get("user") or {}
    return user.get("email") or user.get("id") or (k.get("service_account") or {}).get("id") or k.get("id") or "unknown"


def _actor_kind(o: Mapping[str, Any]) -> str:
    a = o.get("actor") or {}
    if a.get("type") == "session":
        return "session"
    if a.get("type") == "api_key":
        return "service_account" if a["api_key"].get("type") == "service_account" else "user_api_key"
    return "unknown"


def test_top_actors_counts_match_fixtures(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_top_actors")
    expected = Counter((_actor(o), _actor_kind(o)) for o in objs)
    assert len(rows) == 15
    for r in rows:
        assert num(r, "events") == expected[(r["user"], r["actor_kind"])], r
    assert num(rows[0], "events") == max(expected.values())


def _logins(objs: list, kind: str) -> List[Dict[str, Any]]:
    return [o for o in objs if o["type"] == kind]


def test_logins_map_has_coordinates_and_all_logins(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_logins_map")
    assert total(rows, ["succeeded"]) == len(_logins(objs, "login.succeeded"))
    assert total(rows, ["failed"]) == len(_logins(objs, "login.failed"))
    for r in rows:
        assert -90 <= num(r, "lat") <= 90 and -180 <= num(r, "lon") <= 180 and len(r["src_country"]) == 2
    assert len({r["src_country"] for r in rows}) == len(rows) > 3


def test_logins_by_asn(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_logins_asn")
    logins = _logins(objs, "login.succeeded") + _logins(objs, "login.failed")
    assert total(rows, ["succeeded", "failed"]) == len(logins)
    asns = {o["actor"]["session"]["ip_address_details"]["asn"] for o in logins}
    assert {r["src_asn"] for r in rows} == asns


def test_key_and_service_account_lifecycle(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_key_lifecycle")
    lifecycle = [o for o in objs if o["type"].startswith(("api_key.", "service_account."))]
    assert {r["object_id"] for r in rows} == {o[o["type"]]["id"] for o in lifecycle}
    assert {r["kind"] for r in rows} == {"api_key", "service_account"}
    steps = {"created", "updated", "deleted"}
    for r in rows:
        got = r["lifecycle"] if isinstance(r["lifecycle"], list) else [r["lifecycle"]]
        assert set(got) <= steps


def test_new_fingerprint_flagged(engine: Engine, events: list, objs: list) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_new_fingerprints")
    sessions = [o["actor"]["session"] for o in objs if (o.get("actor") or {}).get("type") == "session"]
    assert {r["ja3"] for r in rows} == {s["ja3"] for s in sessions}
    fresh = [r for r in rows if r["ja3"] == demo.NEW_JA3]
    assert len(fresh) == 1 and fresh[0]["new_last_24h"] == "yes" and fresh[0]["ja4"] == demo.NEW_JA4
    assert rows[0]["ja3"] == demo.NEW_JA3  # newest first sighting on top
    assert any(r["new_last_24h"] == "no" for r in rows)


def test_detections_with_es_and_without(engine: Engine, events: list, data: dict) -> None:
    rows = run(engine, events, "openai_audit_overview", "ds_detections")
    by_name = {r["detection"]: r for r in rows}
    assert set(by_name) == {"OpenAI Audit - Admin API Key Created - Rule", "OpenAI Audit - Password Spraying - Rule"}
    spraying = by_name[demo.SPRAYING]
    # with ES a notable-raising rule has its scheduler line and its notables: each result counts once
    assert spraying["seen_in"] == "ES notable + scheduler"
    assert (num(spraying, "results"), num(spraying, "firings")) == (3, 2)
    assert num(by_name["OpenAI Audit - Admin API Key Created - Rule"], "firings") == 3
    assert num(by_name["OpenAI Audit - Admin API Key Created - Rule"], "results") == 3
    # no ES: the scheduler's record still shows what fired
    no_es = demo.engine_events(engine, data["audit"] + demo.detection_events(NOW, with_es=False))
    rows = run(engine, no_es, "openai_audit_overview", "ds_detections")
    assert [r["detection"] for r in rows] == ["OpenAI Audit - Admin API Key Created - Rule"]
    # nothing fired (or nothing enabled): an empty table, not an error
    assert run(engine, demo.engine_events(engine, data["audit"]), "openai_audit_overview", "ds_detections") == []


def test_account_and_input_filters(engine: Engine, events: list, data: dict) -> None:
    accounts = {r["account"]: r["filter"] for r in run(engine, events, "openai_audit_overview", "ds_account_list")}
    assert accounts["prod_account"] == 'source IN ("openai_audit://prod_org")'
    per_input = Counter(e.source for e in data["audit"])
    rows = run(engine, events, "openai_audit_overview", "ds_events_by_category",
               {"account_filter": accounts["prod_account"]})
    assert total(rows) == per_input["openai_audit://prod_org"] < len(data["audit"])
    rows = run(engine, events, "openai_audit_overview", "ds_events_by_category", {"input": "research_org"})
    assert total(rows) == per_input["openai_audit://research_org"]
    inputs = [r["input"] for r in run(engine, events, "openai_audit_overview", "ds_input_list")]
    assert sorted(inputs) == ["prod_org", "research_org"]


# ---- collector health ----------------------------------------------------------------------------------------

def _summaries(data: dict, name: str) -> List[Dict[str, str]]:
    out = []
    for e in data["logs"]:
        if e.source == demo.log_source(name) and "| run summary " in e.raw:
            out.append(dict(kv.split("=", 1) for kv in e.raw.split("| run summary ")[1].split()))
    return out


def _retries_429(data: dict, name: str) -> int:
    return sum(1 for e in data["logs"] if e.source == demo.log_source(name) and "retry 1" in e.raw
               and "HTTP 429" in e.raw)


def test_status_per_input(engine: Engine, events: list, data: dict) -> None:
    rows = {r["input"]: r for r in run(engine, events, "openai_audit_collector_health", "ds_status")}
    assert set(rows) == {"prod_org", "research_org", "legacy_org"}
    for name in ("prod_org", "research_org"):
        lines = _summaries(data, name)
        r = rows[name]
        assert num(r, "events_ingested") == sum(int(s["events"]) for s in lines) > 0
        assert num(r, "pages") == sum(int(s["pages"]) for s in lines)
        assert num(r, "retries") == sum(int(s["retries"]) for s in lines)
        assert num(r, "http_429") == _retries_429(data, name) > 0
        assert num(r, "polls") == len(lines) and num(r, "failed_polls") == 0
        assert float(r["minutes_since_success"]) <= 5.5 and r["account"] == name.replace("_org", "_account")
    legacy = rows["legacy_org"]
    assert legacy["last_success"] == "never" and num(legacy, "failed_polls") == num(legacy, "polls") > 0


def test_events_and_requests_over_time(engine: Engine, events: list, data: dict) -> None:
    rows = run(engine, events, "openai_audit_collector_health", "ds_events_over_time")
    expected = {n: sum(int(s["events"]) for s in _summaries(data, n)) for n in ("prod_org", "research_org")}
    for name, n in expected.items():
        assert total(rows, [name]) == n
    rows = run(engine, events, "openai_audit_collector_health", "ds_requests_over_time")
    assert total(rows, ["http_429"]) == _retries_429(data, "prod_org") + _retries_429(data, "research_org")
    assert total(rows, ["pages"]) == sum(int(s["pages"]) for n in expected for s in _summaries(data, n))


def test_lag_is_now_minus_newest_effective_at(engine: Engine, events: list, data: dict) -> None:
    rows = {r["input"]: r for r in run(engine, events, "openai_audit_collector_health", "ds_lag")}
    for name in ("prod_org", "research_org"):
        newest = max(e.time for e in data["audit"] if e.source == demo.input_source(name))
        assert num(rows[name], "lag_minutes") == round((NOW - newest) / 60, 1)


def test_errors_carry_their_messages(engine: Engine, events: list) -> None:
    rows = run(engine, events, "openai_audit_collector_health", "ds_errors")
    auth = [r for r in rows if r["category"] == "Authentication Error"]
    assert len(auth) == 1 and auth[0]["input"] == "legacy_org" and "HTTP 401" in auth[0]["message"]
    assert any("HTTP 429" in r["message"] and r["log_level"] == "WARNING" for r in rows)
    assert run(engine, events, "openai_audit_collector_health", "ds_errors", {"input": "research_org"}) == \
        [r for r in rows if r["input"] == "research_org"]


def test_health_filters(engine: Engine, events: list) -> None:
    rows = run(engine, events, "openai_audit_collector_health", "ds_status", {"input": "prod_org"})
    assert [r["input"] for r in rows] == ["prod_org"]
    rows = run(engine, events, "openai_audit_collector_health", "ds_status", {"account": "research_account"})
    assert [r["input"] for r in rows] == ["research_org"]
    inputs = run(engine, events, "openai_audit_collector_health", "ds_input_list", {"account": "legacy_account"})
    assert inputs == [{"input": "legacy_org"}]


# ---- the collector-health alert (savedsearches.conf) ----------------------------------------------------------

def _alert(engine: Engine, events: list, now: int) -> Dict[str, Dict[str, Any]]:
    ss = engine.savedsearches[ALERT]
    rows = engine.search(ss["search"], events, now=now, earliest=ss["dispatch.earliest_time"],
                         latest=ss["dispatch.latest_time"])
    return {r["input"]: r for r in rows}


def test_alert_stanza_ships_disabled_and_scheduled(engine: Engine) -> None:
    ss = engine.savedsearches[ALERT]
    assert ss["disabled"] == "1" and ss["enableSched"] == "1" and ss["cron_schedule"] == "*/15 * * * *"
    assert ss["description"] and ss["dispatch.earliest_time"] and "action.email.to" not in ss
    assert not ALERT.endswith(" - Rule")  # an ops alert, not an ES correlation search


def test_alert_fires_on_auth_failures_not_on_healthy_inputs(engine: Engine, events: list) -> None:
    fired = _alert(engine, events, NOW)
    assert list(fired) == ["legacy_org"]
    assert fired["legacy_org"]["reason"].startswith("keeps failing authentication")
    assert fired["legacy_org"]["account"] == "legacy_account"


def test_alert_fires_when_inputs_go_stale(engine: Engine, events: list, data: dict) -> None:
    last = max(e.time for e in data["logs"] if e.source == demo.log_source("prod_org") and "run summary" in e.raw)
    # 14 min after prod_org's last successful poll (< 3 x 300 s): not yet stale; 16 min: stale
    assert "prod_org" not in _alert(engine, events, int(last) + 14 * 60)
    fired = _alert(engine, events, int(last) + 16 * 60)
    assert fired["prod_org"]["reason"].startswith("stale: no successful poll for 16 min")
    assert fired["prod_org"]["interval"] == "300" and fired["prod_org"]["account"] == "prod_account"
    later = _alert(engine, events, NOW + 3600)
    assert set(later) == {"prod_org", "research_org", "legacy_org"}
    assert later["legacy_org"]["reason"].startswith("keeps failing authentication")


def test_alert_ignores_auth_failures_before_a_success(engine: Engine, data: dict) -> None:
    """Three 401s followed by a successful poll: recovered, no alert."""
    spec = demo.InputSpec("flaky_org", "flaky_account", healthy=False)
    bad = [e for e in demo.collector_logs(NOW - 3600, [], [spec], hours=1)][:12]
    good = demo.collector_logs(NOW, [], [demo.InputSpec("flaky_org", "flaky_account")], hours=1)
    fired = _alert(engine, demo.engine_events(engine, bad + good), NOW)
    assert fired == {}, json.dumps(fired)


# ---- the admin guide's troubleshooting searches -----------------------------------------------------------------

def _guide_searches() -> List[tuple]:
    """(symptom, SPL) for every search in the guide's troubleshooting table (package/README.txt)."""
    out = []
    for line in (dd.ROOT / "package" / "README.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| \*\*(.+?)\*\* \| (.*?) \| ", line)
        if m:
            for double, single in re.findall(r"`` (.+?) ``|`([^`]+)`", m.group(2)):
                spl = (double or single).replace("\\|", "|")
                if "index=" in spl or "`openai_audit`" in spl:
                    out.append((m.group(1), spl))
    return out


def test_guide_troubleshooting_searches_run_and_find_the_symptoms(engine: Engine, events: list) -> None:
    searches = _guide_searches()
    symptoms = {s for s, _ in searches}
    assert {"401", "403 / missing scope", "429s", "Audit logging off", "No data at all", "Clock skew"} <= symptoms
    found = {}
    for symptom, spl in searches:
        rows = engine.search(spl, events, now=NOW, earliest="-24h")  # every one is valid SPL for the engine
        found[symptom] = found.get(symptom, 0) + len(rows)
    # the fixtures have a 401-failing input, 429 retries, polls, events and errors (no 403)
    for symptom in ("401", "429s", "Audit logging off", "No data at all", "Clock skew", "Errors in general"):
        assert found[symptom] > 0, symptom
    assert found["403 / missing scope"] == 0
