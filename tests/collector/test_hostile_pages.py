"""The poller against a small hostile API of our own (loopback, scripted pages): bad events, events outside the
requested window, repeated ids, pages served again, endless pages and refused cursors (issue 10 sections 3, 5
and 6). Each server is bounded: it answers from a fixed script and stops with the test."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import pytest

from oai_audit.checkpoint import MemoryStore, from_record
from oai_audit.errors import ClientError, PaginationError

from collector_support import NOW, ListSink, key, make_client, poll
from hostile_http import Exchange, HostileServer

START = NOW - 86400


def ev(n: int, at: int) -> Dict[str, Any]:
    return {"id": f"audit_log-{n:04d}", "type": "api_key.created", "effective_at": at}


def page(data: List[Any], has_more: bool, last_id: Optional[str] = None) -> Dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "first_id": None, "last_id": last_id}


def by_cursor(pages: Dict[Optional[str], Dict[str, Any]]) -> Callable[[Exchange], None]:
    """Answer each request with the page registered for its ``after`` (None: the first page)."""
    def script(ex: Exchange) -> None:
        after = dict(ex.request.query).get("after")
        if after not in pages:
            ex.json({"error": {"message": f"No such object: {after}"}}, status=404)
            return
        ex.json(pages[after])
    return script


def window_of(ex: Exchange):
    q = dict(ex.request.query)
    return int(q["effective_at[gte]"]), int(q["effective_at[lte]"])


def test_bad_events_are_written_unchanged_with_the_page_time_counted_and_never_stall_the_stream():
    """Section 5: no string id, a non-integer or absurd effective_at (-100, 10**400, true, "x"), a non-object:
    written unchanged with the page's time, counted as invalid; the next page is still read; a re-read
    writes none of them again."""
    at = NOW - 120
    bad = [{"id": 5, "effective_at": at}, {"id": "audit_log-x1", "effective_at": "x"},
           {"id": "audit_log-x2", "effective_at": -100}, {"id": "audit_log-x3", "effective_at": 10 ** 400},
           {"id": "audit_log-x4", "effective_at": True}, None, {"effective_at": at}]
    first = [ev(1, at), *bad, ev(2, at - 5)]
    pages = {None: page(first, True, "audit_log-0002"), "audit_log-0002": page([ev(3, at - 10)], False)}
    with HostileServer(by_cursor(pages)) as srv:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(srv.base_url, store, sink, start=START)
        assert res.error is None and res.invalid == len(bad) and res.events == len(bad) + 3
        assert sink.events == [*first, ev(3, at - 10)]  # unchanged, in order, the second page read
        assert sink.times[1:1 + len(bad)] == [at] * len(bad)  # the newest valid effective_at of the page
        [again] = poll(srv.base_url, store, sink, start=START, later=60)
        assert again.error is None and again.events == 0 and again.duplicates == len(bad) + 3
        assert len(srv.requests) == 4


def test_events_outside_the_requested_window_are_dropped_and_counted():
    """Section 6: a server that ignores the time filter; events outside [gte, lte] are not written (the window
    that holds them writes them), so a far-future id is never written nor remembered."""
    def script(ex: Exchange) -> None:
        gte, lte = window_of(ex)
        ex.json(page([ev(9, NOW + 86400 * 365), ev(1, lte), ev(2, gte), ev(8, gte - 1), ev(7, 0)], False))

    with HostileServer(script) as srv:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(srv.base_url, store, sink, start=START)
        assert res.error is None and res.out_of_window == 3 and "outside the requested" in (res.warning or "")
        assert sink.ids == ["audit_log-0001", "audit_log-0002"]
        assert "audit_log-0009" not in from_record(store.get(key())).seen


def test_an_id_repeated_in_a_page_and_pages_overlapping_by_their_boundary_event_are_written_once():
    """Section 6: dedup within the slice being read, also for events older than the overlap."""
    old = START + 3600  # far below the overlap: not in the persisted dedup map
    p1 = [ev(1, old + 30), ev(2, old + 20), ev(2, old + 20), ev(3, old + 10)]
    p2 = [ev(3, old + 10), ev(4, old + 5)]  # starts with the previous page's boundary event
    pages = {None: page(p1, True, "audit_log-0003"), "audit_log-0003": page(p2, False)}
    with HostileServer(by_cursor(pages)) as srv:
        sink = ListSink()
        [res] = poll(srv.base_url, MemoryStore(), sink, start=START)
    assert res.error is None and res.duplicates == 2
    assert sink.ids == [f"audit_log-{i:04d}" for i in (1, 2, 3, 4)]


def test_a_page_made_only_of_ids_already_written_in_the_slice_is_a_protocol_error():
    """Section 3: a server serving the same events again under new cursors is stopped, nothing written twice."""
    counter = {"n": 0}

    def script(ex: Exchange) -> None:
        counter["n"] += 1
        ex.json(page([ev(1, NOW - 100), ev(2, NOW - 101)], True, f"cursor-{counter['n']}"))

    with HostileServer(script) as srv:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(srv.base_url, store, sink, start=START)
        assert isinstance(res.error, PaginationError) and "already written" in str(res.error)
        assert sink.ids == ["audit_log-0001", "audit_log-0002"] and len(srv.requests) == 2
        assert from_record(store.get(key())).after == "cursor-1"  # the last page that was written


def test_endless_pages_stop_at_the_run_bound_with_the_checkpoint_saved_and_the_next_run_continues():
    """Section 3: has_more forever with new cursors and new ids: the run stops at a page boundary after
    ``max_pages`` with one warning; the next run resumes at the saved cursor."""
    def script(ex: Exchange) -> None:
        n = int(dict(ex.request.query).get("after", "audit_log-0000").rsplit("-", 1)[1]) + 1
        ex.json(page([ev(n, NOW - 100 - n)], True, f"audit_log-{n:04d}"))

    with HostileServer(script) as srv:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(srv.base_url, store, sink, start=START, max_pages=5)
        assert res.error is None and res.pages == 5 and len(srv.requests) == 5
        assert res.warning is not None and "run bound reached (5 pages)" in res.warning
        assert from_record(store.get(key())).after == "audit_log-0005"
        [res2] = poll(srv.base_url, store, sink, start=START, max_pages=3)
        assert dict(srv.requests[5].query)["after"] == "audit_log-0005"
        assert sink.ids == [f"audit_log-{i:04d}" for i in range(1, 9)]


def test_run_bound_in_seconds_uses_the_injected_monotonic_clock():
    ticks = iter(range(0, 10_000, 10))  # every reading of the clock is 10 s later

    def script(ex: Exchange) -> None:
        n = int(dict(ex.request.query).get("after", "audit_log-0000").rsplit("-", 1)[1]) + 1
        ex.json(page([ev(n, NOW - 100 - n)], True, f"audit_log-{n:04d}"))

    from oai_audit.checkpoint import Checkpoint
    from oai_audit.client import Query
    from oai_audit.poller import PollConfig, StreamSpec, poll_stream
    with HostileServer(script) as srv, make_client(srv.base_url) as client:
        res = poll_stream(client, StreamSpec("main", Query()), Checkpoint(MemoryStore(), key(), lambda: NOW),
                          ListSink(), PollConfig(start=START, max_seconds=35), now=lambda: NOW,
                          mono=lambda: float(next(ticks)))
    # the clock is read at the start (0), before the slice (10) and after each page (20, 30, 40 >= 35)
    assert res.error is None and res.pages == 3 and "run bound reached (35 s)" in (res.warning or "")


@pytest.mark.parametrize("refusal", [(400, "Invalid value for 'after'."), (404, "No such object: audit_log-0002")],
                         ids=["400", "404"])
def test_a_refused_cursor_restarts_the_slice_at_most_once_then_one_clear_error(refusal):
    """Section 3. The spec only says ``after`` is an object id; what a real server answers for one it no longer
    knows is not documented, so both plausible 4xx answers are tested (neither message names a "cursor").
    Restarted once, refused again: one PaginationError; the next run starts the slice clean."""
    status, message = refusal
    p1 = page([ev(1, NOW - 100), ev(2, NOW - 101)], True, "audit_log-0002")

    def script(ex: Exchange) -> None:
        if "after" in dict(ex.request.query):
            ex.json({"error": {"message": message}}, status=status)
        else:
            ex.json(p1)

    with HostileServer(script) as srv:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(srv.base_url, store, sink, start=START)
        assert isinstance(res.error, PaginationError) and "restarted once" in str(res.error)
        assert isinstance(res.error.__context__, ClientError)
        assert len(srv.requests) == 4  # page, refused cursor, page again (nothing re-written), refused again
        assert sink.ids == ["audit_log-0001", "audit_log-0002"] and res.duplicates == 2
        assert from_record(store.get(key())).after is None  # the next run starts the slice from its top


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_tenant_stream_refused_with_any_plausible_4xx_is_one_warning_and_main_is_collected(status):
    """Not documented in the spec: how an org that is not tenant-enabled refuses ``tenant_only=true``."""
    def script(ex: Exchange) -> None:
        if dict(ex.request.query).get("tenant_only") == "true":
            ex.json({"error": {"message": "This organization is not enabled for tenants."}}, status=status)
        else:
            ex.json(page([ev(1, NOW - 100)], False))

    with HostileServer(script) as srv:
        main, tenant = poll(srv.base_url, MemoryStore(), ListSink(), start=START, tenant=True)
    assert main.error is None and main.events == 1
    assert tenant.error is None and "not tenant-enabled" in (tenant.warning or "") and tenant.requests == 1
