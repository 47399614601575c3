"""Fault injection for the simulator. ``Simulator.inject(*faults)`` queues them; each request consumes the
first queued fault whose ``match`` fits it (after letting ``skip`` matching requests through unharmed).

``match`` maps a query parameter to a required value (``None``: the parameter must merely be present), e.g.
``rate_limit(match={"tenant_only": "true"})`` or ``server_error(skip=2)`` (fail the third request).
``path`` (a glob below /v1, e.g. ``"/organization/users"`` or ``"/organization/projects/*/api_keys"``) aims a
fault at the inventory endpoints; without it a fault only hits ``/organization/audit_logs``.

kinds:
  rate_limit(retry_after)       429 TooManyRequests body; Retry-After "2", an HTTP-date, or omitted (None)
  server_error(status)          500/502/503 with an OpenAI-style error body
  timeout(seconds)              sleep ``seconds`` before answering normally (client-side timeout)
  reset()                       close the socket with TCP RST, no response at all
  malformed_json()              200, Content-Type JSON, body is not JSON
  truncated_json()              200, a valid page cut half-way; Content-Length matches what is sent
  has_more_without_last_id()    the real page, ``has_more: true``, ``last_id`` (and ``first_id``) omitted
  empty_page_has_more()         200, ``data: []``, ``has_more: true``, ids null
  repeated_cursor()             the real page but ``last_id`` = the request's ``after``, ``has_more: true``
                                (only matches requests that carry ``after``)
  unauthorized()                401 invalid_api_key (as if the key had been revoked)
  forbidden()                   403 (e.g. IP allowlist / org access)
  missing_scope()               401 "Missing scopes: <the scope of the requested path>."
  not_found()                   404 "Invalid URL" (as for an unknown path), whatever the path
  delete_project()              inventory: the project of the requested per-project path is deleted (gone from
                                every list: Inventory.remove_project) just before the request is answered, which
                                is then the simulator's 404 for an unknown project - a project deleted mid-run
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Dict, List, Mapping, Optional

AUDIT_LOGS = "/organization/audit_logs"


@dataclass
class Fault:
    kind: str
    status: int = 0
    retry_after: Optional[str] = None
    seconds: float = 0.0
    match: Dict[str, Optional[str]] = field(default_factory=dict)
    skip: int = 0
    path: Optional[str] = None

    def matches(self, query: Mapping[str, List[str]], path: str = AUDIT_LOGS) -> bool:
        """``path`` is the request path below /v1."""
        if not fnmatchcase(path, self.path or AUDIT_LOGS):
            return False
        for name, want in self.match.items():
            values = query.get(name)
            if not values or (want is not None and want not in values):
                return False
        return True


def _f(kind: str, match: Optional[Dict[str, Optional[str]]], skip: int, path: Optional[str] = None,
       **kw: object) -> Fault:
    return Fault(kind=kind, match=dict(match or {}), skip=skip, path=path, **kw)  # type: ignore[arg-type]


def rate_limit(retry_after: Optional[str] = "2", *, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("rate_limit", match, skip, path, status=429, retry_after=retry_after)


def server_error(status: int = 500, *, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    if status not in (500, 502, 503, 504):
        raise ValueError("server_error status must be 500, 502, 503 or 504")
    return _f("server_error", match, skip, path, status=status)


def timeout(seconds: float = 5.0, *, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("timeout", match, skip, path, seconds=float(seconds))


def reset(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("reset", match, skip, path)


def malformed_json(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("malformed_json", match, skip, path, status=200)


def truncated_json(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("truncated_json", match, skip, path, status=200)


def has_more_without_last_id(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("has_more_without_last_id", match, skip, path, status=200)


def empty_page_has_more(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("empty_page_has_more", match, skip, path, status=200)


def repeated_cursor(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    m: Dict[str, Optional[str]] = {"after": None}
    m.update(match or {})
    return _f("repeated_cursor", m, skip, path, status=200)


def unauthorized(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("unauthorized", match, skip, path, status=401)


def forbidden(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("forbidden", match, skip, path, status=403)


def missing_scope(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("missing_scope", match, skip, path, status=401)


def not_found(*, match=None, skip: int = 0, path: Optional[str] = None) -> Fault:
    return _f("not_found", match, skip, path, status=404)


def delete_project(*, match=None, skip: int = 0, path: str = "/organization/projects/*/*") -> Fault:
    """Aim it at one project (``path="/organization/projects/<id>/service_accounts"``) or let ``skip`` pick one."""
    return _f("delete_project", match, skip, path, status=404)
