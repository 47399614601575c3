"""One polling run: time slices from the checkpoint (or start date) to now - lag, cursor pages inside
each slice, and per page: check each event, write -> flush -> save the checkpoint."""
from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Protocol, Sequence

from . import eventtypes
from .checkpoint import Checkpoint, State, Store, Window, checkpoint_key
from .client import AuditLogClient, Page, Query
from .dedup import SliceIds
from .errors import (
    AuthError, CheckpointLocked, ClientError, CollectorError, ForbiddenError, PaginationError, ScopeError,
)
from .events import MIN_TIME, dedup_key, valid_id
from .pagination import iter_pages

LOG = logging.getLogger(__name__)

DEFAULT_LAG = 0  # seconds behind now that a slice may reach (overlap + dedup already catch late events)
DEFAULT_OVERLAP = 600  # seconds re-read below min(now - lag, newest collected) for late events
MIN_OVERLAP, MAX_OVERLAP = 0, 86400
DEFAULT_SLICE = 7 * 86400  # maximum width of one time slice (its re-read part not counted)
INVALID_LOGGED = 10  # invalid events logged one by one per stream and run (all are counted)
CURSOR_REFUSALS = (400, 404, 409, 410, 422)  # a 4xx to a request carrying a cursor: restart the slice once


class Sink(Protocol):
    """Where events go. ``flush`` must return only once the written events are durable downstream.
    ``time`` is given only for an invalid object (no valid ``effective_at``): the ``_time`` to write it with."""

    def write(self, obj: Any, time: Optional[int] = None) -> None: ...

    def flush(self) -> None: ...


@dataclass(frozen=True)
class PollConfig:
    """How a run polls: where it starts, its overlap and slices, its bounds."""

    start: int  # effective_at where the first slice starts (the input's start date)
    lag: int = DEFAULT_LAG
    overlap: int = DEFAULT_OVERLAP
    slice_seconds: int = DEFAULT_SLICE
    until: Optional[int] = None  # fixed upper bound (CLI --until); default (and at most) now - lag
    max_pages: Optional[int] = None  # run bound per stream: stop at a page boundary after this many pages
    max_seconds: Optional[float] = None  # run bound per stream: ... or after this many seconds


@dataclass(frozen=True)
class StreamSpec:
    """One stream of an input (its own checkpoint) and the query it pages."""

    name: str  # "main" or "tenant"
    query: Query


@dataclass
class StreamResult:
    """What one stream's run did: counts, its error, warnings (its log summary)."""

    stream: str
    pages: int = 0
    events: int = 0
    duplicates: int = 0
    invalid: int = 0  # written unchanged with the page's time: no string id or no effective_at in bounds
    out_of_window: int = 0  # dropped: effective_at outside the requested [gte, lte]
    requests: int = 0
    retries: int = 0
    duration: float = 0.0
    error: Optional[CollectorError] = None
    warnings: List[str] = field(default_factory=list)
    skipped: bool = False

    @property
    def warning(self) -> Optional[str]:
        return "; ".join(self.warnings) if self.warnings else None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "warning" if self.warnings else "ok"

    def summary(self) -> str:
        return (f"run summary stream={self.stream} status={self.status} pages={self.pages} "
                f"events={self.events} duplicates_skipped={self.duplicates} requests={self.requests} "
                f"retries={self.retries} duration={self.duration:.3f}s invalid={self.invalid} "
                f"out_of_window={self.out_of_window}")


def plan_window(state: State, cfg: PollConfig, cap: int, wall: int) -> Optional[Window]:
    """The next slice to page, or None when everything up to ``cap`` is covered.

    The slice starts at ``next_gte`` and ends at most ``slice_seconds`` after the end of what is already
    covered, or at ``cap`` (a slice that would end within lag + overlap of ``cap`` is stretched to ``cap``).
    Its ``reread_from`` is ``wall - lag - overlap`` when the slice reaches that recent a time, else ``lte + 1``
    (older slices are followed without overlap); a slice reaching ``cap`` is a ``tail`` slice, whose
    boundary also follows the newest event collected (``reread_start``).
    """
    gte = cfg.start if state.next_gte is None else state.next_gte
    covered = state.covered_to
    if covered is not None and cap <= covered:
        return None
    if gte > cap:
        return None
    fresh_from = gte if covered is None else max(gte, covered + 1)  # the re-read part is not counted
    lte = min(fresh_from + cfg.slice_seconds - 1, cap)
    if cap - lte <= cfg.lag + cfg.overlap:  # never leave a sliver: the last slice holds the whole overlap
        lte = cap
    reread = max(gte, min(lte + 1, wall - cfg.lag - cfg.overlap))
    return Window(gte=gte, lte=lte, reread_from=reread, tail=lte == cap)


def reread_start(window: Window, newest: Optional[int], overlap: int) -> int:
    """Where the slice after ``window`` starts (and the dedup boundary): its wall-clock ``reread_from``, or, for
    a tail slice, ``newest - overlap`` when that is earlier, so events that the API shows late while nothing
    newer is visible are still re-read. Never before the slice's own start."""
    if not window.tail or newest is None:
        return window.reread_from
    return max(window.gte, min(window.reread_from, newest - overlap))


def resync_if_ahead(state: State, wall: int, cfg: PollConfig) -> Optional[str]:
    """If the saved position is later than the real clock (the clock jumped back, or a run ran under a clock
    that was ahead), move it back to the newest collected event minus the overlap (never past a slice still
    being read) and return the warning to log once; else None."""
    marks = [state.covered_to, state.next_gte, state.window.lte if state.window else None, state.updated_at]
    if not any(m is not None and m > wall for m in marks):
        return None
    candidates = [v for v in (state.next_gte, state.window.gte if state.window else None,
                              None if state.newest is None else state.newest - cfg.overlap)
                  if v is not None and v <= wall]
    resume = max(MIN_TIME, min(candidates)) if candidates else cfg.start
    message = (f"the checkpoint is ahead of the clock (saved at {state.updated_at}, covers up to "
               f"{state.covered_to}, clock now {wall}): the clock jumped. Resuming from {resume} (the newest "
               f"collected event, {state.newest}, minus the overlap); already collected ids are skipped")
    state.next_gte, state.covered_to, state.window, state.after = resume, None, None, None
    return message


class _Run:
    """What one stream's run tracks besides its checkpoint: result, bounds, the slice's ids."""

    def __init__(self, result: StreamResult, cfg: PollConfig, mono: Callable[[], float],
                 stop: Callable[[], bool]) -> None:
        self.result = result
        self.cfg = cfg
        self.mono = mono
        self.stop = stop
        self.started = mono()
        self.slice_ids = SliceIds()
        self.before_restart: Optional[SliceIds] = None  # ids written before the slice was restarted
        self.invalid_logged = 0
        self.saved = False  # the checkpoint was saved once in this run (so it can be)

    def check_bound(self) -> None:
        """Called at a page boundary (checkpoint saved) before the next request: raise StopRun if the run
        must stop here."""
        cfg = self.cfg
        if self.stop():
            reason = "stop requested (SIGTERM)"
        elif cfg.max_pages is not None and self.result.pages >= cfg.max_pages:
            reason = f"run bound reached ({cfg.max_pages} pages)"
        elif cfg.max_seconds is not None and self.mono() - self.started >= cfg.max_seconds:
            reason = f"run bound reached ({cfg.max_seconds:.0f} s)"
        else:
            return
        raise StopRun(f"{reason}: stopped at a page boundary with the checkpoint saved; the next run continues")


class StopRun(Exception):
    """A run bound or a stop request, raised at a page boundary once the checkpoint is saved."""


def poll_stream(client: AuditLogClient, spec: StreamSpec, checkpoint: Checkpoint, sink: Sink, cfg: PollConfig,
                now: Callable[[], float] = time.time, mono: Callable[[], float] = time.monotonic,
                stop: Callable[[], bool] = lambda: False) -> StreamResult:
    """Run one stream to the cap (or a run bound). Errors are returned in the result; the checkpoint then
    stays at the last completed page."""
    result = StreamResult(stream=spec.name)
    run = _Run(result, cfg, mono, stop)
    req0, retry0 = client.stats.requests, client.stats.retries
    try:
        state = checkpoint.load()
        wall = int(now())
        ahead = resync_if_ahead(state, wall, cfg)
        if ahead:
            result.warnings.append(ahead)
            checkpoint.save(state)
            run.saved = True
        cap = wall - cfg.lag if cfg.until is None else min(cfg.until, wall - cfg.lag)
        restarted = False
        while True:
            if state.window is None:
                window = plan_window(state, cfg, cap, wall)
                if window is None:
                    break
                run.check_bound()
                state.window, state.after = window, None
                run.slice_ids, run.before_restart = SliceIds(), None
            try:
                _page_window(client, spec, checkpoint, state, sink, run)
            except ClientError as exc:
                if not state.after or exc.status not in CURSOR_REFUSALS:
                    raise
                window = state.window
                assert window is not None
                state.after = None
                checkpoint.save(state)  # the next run starts the slice clean
                if restarted:
                    raise PaginationError(
                        f"the API refused the cursor again after the slice [{window.gte}, {window.lte}] was "
                        f"restarted once in this run ({exc}); stopping, the next run starts the slice from its "
                        f"top") from None
                restarted = True
                run.slice_ids, run.before_restart = SliceIds(), run.slice_ids
                LOG.warning("stream %s: the API refused the cursor (%s); restarting the slice [%s, %s] from its "
                            "start once, ids already written in this run are skipped", spec.name, exc,
                            window.gte, window.lte)
                result.warnings.append(f"cursor refused by the API; slice restarted once ({exc.api_message})")
    except StopRun as stopped:
        result.warnings.append(str(stopped))
    except CollectorError as exc:
        result.error = exc
    finally:
        result.requests = client.stats.requests - req0
        result.retries = client.stats.retries - retry0
        result.duration = mono() - run.started
    if result.out_of_window:
        result.warnings.append(f"{result.out_of_window} events outside the requested effective_at window were "
                               f"dropped (the API ignored the time filter)")
    return result


def _page_time(page: Page, gte: int, lte: int) -> int:
    """The ``_time`` of an invalid event: the newest valid effective_at of its page inside the window, else the
    window's upper bound."""
    times = [o["effective_at"] for o in page.data if valid_id(o) is not None and gte <= o["effective_at"] <= lte]
    return max(times) if times else lte


def _page_window(client: AuditLogClient, spec: StreamSpec, checkpoint: Checkpoint, state: State, sink: Sink,
                 run: _Run) -> None:
    window = state.window
    assert window is not None
    gte, lte = window.gte, window.lte
    result = run.result
    seen = state.seen
    for page in iter_pages(client.fetch, spec.query, gte, lte, state.after):
        if not run.saved and page.data:  # never write a page whose position cannot be saved
            checkpoint.save(state)
            run.saved = True
        # ids at or after the boundary are remembered; it only rises with ``newest`` (it is recomputed whenever
        # a newer event arrives), so the ids kept always include those the final boundary keeps
        overlap = run.cfg.overlap
        boundary = reread_start(window, state.newest, overlap)
        newest = -1 if state.newest is None else state.newest
        slice_ids, before_restart = run.slice_ids, run.before_restart
        current = slice_ids.current
        page_time: Optional[int] = None
        written = repeated = 0
        for index, obj in enumerate(page.data):
            key = valid_id(obj)
            if key is not None:
                t = obj["effective_at"]
                if t < gte or t > lte:
                    result.out_of_window += 1
                    continue
                if t > newest:
                    newest = t
                    boundary = reread_start(window, newest, overlap)
                when = None
            else:
                if page_time is None:
                    page_time = _page_time(page, gte, lte)
                t = when = page_time
                key = dedup_key(obj)
            if key in slice_ids:
                result.duplicates += 1
                repeated += 1
                continue
            if key in seen:
                result.duplicates += 1
                continue
            if before_restart is not None and key in before_restart:
                result.duplicates += 1
                continue
            if when is not None:
                _count_invalid(run, spec, state, index, when)
            if when is None:
                sink.write(obj)
            else:
                sink.write(obj, when)
            current.add(key)
            written += 1
            if t >= boundary:
                seen.add(key, t)
        state.newest = newest if newest >= 0 else None
        result.events += written
        slice_ids.end_page()
        if page.has_more and page.data and repeated == len(page.data):
            raise PaginationError(f"a page held only ids already written in this slice (after={state.after!r}, "
                                  f"{repeated} ids): the API is serving the same events again; stopping")
        sink.flush()
        result.pages += 1
        if page.has_more:
            state.after = page.last_id
        else:
            next_gte = reread_start(window, state.newest, overlap)
            state.seen = seen = seen.pruned(next_gte)
            state.next_gte = next_gte
            state.covered_to = lte
            state.window, state.after = None, None
        checkpoint.save(state)
        if page.has_more:
            run.check_bound()


def _count_invalid(run: _Run, spec: StreamSpec, state: State, index: int, when: int) -> None:
    run.result.invalid += 1
    if run.invalid_logged < INVALID_LOGGED:
        run.invalid_logged += 1
        LOG.warning("stream %s: item %d of the page after cursor %r has no string 'id' or no integer "
                    "'effective_at' within bounds; written unchanged with _time=%d and counted as invalid%s",
                    spec.name, index, state.after, when,
                    " (further invalid items are only counted)" if run.invalid_logged == INVALID_LOGGED else "")


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
        input_name: str, account: str, now: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic, stop: Callable[[], bool] = lambda: False) -> List[StreamResult]:
    """Poll every stream once, holding the lock of every stream's checkpoint key for the whole run: if another
    process holds one, every stream fails with CheckpointLocked and nothing is written. An auth/permission
    failure of the main stream skips the others (same key)."""
    keys = [checkpoint_key(input_name, account, spec.name) for spec in specs]
    with contextlib.ExitStack() as locks:
        try:
            for key in keys:
                locks.enter_context(store.lock(key))
        except CheckpointLocked as exc:
            return [StreamResult(stream=spec.name, error=exc) for spec in specs]
        results: List[StreamResult] = []
        for spec, key in zip(specs, keys):
            if results and isinstance(results[0].error, FATAL_FOR_ALL):
                results.append(StreamResult(stream=spec.name, skipped=True))
                continue
            res = poll_stream(client, spec, Checkpoint(store, key, now), sink, cfg, now, mono, stop)
            main_ok = any(r.stream == "main" and r.error is None and not r.skipped for r in results)
            if spec.query.tenant_only and _is_tenant_refusal(res.error, main_ok):
                res.warnings.append(f"{TENANT_WARNING} ({res.error})")
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
