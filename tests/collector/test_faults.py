"""Every fault of the API survived (retried) or reported, with the checkpoint unchanged on failure."""
from __future__ import annotations

import json
import math
from email.utils import formatdate

import pytest

from oai_sim import faults as F
from oai_sim.server import Simulator

from oai_audit.checkpoint import MemoryStore
from oai_audit.errors import (
    AuthError, ForbiddenError, MalformedResponse, PaginationError, RetryBudgetExhausted, ScopeError,
    TransientError,
)

from collector_support import KEY, NOW, ListSink, RecordingSleep, key, make_client, poll

START = NOW - 4 * 86400


def _ids(events):
    return sorted(e["id"] for e in events)


@pytest.mark.parametrize("fault", [
    F.rate_limit("1", skip=1), F.rate_limit(None, skip=1), F.server_error(500, skip=1),
    F.server_error(502, skip=2), F.server_error(503), F.server_error(504, skip=1), F.reset(skip=1),
    F.malformed_json(skip=1), F.truncated_json(skip=3), F.timeout(3.0, skip=1),
], ids=lambda f: f"{f.kind}-{f.status or ''}-skip{f.skip}")
def test_transient_faults_are_retried_and_nothing_is_lost_or_doubled(sim, events, fault):
    sim.inject(fault)
    sleep = RecordingSleep()
    sink = ListSink()
    client = make_client(sim.base_url, timeout=1.0, sleep=sleep)
    [res] = poll(sim.base_url, MemoryStore(), sink, start=START, client=client)
    client.close()
    assert res.error is None
    assert _ids(sink.events) == _ids(events)
    assert res.retries == 1 and len(sleep.delays) == 1
    assert res.requests == math.ceil(len(events) / 100) + 1
    assert sim.pending_faults == []


def test_retry_after_seconds_and_http_date_are_honoured(sim, events):
    """RFC 9110 10.2.3: Retry-After is delay-seconds or an HTTP-date; the date is read against the client's
    injected wall clock (NOW), so the expected delay does not depend on when the test runs."""
    sim.inject(F.rate_limit("7"), F.rate_limit(formatdate(NOW + 20, usegmt=True), skip=1))
    sleep = RecordingSleep()
    client = make_client(sim.base_url, sleep=sleep, budget=60)
    [res] = poll(sim.base_url, MemoryStore(), ListSink(), start=START, client=client)
    client.close()
    assert res.error is None and res.retries == 2
    assert 7.0 <= sleep.delays[0] <= 7.7
    assert 20.0 <= sleep.delays[1] <= 22.0  # 20 s, plus the policy's jitter allowance


def test_retry_after_beyond_the_budget_stops_the_run_with_checkpoint_unchanged(sim):
    sim.inject(F.rate_limit("600", skip=2))
    store, sink = MemoryStore(), ListSink()
    client = make_client(sim.base_url, budget=30)
    [res] = poll(sim.base_url, store, sink, start=START, client=client)
    client.close()
    assert isinstance(res.error, RetryBudgetExhausted) and "429" in str(res.error)
    assert res.retries == 0 and res.requests == 3  # no early retry of a 429 asking for 10 minutes
    assert store.get(key())["after"] == sink.ids[199]


def test_persistent_server_errors_exhaust_the_budget_then_the_next_run_resumes(sim, events):
    sim.inject(*[F.server_error(503, skip=2 if i == 0 else 0) for i in range(50)])
    store, sink = MemoryStore(), ListSink()
    client = make_client(sim.base_url, budget=0.5)
    [res] = poll(sim.base_url, store, sink, start=START, client=client)
    client.close()
    assert isinstance(res.error, RetryBudgetExhausted) and isinstance(res.error.last, TransientError)
    assert 1 <= res.retries < 50 and res.pages == 2
    saved = store.get(key())
    assert saved["after"] == sink.ids[199] and saved["seq"] == 3  # saved before the first page and after each
    with sim._lock:
        sim._faults.clear()
    sim.clear_requests()
    [res2] = poll(sim.base_url, store, sink, start=START)
    assert res2.error is None and sim.requests[0].query["after"] == [saved["after"]]
    assert sorted(sink.ids) == _ids(events)  # resumed: none missing, none twice


@pytest.mark.parametrize("fault", [F.has_more_without_last_id(skip=1), F.empty_page_has_more(skip=1),
                                   F.repeated_cursor()], ids=lambda f: f.kind)
def test_pagination_anomalies_stop_the_run_without_looping(sim, events, fault):
    sim.inject(fault)  # hits the second request of the run (the first one carrying a cursor)
    store, sink = MemoryStore(), ListSink()
    [res] = poll(sim.base_url, store, sink, start=START)
    assert isinstance(res.error, PaginationError)
    assert res.requests == 2 and res.retries == 0  # detected at once, never looped
    assert len(sink.ids) == 100  # the anomalous page was not written
    saved = store.get(key())
    assert saved["after"] == sink.ids[-1] and saved["seq"] == 2  # checkpoint = last completed page
    [res2] = poll(sim.base_url, store, sink, start=START)
    assert res2.error is None and sorted(sink.ids) == _ids(events)


def test_persistent_malformed_json_is_reported(sim):
    sim.inject(*[F.malformed_json() for _ in range(20)])
    store = MemoryStore()
    client = make_client(sim.base_url, budget=0.3)
    [res] = poll(sim.base_url, store, ListSink(), start=START, client=client)
    client.close()
    assert isinstance(res.error, RetryBudgetExhausted) and isinstance(res.error.last, MalformedResponse)
    assert store.get(key()) is None


@pytest.mark.parametrize("fault,exc", [(F.unauthorized(), AuthError), (F.missing_scope(), ScopeError),
                                       (F.forbidden(), ForbiddenError)], ids=lambda x: getattr(x, "kind", ""))
def test_auth_errors_fail_once_without_retry_and_skip_the_tenant_stream(sim, fault, exc):
    sim.inject(fault)
    store = MemoryStore()
    store.update(key(), json.dumps({"version": 1, "seq": 4, "next_gte": START, "covered_to": None, "window": None,
                         "after": None, "seen": {}}))
    before = store.get(key())
    main, tenant = poll(sim.base_url, store, ListSink(), start=START, tenant=True)
    assert isinstance(main.error, exc) and main.requests == 1 and main.retries == 0
    assert tenant.skipped and tenant.requests == 0
    assert len(sim.requests) == 1
    assert store.get(key()) == before
    assert KEY not in str(main.error) and "sk-" not in str(main.error)


def test_wrong_key_is_never_echoed():
    with Simulator([], admin_key=KEY) as sim:
        client = make_client(sim.base_url, key="sk-admin-WRONG-secret-value-123")
        [res] = poll(sim.base_url, MemoryStore(), ListSink(), start=START, client=client)
        client.close()
        assert isinstance(res.error, AuthError)
        assert "WRONG" not in str(res.error) and "sk-ad" not in str(res.error)
