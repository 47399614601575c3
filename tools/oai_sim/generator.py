"""Seeded generator of realistic OpenAI audit-log events (AuditLog objects shaped exactly as the spec).

- ``make_event(type, rng, effective_at, actor_kind=None)``: one event.
- ``generate(n, seed, start, end, types=None, tenant=None)``: n events, deterministic per seed.
- ``one_of_each(seed, at)``: one event of each of the 145 types.
- ``same_second_burst(n, at, seed=0)``: n events sharing one ``effective_at`` (page-boundary tests).
- ``Dataset``: the same events, produced lazily from compact arrays (1M events in ~20 MB) for the simulator.

Identities (users, projects, service accounts, API keys, the org) come from one fixed population so the same
user shows up across events with a home city, IP and browser (and occasionally somewhere else).
Session IPs are documentation ranges only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
"""
from __future__ import annotations

import hashlib
import random
from array import array
from typing import Any, Dict, Iterable, List, Optional, Sequence

from . import tables as T
from .catalog import EVENT_TYPES, PAYLOAD_FIELDS, TENANT_TYPES
from .payloads import Context, build_payload, rand_hex, rand_token

try:  # the collector owns the one serialisation of an event; re-exported here for tests when importable
    from oai_audit.events import to_raw  # noqa: F401
except ImportError:  # pragma: no cover - oai_sim used without package/bin on sys.path
    pass

__all__ = ["EVENT_TYPES", "TENANT_TYPES", "PAYLOAD_FIELDS", "ACTOR_KINDS", "POPULATION", "make_event",
           "generate", "one_of_each", "same_second_burst", "Dataset", "select_types"]

ACTOR_KINDS = ("session", "api_key_user", "api_key_service_account", "none")
_PROJECT_FAMILIES = ("api_key.", "project.", "rate_limit.", "service_account.", "checkpoint.permission.")


class Population:
    """Fixed, seed-independent cast of identities shared by every generated event."""

    def __init__(self, seed: int = 20260101) -> None:
        rng = random.Random(seed)
        self.org_id = "org-" + rand_token(rng, 24)
        self.users: List[Dict[str, Any]] = []
        for i, first in enumerate(T.FIRST_NAMES):
            self.users.append({
                "id": "user-" + rand_token(rng, 24),
                "email": "%s@%s" % (first, T.DOMAINS[i % len(T.DOMAINS)]),
                "home": rng.randrange(len(T.CITIES)),
                "client": rng.randrange(len(T.CLIENTS)),
                "ipv6": rng.random() < 0.15,
            })
        self.projects = [{"id": "proj_" + rand_token(rng, 24), "name": name} for name in T.PROJECT_NAMES]
        self.service_accounts = ["svc_acct_" + rand_token(rng, 16) for _ in range(6)]
        self.keys = ["key_" + rand_token(rng, 16) for _ in range(12)]


POPULATION = Population()


def _ip(rng: random.Random, user: Dict[str, Any], city: int) -> str:
    # stable per (user, city) so "same user, new IP" is meaningful
    h = int(hashlib.sha1(("%s|%d" % (user["id"], city)).encode()).hexdigest(), 16)
    if user["ipv6"]:
        return "2001:db8:%x::%x" % (h & 0xFFFF, (h >> 16) & 0xFFFF or 1)
    net = ("192.0.2.%d", "198.51.100.%d", "203.0.113.%d")[h % 3]
    return net % (1 + (h >> 8) % 254)


def _session(rng: random.Random, user: Dict[str, Any]) -> Dict[str, Any]:
    city = user["home"] if rng.random() < 0.85 else rng.randrange(len(T.CITIES))
    client = user["client"] if rng.random() < 0.9 else rng.randrange(len(T.CLIENTS))
    country, name, region, code, asn, lat, lon = T.CITIES[city]
    ua, ja3, ja4 = T.CLIENTS[client]
    return {
        "user": {"id": user["id"], "email": user["email"]},
        "ip_address": _ip(rng, user, city),
        "user_agent": ua, "ja3": ja3, "ja4": ja4,
        "ip_address_details": {"country": country, "city": name, "region": region, "region_code": code,
                               "asn": asn, "latitude": lat, "longitude": lon},
    }


def _actor(kind: str, rng: random.Random) -> Optional[Dict[str, Any]]:
    pop = POPULATION
    if kind == "session":
        return {"type": "session", "session": _session(rng, rng.choice(pop.users))}
    if kind == "api_key_user":
        user = rng.choice(pop.users)
        return {"type": "api_key", "api_key": {"id": rng.choice(pop.keys), "type": "user",
                                               "user": {"id": user["id"], "email": user["email"]}}}
    if kind == "api_key_service_account":
        return {"type": "api_key", "api_key": {"id": rng.choice(pop.keys), "type": "service_account",
                                               "service_account": {"id": rng.choice(pop.service_accounts)}}}
    if kind == "none":
        return None
    raise ValueError("unknown actor_kind %r (expected one of %s)" % (kind, ", ".join(ACTOR_KINDS)))


def _pick_actor_kind(event_type: str, rng: random.Random) -> str:
    if event_type.startswith(("login.", "logout.")):
        return "session"
    r = rng.random()
    if event_type.startswith("tenant.") and r < 0.03:
        return "none"  # actor is nullable; the spec does not say what tenant events carry
    return "session" if r < 0.6 else ("api_key_user" if r < 0.8 else "api_key_service_account")


def make_event(event_type: str, rng: random.Random, effective_at: int, *,
               actor_kind: Optional[str] = None) -> Dict[str, Any]:
    """One AuditLog object: id, type, effective_at, [project], actor, and the payload under key ``type``."""
    if event_type not in PAYLOAD_FIELDS:
        raise ValueError("unknown event type %r" % event_type)
    kind = actor_kind or _pick_actor_kind(event_type, rng)
    if event_type.startswith(("login.", "logout.")) and kind != "session":
        raise ValueError("%s events always have a session actor" % event_type)
    event: Dict[str, Any] = {"id": "audit_log-" + rand_hex(rng, 24), "type": event_type,
                             "effective_at": int(effective_at)}
    project = None
    if event_type.startswith(_PROJECT_FAMILIES) or (kind.startswith("api_key") and rng.random() < 0.3):
        project = dict(rng.choice(POPULATION.projects))
        if event_type == "project.created":
            project = None  # filled below from the payload
        else:
            event["project"] = project
    event["actor"] = _actor(kind, rng)
    payload = build_payload(event_type, rng, Context(POPULATION.org_id, project, POPULATION))
    if event_type == "project.created":
        event["project"] = {"id": payload["id"], "name": payload["data"]["title"]}
        event["actor"] = event.pop("actor")  # keep spec key order: project before actor
    event[event_type] = payload
    return event


def select_types(types: Optional[Sequence[str]] = None, tenant: Optional[bool] = None) -> List[str]:
    chosen = list(types) if types is not None else list(EVENT_TYPES)
    unknown = [t for t in chosen if t not in PAYLOAD_FIELDS]
    if unknown:
        raise ValueError("unknown event types: %s" % ", ".join(unknown))
    if tenant is not None:
        chosen = [t for t in chosen if (t in TENANT_TYPES) == tenant]
    if not chosen:
        raise ValueError("no event types left to generate")
    return chosen


class Dataset:
    """n events with effective_at uniform in [start, end], stored as compact arrays and built on demand.

    Index i is in ascending (effective_at, id) order; ``event(i)`` is deterministic. Ids are
    ``audit_log-<20 hex>``: a per-dataset tag then the index, so they sort like the index (the simulator
    relies on that for its tie-break; API clients must not parse ids)."""

    def __init__(self, n: int, seed: int, start: int, end: int, *, types: Optional[Sequence[str]] = None,
                 tenant: Optional[bool] = None) -> None:
        if n < 0 or end < start:
            raise ValueError("need n >= 0 and start <= end")
        self.seed = seed
        self.types = select_types(types, tenant)
        rng = random.Random(seed)
        times = sorted(rng.randint(start, end) for _ in range(n))
        self.eff = array("q", times)
        self.kind = array("H", (rng.randrange(len(self.types)) for _ in range(n)))
        digest = hashlib.sha1(repr((n, seed, start, end, self.types)).encode()).hexdigest()
        self.tag = digest[:10]

    def __len__(self) -> int:
        return len(self.eff)

    def id_of(self, i: int) -> str:
        return "audit_log-%s%010x" % (self.tag, i)

    def index_of(self, event_id: str) -> Optional[int]:
        prefix = "audit_log-" + self.tag
        if not event_id.startswith(prefix) or len(event_id) != len(prefix) + 10:
            return None
        try:
            i = int(event_id[len(prefix):], 16)
        except ValueError:
            return None
        return i if 0 <= i < len(self.eff) else None

    def type_of(self, i: int) -> str:
        return self.types[self.kind[i]]

    def event(self, i: int) -> Dict[str, Any]:
        ev = make_event(self.type_of(i), random.Random((self.seed << 32) ^ i), self.eff[i])
        ev["id"] = self.id_of(i)
        return ev

    def __iter__(self) -> Iterable[Dict[str, Any]]:
        return (self.event(i) for i in range(len(self.eff)))


def generate(n: int, seed: int, start: int, end: int, *, types: Optional[List[str]] = None,
             tenant: Optional[bool] = None) -> List[Dict[str, Any]]:
    """n events, effective_at uniform in [start, end] (ascending order), deterministic for a seed."""
    return list(Dataset(n, seed, start, end, types=types, tenant=tenant))


def one_of_each(seed: int, at: int) -> List[Dict[str, Any]]:
    """One event of each of the 145 types, all at ``at`` (ids unique)."""
    rng = random.Random(seed)
    return [make_event(t, rng, at) for t in EVENT_TYPES]


def same_second_burst(n: int, at: int, *, seed: int = 0, tenant: Optional[bool] = False) -> List[Dict[str, Any]]:
    """n events sharing one effective_at, e.g. 250 at one second to straddle pages of 100."""
    return generate(n, seed, at, at, tenant=tenant)
