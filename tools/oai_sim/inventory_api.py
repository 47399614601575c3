"""Routing and validation of the simulated Admin API inventory list endpoints (openapi-inventory.yaml next to
this module is a verbatim copy of ../shared/openai-admin-api/openapi-inventory.yaml).

From the spec: the paths, ``limit`` (default 20) / ``after`` cursor pagination, ``{object: "list", data,
first_id, last_id, has_more}``, ``include_archived`` (default false) on projects, ``emails`` on users, 400 for
project users / service accounts of an archived project.

Where the spec is silent (invented, do not rely on them in the collector):
- item order: the inventory's own (creation) order; ``after`` = an id not in the list -> 400 invalid_cursor.
- ``limit`` outside 1..100 -> 400 (the spec's description, enforced as on the audit log); unknown query
  parameters -> 400; an unknown project id -> 404.
- scopes: each endpoint needs one of INVENTORY_SCOPES below (names modelled on the permission names the audit
  events carry, e.g. ``api.organization.users.read``); a key without it gets 401 "Missing scopes: <scope>."
  exactly like the audit log's missing-scope answer.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Tuple

from . import protocol as P
from .inventory import Inventory, Obj

USERS_SCOPE = "api.organization.users.read"
PROJECTS_SCOPE = "api.organization.projects.read"
PROJECT_KEYS_SCOPE = "api.organization.projects.api_keys.read"
ADMIN_KEYS_SCOPE = "api.organization.admin_api_keys.read"
INVITES_SCOPE = "api.organization.invites.read"
INVENTORY_SCOPES = (USERS_SCOPE, PROJECTS_SCOPE, PROJECT_KEYS_SCOPE, ADMIN_KEYS_SCOPE, INVITES_SCOPE)

_PROJECT_SUB = re.compile(r"^/v1/organization/projects/([^/]+)/(users|service_accounts|api_keys)$")
# path -> (scope, extra query parameters beyond limit/after)
_TOP = {
    "/v1/organization/users": (USERS_SCOPE, ("emails", "emails[]")),
    "/v1/organization/projects": (PROJECTS_SCOPE, ("include_archived",)),
    "/v1/organization/admin_api_keys": (ADMIN_KEYS_SCOPE, ("order",)),
    "/v1/organization/invites": (INVITES_SCOPE, ()),
}
_SUB_SCOPE = {"users": PROJECTS_SCOPE, "service_accounts": PROJECTS_SCOPE, "api_keys": PROJECT_KEYS_SCOPE}
_SUB_EXTRA = {"api_keys": ("owner_project_access",)}


def is_inventory_path(path: str) -> bool:
    return path in _TOP or _PROJECT_SUB.match(path) is not None


def scope_of(path: str) -> str:
    if path in _TOP:
        return _TOP[path][0]
    m = _PROJECT_SUB.match(path)
    assert m is not None
    return _SUB_SCOPE[m.group(2)]


def _check_params(query: Mapping[str, List[str]], extra: Tuple[str, ...]) -> None:
    for name in query:
        if name not in ("limit", "after") + extra:
            raise P.ApiError(400, "Unrecognized query parameter: '%s'." % name[:60], param=name[:60],
                             code="unknown_parameter")


def _limit(query: Mapping[str, List[str]], default: int) -> int:
    raw = (query.get("limit") or [""])[-1]
    limit = P._int("limit", raw) if raw else default
    if not 1 <= limit <= 100:
        raise P.ApiError(400, "Invalid 'limit': expected a value from 1 to 100, but got %d instead." % limit,
                         param="limit", code="invalid_value")
    return limit


def _page(items: List[Obj], query: Mapping[str, List[str]], default_limit: int) -> Dict[str, Any]:
    limit = _limit(query, default_limit)
    after = (query.get("after") or [""])[-1]
    start = 0
    if after:
        ids = [o["id"] for o in items]
        if after not in ids:
            raise P.ApiError(400, "Invalid cursor: no object with id '%s'." % after[:80], param="after",
                             code="invalid_cursor")
        start = ids.index(after) + 1
    chunk = items[start:start + limit]
    return P.list_body(chunk, start + limit < len(items))


def delete_project_of(inv: Inventory, path: str) -> None:
    """The ``delete_project`` fault: the project of a per-project path disappears from the inventory."""
    m = _PROJECT_SUB.match(path)
    if m is not None:
        inv.remove_project(m.group(1))


def list_response(inv: Inventory, path: str, query: Mapping[str, List[str]], default_limit: int) -> Dict[str, Any]:
    """The 200 body for an inventory list request, or raise protocol.ApiError (400/404)."""
    if path in _TOP:
        _check_params(query, _TOP[path][1])
        if path.endswith("/users"):
            emails = {e.lower() for k in ("emails", "emails[]") for e in query.get(k, [])}
            items = [u for u in inv.users if not emails or str(u.get("email") or "").lower() in emails]
        elif path.endswith("/projects"):
            raw = (query.get("include_archived") or ["false"])[-1]
            archived = P._bool("include_archived", raw)
            items = [p for p in inv.projects if archived or p["status"] != "archived"]
        elif path.endswith("/admin_api_keys"):
            items = list(inv.admin_keys)
        else:
            items = list(inv.invites)
        return _page(items, query, default_limit)
    m = _PROJECT_SUB.match(path)
    assert m is not None
    project_id, sub = m.group(1), m.group(2)
    _check_params(query, _SUB_EXTRA.get(sub, ()))
    project = inv.project(project_id)
    if project is None:
        raise P.ApiError(404, "No project found with id '%s'." % project_id[:80], code="not_found")
    if project["status"] == "archived" and sub in ("users", "service_accounts"):
        raise P.ApiError(400, "Project %s is archived." % project_id[:80], code="project_archived")
    source: Dict[str, List[Obj]] = {"users": inv.project_users, "service_accounts": inv.service_accounts,
                                              "api_keys": inv.project_keys}[sub]
    return _page(list(source.get(project_id, [])), query, default_limit)
