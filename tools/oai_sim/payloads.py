"""Payload builder: the object under ``event[event_type]`` with a realistic value for every leaf field that
event-types.csv lists for that type. Types the spec gives no payload schema for (the 86 ``tenant.*`` types,
``resource.deleted``, ``tunnel.*``) get an INVENTED minimal payload ``{"id": ...}`` (tenant types sometimes
also an invented ``data`` object) so downstream code sees a plausible shape; nothing in the spec defines it."""
from __future__ import annotations

import random
import string
from typing import Any, Callable, Dict, List, Optional

from .catalog import PAYLOAD_FIELDS
from . import tables as T

_ALNUM = string.ascii_letters + string.digits


def rand_token(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    """n characters of ``alphabet`` from one big random integer (much faster than n ``rng.choice`` calls)."""
    k = len(alphabet)
    x = rng.getrandbits(n * k.bit_length() + 16)
    out = []
    for _ in range(n):
        x, r = divmod(x, k)
        out.append(alphabet[r])
    return "".join(out)


def rand_hex(rng: random.Random, n: int) -> str:
    return "%0*x" % (n, rng.getrandbits(4 * n))


_ID_PREFIX = [  # longest prefix first; maps an event-type family to a realistic resource-id prefix
    ("checkpoint.permission", "cp_"), ("workload_identity_provider_mapping", "wipm_"),
    ("workload_identity_provider", "wip_"), ("role.assignment", "ra_"), ("ip_allowlist", "ipallowlist_"),
    ("api_key", "key_"), ("certificate", "cert_"), ("external_key", "extkey_"), ("group", "group_"),
    ("invite", "invite-"), ("organization", "org-"), ("scim", "org-"), ("project", "proj_"),
    ("rate_limit", "rl-"), ("role", "role_"), ("service_account", "svc_acct_"), ("user", "user-"),
    ("tunnel", "tunnel_"), ("resource", "res_"), ("tenant", "tnt_"),
]


def resource_id(event_type: str, rng: random.Random) -> str:
    for family, prefix in _ID_PREFIX:
        if event_type.startswith(family):
            return prefix + rand_token(rng, 24 if prefix.endswith("-") else 16)
    return "obj_" + rand_token(rng, 16)


class Context:
    """What a payload may refer to: the organisation, the event's project and the population."""

    def __init__(self, org_id: str, project: Optional[Dict[str, str]], population: Any) -> None:
        self.org_id = org_id
        self.project = project
        self.pop = population


def _sample(rng: random.Random, items: List[str], lo: int, hi: int) -> List[str]:
    return rng.sample(items, rng.randint(lo, min(hi, len(items))))


def _allowed_ips(rng: random.Random) -> List[str]:
    out: List[str] = []
    for _ in range(rng.randint(1, 4)):
        bits = rng.choice([32, 32, 24, 16])
        out.append(rng.choice(T.ALLOWLIST_PREFIXES[bits]).format(rng.randint(1, 254)))
    if rng.random() < 0.12:
        out.append("0.0.0.0/0")  # the risky "allow everything" entry detections look for
    return sorted(set(out), key=out.index)


def _pem(rng: random.Random) -> str:
    body = rand_token(rng, 64, string.ascii_letters + string.digits + "+/")
    return "-----BEGIN CERTIFICATE-----\nMIIC" + body + "\n-----END CERTIFICATE-----\n"


def _project_id(ctx: Context, rng: random.Random) -> str:
    return ctx.project["id"] if ctx.project else rng.choice(ctx.pop.projects)["id"]


def _object_value(event_type: str, rng: random.Random, ctx: Context) -> Dict[str, Any]:
    """Free-form ``data`` / ``changes_requested`` objects the spec leaves undeclared."""
    if event_type.startswith("external_key"):
        return {"provider": rng.choice(["aws_kms", "gcp_kms", "azure_key_vault"]),
                "key_uri": "arn:aws:kms:us-east-1:111122223333:key/" + rand_hex(rng, 32)}
    if event_type.startswith("workload_identity_provider_mapping"):
        return {"subject": "repo:example-org/app:ref:refs/heads/main",
                "service_account_id": rng.choice(ctx.pop.service_accounts), "project_id": _project_id(ctx, rng)}
    if event_type.startswith("workload_identity_provider"):
        return {"name": rng.choice(["GitHub Actions", "Azure AD", "GKE prod"]),
                "issuer": rng.choice(T.OIDC_ISSUERS), "audience": "api://openai"}
    if event_type == "role.updated":
        return {"managed_by": rng.choice(["scim", "console"])}
    return {"note": "invented"}


def _leaf(event_type: str, path: str, rng: random.Random, ctx: Context, shared: Dict[str, Any]) -> Any:
    leaf = path.rsplit(".", 1)[-1]
    rules: Dict[str, Callable[[], Any]] = {
        "scopes": lambda: _sample(rng, T.API_KEY_SCOPES, 1, 3),
        "allowed_ips": lambda: _allowed_ips(rng),
        "certificate": lambda: _pem(rng),
        "data": lambda: _object_value(event_type, rng, ctx),
        "changes_requested": lambda: _object_value(event_type, rng, ctx),
        "metadata": lambda: _object_value(event_type, rng, ctx),
        "project_id": lambda: _project_id(ctx, rng),
        "fine_tuned_model_checkpoint": lambda: "ft:gpt-4o-mini-2024-07-18:example-org::%s:ckpt-step-%d" % (
            rand_token(rng, 8), rng.choice([100, 500, 1000])),
        "group_name": lambda: rng.choice(["Security Team", "ML Engineers", "Contractors", "Finance"]),
        "email": lambda: "%s@%s" % (rand_token(rng, 6, string.ascii_lowercase), rng.choice(T.DOMAINS)),
        "role": lambda: rng.choice(["owner", "member", "member", "member"]),
        "error_code": lambda: shared["error"][0],
        "error_message": lambda: shared["error"][1],
        "title": lambda: shared["title"] if event_type.startswith("project") else "Example Org",
        "description": lambda: rng.choice(["Production organization", "Read-only auditors", "Updated by admin"]),
        "threads_ui_visibility": lambda: rng.choice(T.VISIBILITY),
        "usage_dashboard_visibility": lambda: rng.choice(T.VISIBILITY[:2]),
        "api_call_logging": lambda: shared["api_call_logging"],
        "api_call_logging_project_ids": lambda: ",".join(p["id"] for p in ctx.pop.projects[:2])
        if shared["api_call_logging"] == "enabled_for_selected_projects" else "",
        "permissions": lambda: _sample(rng, T.PERMISSIONS, 1, 4),
        "permissions_added": lambda: _sample(rng, T.PERMISSIONS, 1, 3),
        "permissions_removed": lambda: _sample(rng, T.PERMISSIONS, 0, 2),
        "role_name": lambda: rng.choice(["Billing Viewer", "Key Manager", "Auditor", "Project Admin"]),
        "resource_type": lambda: shared["resource_type"],
        "resource_id": lambda: shared["resource_id"],
        "principal_type": lambda: shared["principal"][0],
        "principal_id": lambda: shared["principal"][1],
        "role_id": lambda: "role_" + rand_token(rng, 16),
        "workspace_id": lambda: shared["workspace_id"],
        "connector_id": lambda: shared["connector"][0],
        "connector_name": lambda: shared["connector"][1],
        "enabled": lambda: event_type == "role.bound_to_resource" or rng.random() < 0.2,
        "source": lambda: rng.choice(T.ROLE_SOURCES),
        "identity_provider_id": lambda: "wip_" + rand_token(rng, 16),
        "service_account_id": lambda: rng.choice(ctx.pop.service_accounts),
    }
    if leaf.startswith("max_") or leaf.startswith("batch_"):
        return rng.choice([60, 500, 3500, 10000, 90000, 2000000])
    if leaf == "name":
        if event_type.startswith("project"):
            return shared["title"].lower().replace(" ", "-")
        if "ip_allowlist" in event_type:
            return rng.choice(["Office egress", "VPN", "CI runners", "Everyone (temporary)"])
        if "certificate" in event_type:
            return rng.choice(["mtls-prod-2026", "mtls-staging", "partner-gateway"])
        if event_type.startswith("workload_identity_provider"):
            return rng.choice(["GitHub Actions", "Azure AD", "GKE prod"])
        return "example-org"
    if leaf == "id":
        return shared["id"]
    return rules[leaf]()


def _shared(event_type: str, rng: random.Random, ctx: Context) -> Dict[str, Any]:
    """Values several fields must agree on (e.g. id == resource_id for connector roles)."""
    shared: Dict[str, Any] = {}
    if event_type.startswith(("login.", "logout.")):
        shared["error"] = rng.choice(T.LOGOUT_ERRORS if event_type.startswith("logout") else T.LOGIN_ERRORS)
    elif event_type == "organization.updated":
        shared["api_call_logging"] = rng.choice(T.API_CALL_LOGGING)
    elif event_type.startswith("project."):
        shared["title"] = rng.choice(T.PROJECT_NAMES[1:])
    elif event_type.startswith("role."):
        shared["principal"] = rng.choice([("user", rng.choice(ctx.pop.users)["id"]),
                                          ("group", "group_" + rand_token(rng, 16))])
    if event_type.endswith("_resource"):  # role.bound_to_resource / role.unbound_from_resource
        connector = rng.choice(T.CONNECTORS)
        workspace = "ws_" + rand_token(rng, 12)
        rid = "%s__%s" % (workspace, connector[0])
        shared.update(id=rid, resource_id=rid, resource_type="chatgpt_workspace_connector", connector=connector,
                      workspace_id=workspace)
    else:
        project_scoped = rng.random() < 0.6
        shared["resource_type"] = "api.project" if project_scoped else "api.organization"
        shared["resource_id"] = _project_id(ctx, rng) if project_scoped else ctx.org_id
        shared["id"] = _entity_id(event_type, rng, ctx)
    return shared


def _entity_id(event_type: str, rng: random.Random, ctx: Context) -> str:
    """Existing entities keep their ids across events (users, projects, service accounts, the org)."""
    family = event_type.split(".", 1)[0]
    if family in ("organization", "scim"):
        return ctx.org_id
    if family == "project" and event_type != "project.created":
        return _project_id(ctx, rng)
    if family == "user" and event_type != "user.added":
        return rng.choice(ctx.pop.users)["id"]
    if family == "service_account" and event_type != "service_account.created":
        return rng.choice(ctx.pop.service_accounts)
    if family == "api_key" and event_type != "api_key.created":
        return rng.choice(ctx.pop.keys)
    return resource_id(event_type, rng)


def build_payload(event_type: str, rng: random.Random, ctx: Context) -> Dict[str, Any]:
    fields = PAYLOAD_FIELDS[event_type]
    shared = _shared(event_type, rng, ctx)
    if not fields:
        if event_type in ("login.succeeded", "logout.succeeded"):
            return {}
        payload: Dict[str, Any] = {"id": shared["id"]}  # INVENTED: the spec declares no payload for this type
        if event_type.startswith("tenant.") and rng.random() < 0.5:
            payload["data"] = {"tenant_id": "tnt_" + rand_token(rng, 12)}
        return payload
    payload = {}
    arrays: Dict[str, List[str]] = {}
    for path in fields:
        if "[]." in path:
            head, sub = path.split("[].", 1)
            arrays.setdefault(head, []).append(sub)
            continue
        _set(payload, path, _leaf(event_type, path, rng, ctx, shared))
    for head, subs in arrays.items():
        items = []
        for _ in range(rng.randint(1, 3)):
            item_shared = dict(shared, id=resource_id(event_type, rng))
            items.append({sub: _leaf(event_type, sub, rng, ctx, item_shared) for sub in subs})
        _set(payload, head, items)
    return payload


def _set(obj: Dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        obj = obj.setdefault(part, {})
    obj[parts[-1]] = value
