"""One polling run: time slices from the checkpoint (or start date) to now - lag, cursor pages inside
each slice, and per page: write -> flush -> save the checkpoint."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Sequence

from . import eventtypes
from .checkpoint import Checkpoint, State, Store, Window, checkpoint_key
from .client import AuditLogClient, Query
from .dedup import prune, remember
from .errors import (
    AuthError, ClientError, CollectorError, ForbiddenError, ScopeError,
)
from .pagination import iter_pages

LOG = logging.getLogger(__name__)

DEFAULT_LAG = 0  # seconds behind now that a slice may reach (overlap + dedup already catch late events)
DEFAULT_OVERLAP = 600  # seconds re-read below now - lag for late events
DEFAULT_SLICE = 7 * 86400  # maximum width of one time slice


class Sink(Protocol):
    """Where events go. ``flush`` must return only once the written events are durable downstream."""

    def write(self, obj: Mapping[str, Any]) -> None: ...

    def flush(self) -> None: ...


@dataclass(frozen=True)
class PollConfig:
    start: int  # effective_at where the first slice starts (the input's start date)
    lag: int = DEFAULT_LAG
    overlap: int = DEFAULT_OVERLAP
    slice_seconds: int = DEFAULT_SLICE
    until: Optional[int] = None  # fixed upper bound (CLI --until); default now - lag


@dataclass(frozen=True)
class StreamSpec:
    name: str  # "main" or "tenant"
    query: Query


@dataclass
class StreamResult:
    stream: str
    pages: int = 0
    events: int = 0
    duplicates: int = 0
    requests: int = 0
    retries: int = 0
    duration: float = 0.0
    error: Optional[CollectorError] = None
    warning: Optional[str] = None
    skipped: bool = False

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "warning" if self.warning else "ok"

    def summary(self) -> str:
        return (f"run summary stream={self.stream} status={self.status} pages={self.pages} "
                f"events={self.events} duplicates_skipped={self.duplicates} requests={self.requests} "
                f"retries={self.retries} duration={self.duration:.3f}s")


def plan_window(state: State, cfg: PollConfig, cap: int, wall: int) -> Optional[Window]:
    """The next slice to page, or None when everything up to ``cap`` is covered.

    The slice starts at ``next_gte`` and ends at most ``slice_seconds`` later or at ``cap`` (a slice that
    would end within lag + overlap of ``cap`` is stretched to ``cap``). Its
    ``reread_from`` (where the next slice starts) is ``wall - lag - overlap`` when the slice reaches that
    recent a time, so late events there are re-read; older slices are followed without overlap.
    """
    gte = cfg.start if state.next_gte is None else state.next_gte
    covered = state.covered_to
    if covered is not None and cap <= covered:
        return None
    if gte > cap:
        return None
    lte = min(gte + cfg.slice_seconds - 1, cap)
    if cap - lte <= cfg.lag + cfg.overlap:  # never leave a sliver: the last slice holds the whole overlap
        lte = cap
    if covered is not None:
        lte = min(max(lte, covered + 1), cap)
    reread = max(gte, min(lte + 1, wall - cfg.lag - cfg.overlap))
    return Window(gte=gte, lte=lte, reread_from=reread)


def poll_stream(client: AuditLogClient, spec: StreamSpec, checkpoint: Checkpoint, sink: Sink, cfg: PollConfig,
                now: Callable[[], float] = time.time) -> StreamResult:
    """Run one stream to the cap. Errors are returned in the result; the checkpoint then stays at the
    last completed page."""
    result = StreamResult(stream=spec.name)
    started = time.monotonic()
    req0, retry0 = client.stats.requests, client.stats.retries
    try:
        state = checkpoint.load()
        wall = int(now())
        cap = cfg.until if cfg.until is not None else wall - cfg.lag
        while True:
            if state.window is None:
                window = plan_window(state, cfg, cap, wall)
                if window is None:
                    break
                state.window, state.after = window, None
            try:
                _page_window(client, spec, checkpoint, state, sink, result)
            except ClientError as exc:
                if not (state.after and exc.status == 400 and "cursor" in exc.api_message.lower()):
                    raise
                # The saved cursor is no longer accepted: restart the slice from its top rather than stay
                # stuck forever. Events of this slice written before the cursor may be written again.
                LOG.warning("stream %s: the API rejected the saved cursor %r (%s); restarting the slice "
                            "[%s, %s] from its start, events already written from it may be duplicated",
                            spec.name, state.after, exc.api_message, state.window.gte if state.window else "",
                            state.window.lte if state.window else "")
                result.warning = f"saved cursor rejected by the API; slice restarted ({exc.api_message})"
                state.after = None
                checkpoint.save(state)
    except CollectorError as exc:
        result.error = exc
    finally:
        result.requests = client.stats.requests - req0
        result.retries = client.stats.retries - retry0
        result.duration = time.monotonic() - started
    return result


def _page_window(client: AuditLogClient, spec: StreamSpec, checkpoint: Checkpoint, state: State, sink: Sink,
                 result: StreamResult) -> None:
    window = state.window
    assert window is not None
    for page in iter_pages(client.fetch, spec.query, window.gte, window.lte, state.after):
        for obj in page.data:
            event_id = obj["id"]
            if event_id in state.seen:
                result.duplicates += 1
                continue
            sink.write(obj)
            result.events += 1
            remember(state.seen, event_id, int(obj["effective_at"]), window.reread_from)
        sink.flush()
        result.pages += 1
        if page.has_more:
            state.after = page.last_id
        else:
            state.seen = prune(state.seen, window.reread_from)
            state.next_gte = window.reread_from
            state.covered_to = window.lte
            state.window, state.after = None, None
        checkpoint.save(state)


def stream_specs(event_types: Sequence[str], project_ids: Sequence[str], include_tenant: bool,
                 warn: Callable[[str], None] = LOG.warning) -> List[StreamSpec]:
    """The streams to poll: main (non-tenant types) and, if asked, tenant (``tenant_only=true``)."""
    main_types, tenant_types = eventtypes.split(list(event_types))
    specs: List[StreamSpec] = []
    if not event_types or main_types:
        specs.append(StreamSpec("main", Query(tuple(main_types), tuple(project_ids), False)))
    if include_tenant and (not event_types or tenant_types):
        specs.append(StreamSpec("tenant", Query(tuple(tenant_types), tuple(project_ids), True)))
    elif tenant_types:
        warn(f"event types {', '.join(tenant_types)} are tenant-scoped and are only collected when "
             f"'include tenant-scoped events' is enabled; they are ignored")
    return specs


TENANT_WARNING = ("the organization refused the tenant-scoped stream (tenant_only=true): it is probably not "
                  "tenant-enabled. Tenant-scoped events are skipped; other events are unaffected. Disable "
                  "'include tenant-scoped events' to silence this warning.")

FATAL_FOR_ALL = (AuthError, ForbiddenError)


def run(client: AuditLogClient, specs: Sequence[StreamSpec], store: Store, sink: Sink, cfg: PollConfig,
        input_name: str, account: str, now: Callable[[], float] = time.time) -> List[StreamResult]:
    """Poll every stream once. An auth/permission failure of the main stream skips the others (same key)."""
    results: List[StreamResult] = []
    for spec in specs:
        if results and isinstance(results[0].error, FATAL_FOR_ALL):
            results.append(StreamResult(stream=spec.name, skipped=True))
            continue
        checkpoint = Checkpoint(store, checkpoint_key(input_name, account, spec.name), now)
        res = poll_stream(client, spec, checkpoint, sink, cfg, now)
        main_ok = any(r.stream == "main" and r.error is None and not r.skipped for r in results)
        if spec.query.tenant_only and _is_tenant_refusal(res.error, main_ok):
            res.warning = f"{TENANT_WARNING} ({res.error})"
            res.error = None
        results.append(res)
    return results


def _is_tenant_refusal(error: Optional[CollectorError], main_ok: bool) -> bool:
    """A 4xx (other than 401/429) answered to the tenant_only request. A 403 naming a scope is only
    read as a tenant refusal when the main stream, with the same key, just succeeded."""
    if isinstance(error, AuthError):
        return False
    if isinstance(error, ScopeError) and not main_ok:
        return False
    return isinstance(error, (ClientError, ForbiddenError))
