"""Pure request validation and OpenAI-style error bodies for the simulated Audit Log API.

Assumptions where the spec is silent (documented in the README block "simulator"):
- ``effective_at`` only in bracket form ``effective_at[gt|gte|lt|lte]=<int>``; arrays as repeated ``x[]`` keys.
- unknown query parameters, a plain ``effective_at=...``, a non-integer bound, ``limit`` outside 1..100,
  unknown ``event_types[]``, both ``after`` and ``before``, an unknown cursor id -> 400 invalid_request_error.
- ``tenant_only=true`` with a non-tenant type, or a tenant type without ``tenant_only=true`` -> 400.
- ``tenant_only=true`` for an org that is not tenant-enabled -> 400 "This organization is not enabled for
  tenant-scoped audit logs."
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from .catalog import PAYLOAD_FIELDS, TENANT_TYPES
from .store import Query

ARRAY_PARAMS = ("project_ids[]", "event_types[]", "actor_ids[]", "actor_emails[]", "resource_ids[]")
BOUNDS = ("gt", "gte", "lt", "lte")
SCALAR_PARAMS = ("tenant_only", "limit", "after", "before")
NOT_TENANT_ENABLED = "This organization is not enabled for tenant-scoped audit logs."


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error",
                 param: Optional[str] = None, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"message": message, "type": type_, "param": param, "code": code}}


def mask_key(key: str) -> str:
    """Like OpenAI: enough of the key to recognise it, never the whole key."""
    return key[:5] + "***" if len(key) > 8 else "***"


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "Invalid '%s': expected an integer, but got '%s' instead." % (name, raw[:40]),
                       param=name, code="invalid_type") from None


def _bool(name: str, raw: str) -> bool:
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    raise ApiError(400, "Invalid '%s': expected a boolean, but got '%s' instead." % (name, raw[:40]),
                   param=name, code="invalid_type")


def _time_bounds(query: Mapping[str, List[str]]) -> Dict[str, Optional[int]]:
    """Fold gt/gte/lt/lte into inclusive [gte, lte] (Unix seconds are integers)."""
    gte: Optional[int] = None
    lte: Optional[int] = None
    for op in BOUNDS:
        raw = query.get("effective_at[%s]" % op)
        if not raw:
            continue
        v = _int("effective_at[%s]" % op, raw[-1])
        if op in ("gt", "gte"):
            v = v + 1 if op == "gt" else v
            gte = v if gte is None else max(gte, v)
        else:
            v = v - 1 if op == "lt" else v
            lte = v if lte is None else min(lte, v)
    return {"gte": gte, "lte": lte}


def parse_query(query: Mapping[str, List[str]], *, default_limit: int = 20, tenant_enabled: bool = True) -> Query:
    for name in query:
        if name in ARRAY_PARAMS or name in SCALAR_PARAMS:
            continue
        if name.startswith("effective_at[") and name[len("effective_at["):-1] in BOUNDS and name.endswith("]"):
            continue
        if name == "effective_at" or name.startswith("effective_at"):
            raise ApiError(400, "Invalid 'effective_at': use effective_at[gt|gte|lt|lte]=<unix seconds>.",
                           param="effective_at", code="invalid_value")
        raise ApiError(400, "Unrecognized query parameter: '%s'." % name[:60], param=name[:60],
                       code="unknown_parameter")
    last = {k: v[-1] for k, v in query.items() if k in SCALAR_PARAMS and v and v[-1] != ""}  # blank = absent
    limit = _int("limit", last["limit"]) if "limit" in last else default_limit
    if limit > 100:
        raise ApiError(400, "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got %d "
                       "instead." % limit, param="limit", code="integer_above_max_value")
    if limit < 1:
        raise ApiError(400, "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got %d "
                       "instead." % limit, param="limit", code="integer_below_min_value")
    tenant_only = _bool("tenant_only", last["tenant_only"]) if "tenant_only" in last else False
    if tenant_only and not tenant_enabled:
        raise ApiError(400, NOT_TENANT_ENABLED, param="tenant_only", code="tenant_not_enabled")
    types = query.get("event_types[]", [])
    for t in types:
        if t not in PAYLOAD_FIELDS:
            raise ApiError(400, "Invalid 'event_types[]': unknown event type '%s'." % t[:80],
                           param="event_types[]", code="invalid_value")
        if tenant_only and t not in TENANT_TYPES:
            raise ApiError(400, "When 'tenant_only' is true, all supplied event types must be tenant-scoped; "
                           "'%s' is not." % t, param="event_types[]", code="invalid_value")
        if not tenant_only and t in TENANT_TYPES:
            raise ApiError(400, "'%s' is a tenant-scoped event type; set tenant_only=true to list it." % t,
                           param="tenant_only", code="invalid_value")
    if last.get("after") is not None and last.get("before") is not None:
        raise ApiError(400, "Only one of 'after' and 'before' may be supplied.", param="before",
                       code="invalid_value")
    return Query(project_ids=query.get("project_ids[]", []), event_types=types,
                 actor_ids=query.get("actor_ids[]", []), actor_emails=query.get("actor_emails[]", []),
                 resource_ids=query.get("resource_ids[]", []), tenant_only=tenant_only, limit=limit,
                 after=last.get("after"), before=last.get("before"), **_time_bounds(query))


def list_body(data: List[Dict[str, Any]], has_more: bool) -> Dict[str, Any]:
    return {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "has_more": has_more}


def unknown_cursor(cursor: str) -> ApiError:
    return ApiError(400, "Invalid cursor: no audit log with id '%s'." % cursor[:80], param="after",
                    code="invalid_cursor")


def missing_key() -> ApiError:
    return ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")


def invalid_key(key: str) -> ApiError:
    return ApiError(401, "Incorrect API key provided: %s. You can find your API key at "
                    "https://platform.openai.com/account/api-keys." % mask_key(key), code="invalid_api_key")


def missing_scope(scope: str = "api.audit_logs.read") -> ApiError:
    return ApiError(401, "You have insufficient permissions for this operation. Missing scopes: "
                    "%s. Check that you have the correct role in your organization, and if "
                    "you're using a restricted API key, that it has the necessary scopes." % scope)


def forbidden() -> ApiError:
    return ApiError(403, "You are not allowed to access this organization's audit logs from this IP address.",
                    code="forbidden")


def rate_limited() -> ApiError:
    return ApiError(429, "Rate limit reached for requests to /v1/organization/audit_logs. Please try again "
                    "later.", type_="requests", code="rate_limit_exceeded")


def server_error(status: int) -> ApiError:
    return ApiError(status, "The server had an error while processing your request. Sorry about that!",
                    type_="server_error")


def not_found(method: str, path: str) -> ApiError:
    return ApiError(404, "Invalid URL (%s %s)" % (method, path[:200]))
