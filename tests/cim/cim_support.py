"""Shared helpers for the CIM knowledge-object tests: paths, the add-on's .conf files, the classification
lookup, the spec's event-type list, CIM value lists, and the Python statement of the expected field values."""
from __future__ import annotations

import csv
import functools
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from addonfactory_splunk_conf_parser_lib import TABConfigParser

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "package" / "default"
LOOKUP_CSV = REPO / "package" / "lookups" / "openai_audit_event_types.csv"
SOURCETYPE = "openai:audit"


def shared_event_types_csv() -> Path:
    """The spec's list: $OAI_EVENT_TYPES_CSV, else ../shared/openai-audit-api/event-types.csv next to the repo,
    else the simulator's verbatim copy (tools/oai_sim/event_types.csv)."""
    candidates = [os.environ.get("OAI_EVENT_TYPES_CSV", ""),
                  str(REPO.parent / "shared" / "openai-audit-api" / "event-types.csv"),
                  str(REPO / "tools" / "oai_sim" / "event_types.csv")]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    raise FileNotFoundError("event-types.csv not found in any of %s" % candidates)


def spec_rows(path: Optional[Path] = None) -> List[Dict[str, str]]:
    with (path or shared_event_types_csv()).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def types_missing_from_lookup(spec_path: Optional[Path] = None) -> List[str]:
    """Event types of the spec's list that have no exact row in the lookup."""
    return sorted({r["event_type"] for r in spec_rows(spec_path)} - set(exact_lookup()))


def lookup_rows() -> List[Dict[str, str]]:
    with LOOKUP_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def exact_lookup() -> Dict[str, Dict[str, str]]:
    return {r["event_type"]: r for r in lookup_rows() if "*" not in r["event_type"]}


def conf(name: str) -> TABConfigParser:
    parser = TABConfigParser()
    parser.read(str(DEFAULT / name))
    return parser


def props_stanza() -> Dict[str, str]:
    return {k: v for k, v in conf("props.conf")[SOURCETYPE].items() if k != "__name__"}


def readme_cim_block() -> str:
    """The README's CIM section (between its BEGIN/END cim markers)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text[text.index("<!-- BEGIN cim -->"):text.index("<!-- END cim -->")]


def created_fields() -> set:
    """Every field our props.conf creates: EVAL, FIELDALIAS targets, EXTRACT groups, REPORT formats, lookup outputs."""
    import re

    st = props_stanza()
    fields = {k[len("EVAL-"):] for k in st if k.startswith("EVAL-")}
    for k, v in st.items():
        if k.startswith("FIELDALIAS-"):
            words = v.split()
            fields |= {words[i + 1] for i, w in enumerate(words) if w in ("AS", "ASNEW")}
        if k.startswith("EXTRACT-"):
            fields |= set(re.findall(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", v))
        if k.startswith("REPORT-"):
            for name in v.replace(",", " ").split():
                fields |= set(re.findall(r"(\w+)::", conf("transforms.conf")[name]["FORMAT"]))
        if k.startswith("LOOKUP-"):
            out = v.split(" OUTPUT ", 1)[1].split()
            fields |= {w for i, w in enumerate(out) if w != "AS" and (i + 1 >= len(out) or out[i + 1] != "AS")}
    return fields


# CIM 6.x expected values (Change.json / Authentication.json, see ../shared/reference/es-cim-appinspect.md §5)
CHANGE_ACTIONS = {"acl_modified", "cleared", "created", "deleted", "modified", "stopped", "lockout", "read",
                  "logoff", "updated", "started", "restarted", "unlocked"}
AUTH_ACTIONS = {"success", "failure", "pending", "error"}
DATASETS = {"Authentication": {"Authentication"}, "Change": {"All_Changes", "Account_Management", "Network_Changes"}}

# The account-management rule, stated independently of props.conf (families whose lifecycle is an account's).
ACCOUNT_FAMILIES = ("user.", "invite.", "service_account.", "api_key.", "group.", "role.",
                    "tenant.user.", "tenant.group.", "tenant.admin_api_key.", "tenant.project_api_key.",
                    "tenant.service_account.", "tenant.custom_role.", "tenant.role.", "tenant.role_assignment.",
                    "tenant.resource_role_assignment.", "tenant.membership.", "tenant.api_organization_invite.",
                    "tenant.chatgpt_workspace_invite.", "tenant.workload_identity.principal.")


def is_account_type(event_type: str) -> bool:
    return event_type.startswith(ACCOUNT_FAMILIES)


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, Mapping) or key not in obj:
            return None
        obj = obj[key]
    return obj


def actor_identity(event: Mapping[str, Any]) -> Optional[str]:
    for path in (("session", "user", "email"), ("api_key", "user", "email"), ("session", "user", "id"),
                 ("api_key", "user", "id"), ("api_key", "service_account", "id"), ("api_key", "id")):
        v = _get(event.get("actor"), *path)
        if v is not None:
            return str(v)
    return None


def actor_kind(event: Mapping[str, Any]) -> Optional[str]:
    actor = event.get("actor")
    if not isinstance(actor, Mapping) or actor.get("type") is None:
        return None
    if actor["type"] == "session":
        return "session_user"
    kind = _get(actor, "api_key", "type")
    if kind == "user":
        return "user_api_key"
    if kind == "service_account":
        return "service_account"
    return str(actor["type"])


def account_target(event: Mapping[str, Any]) -> Optional[str]:
    """The account an account-management event changed, where the spec's payload names it."""
    t = event["type"]
    payload = event.get(t)
    if not isinstance(payload, Mapping):
        return None
    if t.startswith("role.assignment.") and payload.get("principal_id") is not None:
        return str(payload["principal_id"])
    if t == "invite.sent" and _get(payload, "data", "email") is not None:
        return str(payload["data"]["email"])
    if t.split(".")[0] in ("user", "service_account", "api_key") and payload.get("id") is not None:
        return str(payload["id"])
    return None


def expected_user(event: Mapping[str, Any]) -> Optional[str]:
    return account_target(event) if is_account_type(event["type"]) else actor_identity(event)


@functools.lru_cache(maxsize=None)
def _declared() -> Dict[str, Tuple[str, ...]]:
    return {r["event_type"]: tuple(f for f in r["payload_fields"].split(";") if f) for r in spec_rows()}


def declared_fields(event_type: str) -> List[str]:
    return list(_declared().get(event_type, ()))


def expected_object_ids(event: Mapping[str, Any]) -> List[str]:
    """The payload's own `id`, declared by the spec or not (tenant payloads have no schema), else the ids of the
    spec's certificates[] / configs[] arrays."""
    t = event["type"]
    payload = event.get(t)
    declared = declared_fields(t)
    if not isinstance(payload, Mapping):
        return []
    if payload.get("id") is not None:
        return [str(payload["id"])]
    for arr in ("certificates", "configs"):
        if "%s[].id" % arr in declared:
            return [str(x["id"]) for x in payload.get(arr) or [] if "id" in x]
    return []


def expected_object_attrs(event: Mapping[str, Any]) -> List[str]:
    """The top-level keys of the payload's data (else changes_requested) object, in order; a *.created / *.updated
    payload without one: its own keys but `id` (the attributes it sets)."""
    payload = event.get(event["type"])
    if not isinstance(payload, Mapping):
        return []
    for key in ("data", "changes_requested"):
        if isinstance(payload.get(key), Mapping):
            return [str(k) for k in payload[key]]
    if event["type"].endswith((".created", ".updated")):
        return [str(k) for k in payload if k != "id"]
    return []


def break_lines(data: str, line_breaker: str) -> List[str]:
    """Splunk's LINE_BREAKER rule (props.conf.spec): wherever the regex matches, the text of its first capturing
    group is discarded; the event ends where the group starts and the next one begins where it ends. Events that
    are only whitespace are dropped."""
    import re

    rx = re.compile(line_breaker)
    assert rx.groups >= 1, "LINE_BREAKER needs a capturing group"
    events: List[str] = []
    pos = 0
    search_from = 0
    while True:
        m = rx.search(data, search_from)
        if m is None or m.start(1) == m.end(1):
            break
        events.append(data[pos:m.start(1)])
        pos = search_from = m.end(1)
    events.append(data[pos:])
    return [e for e in events if e.strip()]


NAME_LEAVES = ("name", "role_name", "data.name", "data.group_name", "data.email", "changes_requested.name",
               "changes_requested.title", "changes_requested.group_name", "changes_requested.role_name",
               "connector_name")


def expected_object(event: Mapping[str, Any]) -> List[str]:
    """The object's name: the first declared name-like leaf the payload carries, array names, else its ids."""
    t = event["type"]
    payload = event.get(t)
    declared = declared_fields(t)
    if isinstance(payload, Mapping):
        for leaf in NAME_LEAVES:
            value = _get(payload, *leaf.split("."))
            if leaf in declared and value is not None:
                return [str(value)]
        for arr in ("certificates", "configs"):
            if "%s[].name" % arr in declared and payload.get(arr):
                return [str(x["name"]) for x in payload[arr] if "name" in x]
    return expected_object_ids(event)
