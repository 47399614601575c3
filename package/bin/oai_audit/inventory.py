"""Read the organization inventory from the Admin API list endpoints with the audit input's client (one retry
policy, one error model) and pagination (follow_cursor): users, projects (archived included), and per active
project its users, service accounts and API keys, plus admin API keys and invites.

Each list is read completely or not at all: ``collect`` returns, per list, either every object or the error that
stopped it. A scope error on a list is reported once (the per-project lists stop at the first project that
refuses); an invalid key or forbidden organization stops every remaining list (same key).

A project that vanishes during the run. The projects list is read first, its per-project lists after; a project
deleted in between (the audit log has ``project.deleted``) answers 404 on its sub-lists, and one archived in between
answers 400 (the spec's "Error response when project is archived" for its users and service accounts). Such an
answer does not fail the whole per-project list: the projects list is read once more, and when the project is no
longer among its active projects it is skipped - in every per-project list, also the ones read before it vanished -
counted and reported once (``ListResult.note`` of the projects list). What a complete snapshot taken after the
deletion holds is what the run records: a deleted project is dropped from the projects list, so the snapshot
merge marks it, its members, its service accounts and its keys ``removed`` (a deleted project's keys and service
accounts cannot act any more; one still acting is what "Action by Actor No Longer in Organization" reports); an
archived one stays listed and loses its members and service accounts, as any archived project does. When the
second read still lists the project as active, the 404/400 is a real error: that per-project list fails as
before. At most one second read per run."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from .client import ApiClient, QueryParams, missing_scope
from .errors import AuthError, ClientError, CollectorError, ForbiddenError, ScopeError
from .pagination import follow_cursor

PAGE_LIMIT = 100  # the spec's maximum
GONE_STATUSES = (400, 404)  # a project archived (spec) or deleted (no such project) since the projects list


@dataclass(frozen=True)
class ListSpec:
    """One inventory list endpoint of the Admin API."""

    name: str  # the list (and object kind) name: users, projects, project_users, ...
    path: str  # below the base URL; "{project_id}" for per-project lists
    params: Tuple[Tuple[str, str], ...] = ()

    @property
    def per_project(self) -> bool:
        return "{project_id}" in self.path


PROJECTS = ListSpec("projects", "/organization/projects", (("include_archived", "true"),))
LISTS: Tuple[ListSpec, ...] = (
    ListSpec("users", "/organization/users"),
    PROJECTS,
    ListSpec("project_users", "/organization/projects/{project_id}/users"),
    ListSpec("service_accounts", "/organization/projects/{project_id}/service_accounts"),
    ListSpec("project_api_keys", "/organization/projects/{project_id}/api_keys"),
    ListSpec("admin_api_keys", "/organization/admin_api_keys"),
    ListSpec("invites", "/organization/invites"),
)
LIST_NAMES = tuple(s.name for s in LISTS)


@dataclass
class ListResult:
    """One list read by a run: its objects if complete, else why not."""

    name: str
    objects: List[Dict[str, Any]] = field(default_factory=list)
    error: Optional[CollectorError] = None
    message: str = ""  # what went wrong, user-facing (names the endpoint; never a secret)
    requests: int = 0
    note: str = ""  # something the run handled that the user should know (complete list all the same)

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


def _active(projects: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [p for p in projects if p.get("status") != "archived"]


@dataclass
class _Vanished:
    """Projects that answered 404/400 on a sub-list and are no longer active in a second read of the projects list
    (project id -> the HTTP status it answered: 404 deleted, 400 archived); the second read happens at most once
    per run."""
    client: ApiClient
    gone: Dict[str, int] = field(default_factory=dict)
    still_active: Optional[Set[str]] = None  # active project ids of the second read; None: not read (or failed)
    reread: bool = False

    def confirm(self, project_id: str, exc: CollectorError) -> bool:
        if not isinstance(exc, ClientError) or getattr(exc, "status", None) not in GONE_STATUSES:
            return False
        if not self.reread:
            self.reread = True
            try:
                self.still_active = {str(p["id"]) for p in _active(read_list(self.client, PROJECTS.path,
                                                                               PROJECTS.params))}
            except CollectorError:
                self.still_active = None
        if self.still_active is None or project_id in self.still_active:
            return False
        self.gone[project_id] = exc.status
        return True

    def deleted(self, project_id: str) -> bool:
        return self.gone.get(project_id) == 404

    def note(self, listed: int) -> str:
        how = "; ".join(f"{p} {'deleted (404)' if self.deleted(p) else 'archived (400)'}" for p in sorted(self.gone))
        return (f"{len(self.gone)} of {listed} projects vanished between the projects list and their per-project "
                f"lists ({how}) and were skipped in all of them: a deleted project is dropped from the projects list, "
                f"so it and its members, service accounts and keys are recorded as removed; an archived one loses "
                f"its members and service accounts, as any archived project does.")


def _read_per_project(client: ApiClient, spec: ListSpec, projects: Sequence[Dict[str, Any]],
                      vanished: _Vanished) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for project in _active(projects):
        pid = str(project["id"])
        if pid in vanished.gone:
            continue
        try:
            objs = read_list(client, spec.path.replace("{project_id}", pid), spec.params)
        except CollectorError as exc:
            if vanished.confirm(pid, exc):
                continue
            raise
        out.extend(dict(obj, project_id=project["id"], project_name=project.get("name")) for obj in objs)
    return out


def collect(client: ApiClient, lists: Sequence[ListSpec] = LISTS,
            on_result: Callable[[ListResult], None] = lambda r: None) -> Dict[str, ListResult]:
    """Read every list. ``projects`` is read before the per-project lists, which cover its active projects (the
    API refuses the users and service accounts of an archived project). Every result is reported (``on_result``)
    at the end, once final (projects that vanished meanwhile change lists read earlier: module docstring)."""
    results: Dict[str, ListResult] = {}
    fatal: Optional[str] = None
    projects: Optional[List[Dict[str, Any]]] = None
    vanished = _Vanished(client)
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
                    res.objects = _read_per_project(client, spec, projects or [], vanished)
                else:
                    res.objects = read_list(client, spec.path, spec.params)
            except CollectorError as exc:
                res.error, res.message, res.objects = exc, describe(spec, exc), []
                if isinstance(exc, FATAL) and not isinstance(exc, ScopeError):
                    fatal = f"an earlier list failed with HTTP {getattr(exc, 'status', '')}: the key was refused"
        if spec.name == PROJECTS.name and res.complete:
            projects = res.objects
        res.requests = client.stats.requests - before
        results[spec.name] = res
    if vanished.gone:
        _drop_vanished(results, vanished)
    for res in results.values():
        on_result(res)
    return results


def _drop_vanished(results: Dict[str, ListResult], vanished: _Vanished) -> None:
    """The snapshot as after the vanishing: nothing of a vanished project in the per-project lists (also those
    read before it vanished), a deleted project out of the projects list (an archived one stays listed)."""
    gone = set(vanished.gone)
    for res in results.values():
        if res.name != PROJECTS.name and res.complete:
            res.objects = [o for o in res.objects if str(o.get("project_id")) not in gone]
    projects = results[PROJECTS.name]
    projects.note = vanished.note(len(projects.objects))
    projects.objects = [p for p in projects.objects if not vanished.deleted(str(p["id"]))]
