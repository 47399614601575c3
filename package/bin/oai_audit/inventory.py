"""Read the organization inventory from the Admin API list endpoints with the audit input's client (one retry
policy, one error model) and pagination (follow_cursor): users, projects (archived included), and per active
project its users, service accounts and API keys, plus admin API keys and invites.

Each list is read completely or not at all: ``collect`` returns, per list, either every object or the error that
stopped it. A scope error on a list is reported once (the per-project lists stop at the first project that
refuses); an invalid key or forbidden organization stops every remaining list (same key)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .client import ApiClient, QueryParams, missing_scope
from .errors import AuthError, CollectorError, ForbiddenError, ScopeError
from .pagination import follow_cursor

PAGE_LIMIT = 100  # the spec's maximum


@dataclass(frozen=True)
class ListSpec:
    name: str  # the list (and object kind) name: users, projects, project_users, ...
    path: str  # below the base URL; "{project_id}" for per-project lists
    params: Tuple[Tuple[str, str], ...] = ()

    @property
    def per_project(self) -> bool:
        return "{project_id}" in self.path


LISTS: Tuple[ListSpec, ...] = (
    ListSpec("users", "/organization/users"),
    ListSpec("projects", "/organization/projects", (("include_archived", "true"),)),
    ListSpec("project_users", "/organization/projects/{project_id}/users"),
    ListSpec("service_accounts", "/organization/projects/{project_id}/service_accounts"),
    ListSpec("project_api_keys", "/organization/projects/{project_id}/api_keys"),
    ListSpec("admin_api_keys", "/organization/admin_api_keys"),
    ListSpec("invites", "/organization/invites"),
)
LIST_NAMES = tuple(s.name for s in LISTS)


@dataclass
class ListResult:
    name: str
    objects: List[Dict[str, Any]] = field(default_factory=list)
    error: Optional[CollectorError] = None
    message: str = ""  # what went wrong, user-facing (names the endpoint; never a secret)
    requests: int = 0

    @property
    def complete(self) -> bool:
        return self.error is None and not self.message


def describe(spec: ListSpec, error: CollectorError) -> str:
    """One clear message for a list that failed, naming its endpoint (and the missing scope when known)."""
    endpoint = f"GET {spec.path}"
    if isinstance(error, ScopeError):
        scope = missing_scope(getattr(error, "api_message", ""))
        need = f"the '{scope}' scope" if scope else "the scope this endpoint needs"
        return (f"{endpoint}: the admin API key lacks {need}; the {spec.name} list is skipped and its lookup keeps "
                f"the previous snapshot (the other lists still run). Grant the key read access to it.")
    return f"{endpoint}: {error}; the {spec.name} list is incomplete and its lookup keeps the previous snapshot."


def read_list(client: ApiClient, path: str, params: Sequence[Tuple[str, str]] = ()) -> List[Dict[str, Any]]:
    """Every object of one list (all pages), or raise the error that stopped it."""
    def fetch(after: Optional[str]) -> Any:
        q: QueryParams = list(params) + [("limit", str(PAGE_LIMIT))]
        if after:
            q.append(("after", after))
        return client.get_page(path, q)

    out: List[Dict[str, Any]] = []
    for page in follow_cursor(fetch):
        out.extend(page.data)
    return out


FATAL = (AuthError, ForbiddenError)  # same key for every list: no point in asking again


def collect(client: ApiClient, lists: Sequence[ListSpec] = LISTS,
            on_result: Callable[[ListResult], None] = lambda r: None) -> Dict[str, ListResult]:
    """Read every list. ``projects`` is read before the per-project lists, which cover its active projects (the
    API refuses the users and service accounts of an archived project)."""
    results: Dict[str, ListResult] = {}
    fatal: Optional[str] = None
    projects: Optional[List[Dict[str, Any]]] = None
    for spec in sorted(lists, key=lambda s: s.per_project):
        res = ListResult(spec.name)
        before = client.stats.requests
        if fatal is not None:
            res.message = f"GET {spec.path}: not requested ({fatal})"
        elif spec.per_project and projects is None:
            res.message = f"GET {spec.path}: not requested, the projects list is incomplete"
        else:
            try:
                if spec.per_project:
                    for project in projects or []:
                        if project.get("status") == "archived":
                            continue
                        path = spec.path.replace("{project_id}", str(project["id"]))
                        for obj in read_list(client, path, spec.params):
                            res.objects.append(dict(obj, project_id=project["id"], project_name=project.get("name")))
                else:
                    res.objects = read_list(client, spec.path, spec.params)
            except CollectorError as exc:
                res.error, res.message, res.objects = exc, describe(spec, exc), []
                if isinstance(exc, FATAL) and not isinstance(exc, ScopeError):
                    fatal = f"an earlier list failed with HTTP {getattr(exc, 'status', '')}: the key was refused"
        if spec.name == "projects" and res.complete:
            projects = res.objects
        res.requests = client.stats.requests - before
        results[spec.name] = res
        on_result(res)
    return results
