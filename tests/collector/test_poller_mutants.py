"""Poller behaviour the older tests let mutants through on: the run summary line the README's "Logging" paragraph
documents, the rule that reads a tenant_only refusal as "not tenant-enabled" (a 4xx other than 401/429; a 403
naming a scope only when the main stream just succeeded with the same key), an auth failure of the main stream
skipping the tenant stream, and the dedup map pruned to the overlap when a slice completes."""
from __future__ import annotations


import pytest

from oai_audit import poller
from oai_audit.checkpoint import Checkpoint, MemoryStore, State, from_record
from oai_audit.client import Page, Query, Stats
from oai_audit.errors import (
    AuthError, ClientError, ForbiddenError, RateLimited, ScopeError, TransientError,
)
from oai_audit.poller import PollConfig, StreamResult, StreamSpec, _is_tenant_refusal, plan_window
from oai_sim import faults as F
from oai_sim.generator import generate
from oai_sim.server import Simulator

from collector_support import KEY, NOW, ListSink, key, poll

START = NOW - 86400


def test_the_run_summary_line_and_status():
    res = StreamResult(stream="tenant", pages=3, events=250, duplicates=4, requests=5, retries=2, duration=1.23456)
    assert res.summary() == ("run summary stream=tenant status=ok pages=3 events=250 duplicates_skipped=4 "
                             "requests=5 retries=2 duration=1.235s invalid=0 out_of_window=0")
    assert StreamResult("main", warnings=["w"]).status == "warning"
    assert StreamResult("main", warnings=["w"], error=TransientError("x")).status == "error"


@pytest.mark.parametrize("error,main_ok,refusal", [
    (ClientError("HTTP 400", 400, "tenant_only is not supported"), False, True),  # 400 even if main failed
    (ForbiddenError("HTTP 403", 403), True, True),
    (ForbiddenError("HTTP 403", 403), False, True),
    (ScopeError("HTTP 403 scope", 403), True, True),  # the same key just read the main stream
    (ScopeError("HTTP 403 scope", 403), False, False),  # the key itself may lack the scope
    (AuthError("HTTP 401", 401), True, False),
    (RateLimited("HTTP 429", 5.0), True, False),
    (TransientError("HTTP 500", 500), True, False),
    (None, True, False),
])
def test_which_tenant_stream_errors_mean_not_tenant_enabled(error, main_ok, refusal):
    assert _is_tenant_refusal(error, main_ok) is refusal


def test_a_scope_refusal_of_the_tenant_stream_after_a_good_main_run_is_only_a_warning():
    events = generate(50, seed=5, start=START, end=NOW - 120, tenant=False)
    with Simulator(events, admin_key=KEY) as sim:
        sim.inject(F.missing_scope(match={"tenant_only": "true"}))
        store, sink = MemoryStore(), ListSink()
        main, tenant = poll(sim.base_url, store, sink, start=START, tenant=True)
    assert main.error is None and main.events == 50
    assert tenant.error is None and "tenant" in (tenant.warning or "") and tenant.status == "warning"


def test_an_auth_failure_of_the_main_stream_skips_the_tenant_stream_without_a_request():
    with Simulator([], admin_key=KEY) as sim:
        sim.inject(F.unauthorized())
        main, tenant = poll(sim.base_url, MemoryStore(), ListSink(), start=START, tenant=True)
        assert isinstance(main.error, AuthError) and tenant.skipped and tenant.requests == 0
        assert len(sim.requests) == 1


def test_a_completed_slice_keeps_only_the_overlap_in_the_dedup_map():
    # 200 events over the last day, 30 of them in the last 10 minutes (the default 600 s overlap); poll() runs
    # under the injected clock NOW, so a slow test run cannot push them out of the overlap
    now = NOW
    old = generate(170, seed=8, start=now - 86400, end=now - 3600, tenant=False)
    recent = generate(30, seed=9, start=now - 500, end=now - 120, tenant=False)
    with Simulator(old + recent, admin_key=KEY) as sim:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(sim.base_url, store, sink, start=now - 86400)
    assert res.error is None and res.events == 200
    state = from_record(store.get(key()))
    assert state.window is None and state.after is None
    assert set(state.seen.ids) == {e["id"] for e in recent}


def test_a_backfill_is_planned_in_7_day_slices_and_the_last_second_is_still_read():
    cfg = PollConfig(start=0)
    first = plan_window(State(), cfg, cap=30 * 86400, wall=30 * 86400)
    assert (first.gte, first.lte, first.reread_from) == (0, 7 * 86400 - 1, 7 * 86400)  # README: 7-day slices
    last = plan_window(State(next_gte=1000, covered_to=999), PollConfig(start=0, overlap=0), cap=1000, wall=1000)
    assert (last.gte, last.lte) == (1000, 1000)  # a one-second slice: events stamped at the cap itself
    assert plan_window(State(next_gte=1001, covered_to=1000), cfg, cap=1000, wall=1000) is None


class _OnePageClient:
    def __init__(self) -> None:
        self.stats = Stats()

    def fetch(self, params):
        self.stats.requests += 1
        return Page(data=[{"id": "audit_log-1", "effective_at": 5}], has_more=False, first_id="audit_log-1",
                    last_id="audit_log-1")


def test_the_run_duration_is_the_monotonic_time_between_start_and_end():
    ticks = iter([100.0, 103.5])  # start and end (no time bound: the clock is not read between pages)
    cp = Checkpoint(MemoryStore(), "k", lambda: 50)
    res = poller.poll_stream(_OnePageClient(), StreamSpec("main", Query()), cp, ListSink(), PollConfig(start=0),
                             now=lambda: 50.0, mono=lambda: next(ticks))
    assert res.error is None and res.events == 1 and res.requests == 1
    assert res.duration == 3.5
    assert StreamResult("main").summary().endswith("requests=0 retries=0 duration=0.000s invalid=0 out_of_window=0")
