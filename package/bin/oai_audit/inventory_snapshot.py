"""One inventory snapshot as KV-store records, events and ES identities (pure functions, no Splunk).

Records are flat (what lookups read), keyed ``<account>:<kind>:<object id>`` (project users:
``<account>:project_user:<project id>:<user id>``). Merging a COMPLETE list into the previous records of its kind:
- an object in the list is ``status=present`` with ``last_seen`` = the snapshot time (``first_seen`` kept);
- a previous record missing from the list becomes ``status=removed``, ``removed_at`` = the snapshot time, and keeps
  the ``last_seen`` of the last snapshot that listed it (records are never deleted);
- an incomplete list is not merged at all: its previous records stay exactly as they were.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

Obj = Mapping[str, Any]
Record = Dict[str, Any]

# list name -> (KV collection suffix, object kind written in records and events)
COLLECTION_OF = {
    "users": "users", "projects": "projects", "project_users": "project_users",
    "service_accounts": "service_accounts", "project_api_keys": "api_keys", "admin_api_keys": "api_keys",
    "invites": "invites",
}
KIND_OF = {
    "users": "user", "projects": "project", "project_users": "project_user", "service_accounts": "service_account",
    "project_api_keys": "project_api_key", "admin_api_keys": "admin_api_key", "invites": "invite",
}
COLLECTION_PREFIX = "openai_audit_inventory_"
IDENTITIES_COLLECTION = "openai_audit_identities"
# The ES identity lookup header and date format, as documented in "Format an asset or identity list as a lookup in
# Splunk Enterprise Security" (Identity lookup header / fields: identity is pipe-delimited, startDate/endDate
# %m/%d/%Y %H:%M, %m/%d/%y %H:%M or %s); bunit/priority are left for the customer to fill
IDENTITY_FIELDS = ("identity", "prefix", "nick", "first", "last", "suffix", "email", "phone", "phone2",
                   "managedBy", "priority", "bunit", "category", "watchlist", "startDate", "endDate",
                   "work_city", "work_country", "work_lat", "work_long")
ES_TIME_FORMAT = "%m/%d/%Y %H:%M"
IDENTITY_DELIMITER = "|"


def collection_name(list_name: str) -> str:
    return COLLECTION_PREFIX + COLLECTION_OF[list_name]


def _owner(owner: Optional[Obj]) -> Dict[str, Any]:
    """Project keys: {type, user|service_account}; admin keys: {type, id, name, role} (spec shapes)."""
    owner = owner or {}
    kind = owner.get("type") or ""
    inner = owner.get(kind) if isinstance(owner.get(kind), dict) else owner
    return {"owner_type": kind, "owner_id": inner.get("id"), "owner_email": inner.get("email"),
            "owner_name": inner.get("name"), "owner_role": inner.get("role")}


_FLAT: Dict[str, Callable[[Obj], Dict[str, Any]]] = {
    "user": lambda o: {k: o.get(k) for k in ("id", "email", "name", "role", "added_at", "is_scim_managed",
                                             "is_service_account", "api_key_last_used_at")},
    "project": lambda o: {k: o.get(k) for k in ("id", "name", "status", "created_at", "archived_at")},
    "project_user": lambda o: {"id": o.get("id"), "user_id": o.get("id"), "email": o.get("email"),
                               "name": o.get("name"), "project_role": o.get("role"), "added_at": o.get("added_at"),
                               "project_id": o.get("project_id"), "project_name": o.get("project_name")},
    "service_account": lambda o: {k: o.get(k) for k in ("id", "name", "role", "created_at", "project_id",
                                                        "project_name")},
    "project_api_key": lambda o: dict({k: o.get(k) for k in ("id", "name", "redacted_value", "created_at",
                                                             "last_used_at", "project_id", "project_name")},
                                      **_owner(o.get("owner"))),
    "admin_api_key": lambda o: dict({k: o.get(k) for k in ("id", "name", "redacted_value", "created_at",
                                                           "last_used_at", "expires_at")}, **_owner(o.get("owner"))),
    "invite": lambda o: {k: o.get(k) for k in ("id", "email", "role", "status", "created_at", "expires_at",
                                               "accepted_at")},
}


def record_key(account: str, kind: str, flat: Mapping[str, Any]) -> str:
    if kind == "project_user":
        return f"{account}:{kind}:{flat['project_id']}:{flat['id']}"
    return f"{account}:{kind}:{flat['id']}"


def flatten(kind: str, obj: Obj) -> Dict[str, Any]:
    flat = _FLAT[kind](obj)
    if kind in ("invite", "project"):  # their own status (pending/accepted/expired, active/archived) vs ours
        flat[kind + "_status"] = flat.pop("status")
    return flat


def merge(list_name: str, objects: Iterable[Obj], previous: Iterable[Record], account: str, snapshot_time: int,
          snapshot_id: str) -> Tuple[List[Record], List[Record]]:
    """(records to save, records newly removed) for one complete list; ``previous`` = this account's records of
    the list's kind."""
    kind = KIND_OF[list_name]
    prev = {r["_key"]: r for r in previous if r.get("object_kind") == kind and r.get("account") == account}
    out: List[Record] = []
    for obj in objects:
        flat = flatten(kind, obj)
        key = record_key(account, kind, flat)
        old = prev.pop(key, None)
        out.append(dict(flat, _key=key, account=account, object_kind=kind, status="present",
                        first_seen=(old or {}).get("first_seen", snapshot_time), last_seen=snapshot_time,
                        removed_at=None, snapshot_id=snapshot_id, snapshot_time=snapshot_time))
    removed: List[Record] = []
    for key, old in prev.items():
        rec = dict(old)
        if rec.get("status") != "removed":
            rec.update(status="removed", removed_at=snapshot_time)
            removed.append(rec)
        rec.update(snapshot_id=snapshot_id, snapshot_time=snapshot_time)
        out.append(rec)
    return out, removed


def event_of(record: Mapping[str, Any]) -> Dict[str, Any]:
    """The openai:inventory event of a record: the record without KV bookkeeping (``_key``, ``_user``)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def es_time(epoch: Optional[Any]) -> str:
    if epoch in (None, ""):
        return ""
    return time.strftime(ES_TIME_FORMAT, time.gmtime(int(epoch)))


def identities(users: Iterable[Record], service_accounts: Iterable[Record]) -> List[Record]:
    """ES identity rows: a user as ``email|user id``, a service account as its id, category ``openai_owner`` /
    ``openai_reader`` / ``openai_service_account``, startDate from added_at/created_at, endDate once removed."""
    rows: List[Record] = []
    for u in users:
        name = str(u.get("name") or "")
        first, _, last = name.partition(" ")
        ids = [str(v) for v in (u.get("email"), u.get("id")) if v]
        rows.append(_identity(u, IDENTITY_DELIMITER.join(ids), first, last, u.get("email"), f"openai_{u.get('role') or 'member'}",
                              u.get("added_at")))
    seen = set()
    for s in service_accounts:
        if s.get("id") in seen:
            continue
        seen.add(s.get("id"))
        rows.append(_identity(s, str(s["id"]), str(s.get("name") or ""), "", "", "openai_service_account",
                              s.get("created_at")))
    return rows


def _identity(rec: Mapping[str, Any], identity: str, first: str, last: str, email: Any, category: str,
              start: Any) -> Record:
    row: Record = {f: "" for f in IDENTITY_FIELDS}
    row.update(identity=identity, nick=first or identity, first=first, last=last, email=email or "",
               category=category, startDate=es_time(start),
               endDate=es_time(rec.get("removed_at")) if rec.get("status") == "removed" else "")
    row["_key"] = rec["_key"]
    row["account"] = rec.get("account", "")
    return row
