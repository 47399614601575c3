"""Shared helpers of the detection tests: fixture events as the input writes them, and running a shipped
detection (the rendered savedsearches.conf stanza, macros expanded) in the offline engine."""
from __future__ import annotations

import calendar
import csv
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from oai_audit.events import to_raw
from splsim import Engine
from splsim.conf import read_conf

import render_detections

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = str(ROOT / "package")
LOOKUPS_DIR = ROOT / "package" / "lookups"
DEFAULT_NOW = "2026-11-23T15:02:00Z"  # a Monday afternoon (UTC): inside the default business hours

# Named actors of the YAML fixtures; a fixture may also give a mapping with the same keys.
ACTORS: Dict[str, Dict[str, Any]] = {
    "alice": {"kind": "session", "email": "alice@corp.example", "user_id": "user-alice", "ip": "198.51.100.10",
              "country": "US", "asn": "64500", "ja3": "a497151ce4338a12c4418c44d375173e",
              "ja4": "q13d0313h3_55b375c5d22e_c7319ce65786"},
    "bob": {"kind": "session", "email": "bob@corp.example", "user_id": "user-bob", "ip": "198.51.100.20",
            "country": "US", "asn": "64500", "ja3": "b497151ce4338a12c4418c44d375173e",
            "ja4": "q13d0313h3_55b375c5d22e_c7319ce65787"},
    "svc_key": {"kind": "service_account", "key_id": "key_svc1", "service_account_id": "svc_automation"},
    "user_key": {"kind": "user_api_key", "key_id": "key_carol", "email": "carol@corp.example",
                 "user_id": "user-carol"},
}


def parse_time(text: str) -> float:
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def _fmt(value: Any, i: int) -> Any:
    """Substitute {i} (the repeat index) in every string of a fixture value."""
    if isinstance(value, str):
        return value.replace("{i}", str(i))
    if isinstance(value, list):
        return [_fmt(v, i) for v in value]
    if isinstance(value, dict):
        return {k: _fmt(v, i) for k, v in value.items()}
    return value


def build_actor(spec: Union[str, Mapping[str, Any]]) -> Dict[str, Any]:
    """An AuditLogActor object (spec shape, with the session extras seen in the API examples)."""
    a = dict(ACTORS[spec]) if isinstance(spec, str) else dict(spec)
    kind = a.get("kind", "session")
    if kind == "session":
        session: Dict[str, Any] = {"user": {"id": a.get("user_id", "user-" + a["email"].split("@")[0]),
                                            "email": a["email"]},
                                   "ip_address": a["ip"], "user_agent": a.get("user_agent", "Mozilla/5.0")}
        if a.get("ja3"):
            session["ja3"] = a["ja3"]
        if a.get("ja4"):
            session["ja4"] = a["ja4"]
        if a.get("country"):
            session["ip_address_details"] = {"country": a["country"], "city": a.get("city", "City"),
                                             "region": "Region", "region_code": "RC", "asn": a.get("asn", "64500"),
                                             "latitude": "0.0", "longitude": "0.0"}
        return {"type": "session", "session": session}
    if kind == "service_account":
        return {"type": "api_key", "api_key": {"id": a["key_id"], "type": "service_account",
                                               "service_account": {"id": a["service_account_id"]}}}
    return {"type": "api_key", "api_key": {"id": a["key_id"], "type": "user",
                                           "user": {"id": a["user_id"], "email": a["email"]}}}


def build_events(specs: Sequence[Mapping[str, Any]], now: float) -> List[Dict[str, Any]]:
    """Audit-log objects from YAML fixture specs (type, actor, minutes_ago, payload, project, repeat, every:
    the minutes between repeats, default one second)."""
    out: List[Dict[str, Any]] = []
    for n, spec in enumerate(specs):
        step = 60 * float(spec["every"]) if "every" in spec else 1.0
        for i in range(int(spec.get("repeat", 1))):
            at = int(now - 60 * float(spec.get("minutes_ago", 20)) + i * step)
            obj: Dict[str, Any] = {"id": f"audit_log-{n:02d}{i:04d}{at}", "type": spec["type"], "effective_at": at}
            if spec.get("project"):
                obj["project"] = {"id": "proj_main", "name": "Main Project"}
            obj["actor"] = build_actor(_fmt(spec.get("actor", "alice"), i))
            if "payload" in spec:
                obj[spec["type"]] = _fmt(spec["payload"], i)
            out.append(obj)
    return out


def lookup_overrides(tmp_dir: Path, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Dict[str, str]:
    """Copies of shipped lookups with the fixture's rows appended (shipped example rows kept); a KV-store lookup
    (keyed by its transforms.conf name) gets the fixture's rows as its collection's records."""
    out: Dict[str, str] = {}
    transforms = read_conf(str(ROOT / "package" / "default" / "transforms.conf"))
    for filename, extra in rows.items():
        if filename in transforms and "fields_list" in transforms[filename]:  # a KV-store lookup: its records
            header = [c.strip() for c in transforms[filename]["fields_list"].split(",") if c.strip()]
            existing: List[Dict[str, Any]] = []
        else:
            with open(LOOKUPS_DIR / filename, newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                header = list(reader.fieldnames or [])
                existing = list(reader)
        path = tmp_dir / filename
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(existing)
            writer.writerows([{k: r.get(k, "") for k in header} for r in extra])
        out[filename] = str(path)
    return out


def shipped_stanza(eng: Engine, name: str) -> Mapping[str, str]:
    return eng.savedsearches[render_detections.stanza_name(name)]


def run_detection(eng: Engine, name: str, objs: Sequence[Mapping[str, Any]], now: float) -> List[Dict[str, Any]]:
    """Run the shipped saved search over the objects written as the input writes them, with its dispatch window."""
    st = shipped_stanza(eng, name)
    events = [eng.make_event(to_raw(o)) for o in objs]
    return eng.search(st["search"], events, now=now, earliest=st["dispatch.earliest_time"],
                      latest=st["dispatch.latest_time"])


def as_list(v: Optional[Union[str, List[str]]]) -> List[str]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


# Issue 15: the actor context of a fixture's actors, as the openai_inventory input and the customer's CSV give it.
CONTEXT_LOOKUPS = ("openai_audit_inventory_users", "openai_audit_inventory_service_accounts",
                   "openai_audit_inventory_api_keys", "openai_audit_actor_context.csv")
ACTOR_FIELDS = ("actor_org_role", "actor_scim_managed", "actor_team", "actor_employment_status")


def fixture_actors(objs: Sequence[Mapping[str, Any]]) -> Dict[str, Dict[str, str]]:
    """The `user` value of each event's actor (as the openai_audit_actor macro derives it) -> its user id and email
    (people) or service account id."""
    out: Dict[str, Dict[str, str]] = {}
    for o in objs:
        actor = o.get("actor") or {}
        key = actor.get("api_key") or {}
        person = (actor.get("session") or {}).get("user") or key.get("user")
        if person:
            user = person.get("email") or person.get("id")
            out[user] = {"id": person.get("id", ""), "email": person.get("email", "")}
        elif (key.get("service_account") or {}).get("id"):
            out[key["service_account"]["id"]] = {"service_account_id": key["service_account"]["id"]}
    return out


def with_actor_context(lookups: Mapping[str, Sequence[Mapping[str, Any]]], objs: Sequence[Mapping[str, Any]],
                       employment_status: str = "active", role: str = "owner",
                       team: str = "platform") -> Dict[str, List[Mapping[str, Any]]]:
    """A fixture's lookups plus an inventory user record (present, SCIM-managed) for each person acting in ``objs``
    and a context row for each actor; rows the fixture itself gives for an actor win (they come first and the
    generated ones for that actor are left out)."""
    out: Dict[str, List[Mapping[str, Any]]] = {k: list(v) for k, v in lookups.items()}
    users = out.setdefault("openai_audit_inventory_users", [])
    context = out.setdefault("openai_audit_actor_context.csv", [])
    known_ids = {str(r.get("id")) for r in users}
    known_actors = {str(r.get("actor")).lower() for r in context}
    for user, ids in fixture_actors(objs).items():
        if ids.get("id") and ids["id"] not in known_ids:
            users.append({"id": ids["id"], "email": ids["email"], "role": role, "is_scim_managed": "true",
                          "status": "present"})
        if user.lower() not in known_actors:
            context.append({"actor": user, "team": team, "employment_status": employment_status,
                            "manager": "manager@corp.example"})
    return out


def elevated(severity: str) -> str:
    """One level up (openai_audit_elevate_inactive_actor's definition; critical stays critical)."""
    order = render_detections.SEVERITIES
    return order[min(order.index(severity) + 1, len(order) - 1)]
