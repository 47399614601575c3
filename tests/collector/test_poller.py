"""The poller against the real simulator on 127.0.0.1: completeness, filters, overlap + dedup, resume."""
from __future__ import annotations

import json
import math

from oai_sim.generator import generate, same_second_burst
from oai_sim.server import Simulator

from oai_audit import USER_AGENT
from oai_audit.checkpoint import MemoryStore, from_record

from collector_support import KEY, NOW, ListSink, key, pages_for, poll


def test_backfill_writes_every_event_once_with_ceil_n_over_100_requests(sim, events):
    store, sink = MemoryStore(), ListSink()
    [res] = poll(sim.base_url, store, sink, start=NOW - 4 * 86400)
    assert res.error is None and res.warning is None
    assert sorted(sink.ids) == sorted(e["id"] for e in events)
    assert sink.events == sorted(sink.events, key=lambda e: (e["effective_at"], e["id"]), reverse=True)
    assert res.requests == math.ceil(len(events) / 100) == res.pages
    assert sink.flushes == res.pages
    for req in sim.requests:
        assert req.query["limit"] == ["100"]
        assert req.query["effective_at[gte]"] == [str(NOW - 4 * 86400)]
        assert "effective_at[lte]" in req.query and "tenant_only" not in req.query
        assert req.headers.get("User-Agent") == USER_AGENT
    afters = [r.query.get("after", [None])[0] for r in sim.requests]
    assert afters[0] is None and len(set(afters)) == len(afters)
    state = from_record(store.get(key()))
    assert state.window is None and state.after is None and state.covered_to is not None


def test_events_are_unchanged(sim, events):
    sink = ListSink()
    poll(sim.base_url, MemoryStore(), sink, start=NOW - 4 * 86400)
    by_id = {e["id"]: e for e in events}
    for ev in sink.events:
        assert ev == by_id[ev["id"]]
        assert list(ev) == list(by_id[ev["id"]])  # key order kept


def test_second_run_rereads_only_the_overlap_and_writes_nothing_twice(sim, events):
    store, sink = MemoryStore(), ListSink()
    poll(sim.base_url, store, sink, start=NOW - 4 * 86400)
    sim.clear_requests()
    [res] = poll(sim.base_url, store, sink, start=NOW - 4 * 86400, later=300)
    assert res.error is None and res.events == 0
    assert len(sink.ids) == len(set(sink.ids)) == len(events)
    newest = max(e["effective_at"] for e in events)  # the overlap is anchored to the newest collected (< now)
    in_overlap = [e for e in events if e["effective_at"] >= newest - 600]
    assert res.requests == max(1, math.ceil(len(in_overlap) / 100))
    assert res.duplicates <= len(in_overlap)


def test_time_slices_cover_the_backlog_and_request_count_follows_the_formula(sim, events):
    store, sink = MemoryStore(), ListSink()
    start = NOW - 4 * 86400
    [res] = poll(sim.base_url, store, sink, start=start, slice_seconds=86400)
    assert res.error is None
    assert sorted(sink.ids) == sorted(e["id"] for e in events)
    windows = []
    for r in sim.requests:
        w = (int(r.query["effective_at[gte]"][0]), int(r.query["effective_at[lte]"][0]))
        if not windows or windows[-1] != w:
            windows.append(w)
    assert windows[0][0] == start and windows[-1][1] >= NOW - 1
    assert all(b[0] == a[1] + 1 for a, b in zip(windows, windows[1:]))  # contiguous: no overlap mid-backfill
    assert all(hi - lo < 86400 for lo, hi in windows[:-1]) and windows[-1][1] - windows[-1][0] < 86400 + 600
    assert len(windows) == 4
    counts = [sum(1 for e in events if lo <= e["effective_at"] <= hi) for lo, hi in windows]
    assert res.requests == pages_for(counts)


def test_filters_are_sent_as_repeated_bracket_keys_and_respected(sim, events):
    types = ["api_key.created", "project.created", "login.succeeded"]
    projects = sorted({e["project"]["id"] for e in events if e.get("project")})[:2]
    sink = ListSink()
    [res] = poll(sim.base_url, MemoryStore(), sink, start=NOW - 4 * 86400, event_types=types, project_ids=projects)
    assert res.error is None
    expected = {e["id"] for e in events if e["type"] in types and (e.get("project") or {}).get("id") in projects}
    assert set(sink.ids) == expected and len(sink.ids) == len(expected)
    q = sim.requests[0].query
    assert q["event_types[]"] == types and q["project_ids[]"] == projects


def test_late_events_within_the_overlap_are_caught_once(sim, events):
    store, sink = MemoryStore(), ListSink()
    poll(sim.base_url, store, sink, start=NOW - 4 * 86400)
    # the poller's clock is injected (NOW + later), so "late" is relative to NOW however long the suite takes
    late = generate(30, seed=11, start=NOW - 500, end=NOW - 100, tenant=False)
    sim.add_events(late)
    [res] = poll(sim.base_url, store, sink, start=NOW - 4 * 86400, later=60)
    assert res.error is None and res.events == len(late)
    assert len(sink.ids) == len(set(sink.ids)) == len(events) + len(late)
    assert set(e["id"] for e in late) <= set(sink.ids)


def test_same_second_burst_across_page_boundaries():
    at = NOW - 300
    burst = same_second_burst(250, at, seed=3)
    with Simulator(burst, admin_key=KEY) as sim:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(sim.base_url, store, sink, start=at - 10)
        assert res.error is None and res.pages == 3
        assert sorted(sink.ids) == sorted(e["id"] for e in burst)
        # a second run re-reads the same second (inside the overlap) and skips all 250
        [res2] = poll(sim.base_url, store, sink, start=at - 10, later=60)
        assert res2.events == 0 and res2.duplicates == 250 and len(sink.ids) == 250


def test_interrupted_run_resumes_at_the_cursor_and_duplicates_only_the_in_flight_page(sim, events):
    store = MemoryStore()
    crashed = ListSink(die_after=250)  # dies in the middle of page 3
    try:
        poll(sim.base_url, store, crashed, start=NOW - 4 * 86400)
    except KeyboardInterrupt:
        pass
    state = from_record(store.get(key()))
    assert state.after is not None and state.window is not None
    assert state.after == crashed.ids[199]  # cursor of the last completed page (page 2)
    sim.clear_requests()
    rest = ListSink()
    [res] = poll(sim.base_url, store, rest, start=NOW - 4 * 86400)
    assert res.error is None
    assert sim.requests[0].query["after"] == [state.after]
    all_ids = crashed.ids + rest.ids
    assert set(all_ids) == {e["id"] for e in events}
    dups = len(all_ids) - len(set(all_ids))
    assert dups == 50  # exactly the part of page 3 written before the crash
    assert set(crashed.ids[200:]) <= set(rest.ids[:100])


def test_a_rejected_saved_cursor_restarts_the_slice_instead_of_failing_forever(sim, events):
    """The spec says only that ``after`` is an object id; the simulator's 400 "invalid cursor" for an unknown
    one is its own invention. test_hostile_pages.py tests other plausible answers (400 and 404 without the word
    "cursor") and the restart-once rule."""
    store, sink = MemoryStore(), ListSink()
    start = NOW - 4 * 86400
    store.update(key(), json.dumps({"version": 1, "seq": 3, "next_gte": start, "covered_to": None,
                         "window": {"gte": start, "lte": NOW - 30, "reread_from": NOW - 630},
                         "after": "audit_log-gone", "seen": {}}))
    [res] = poll(sim.base_url, store, sink, start=start)
    assert res.error is None and res.warning is not None and "cursor" in res.warning
    assert sim.requests[0].status == 400 and "after" not in sim.requests[1].query
    assert sorted(sink.ids) == sorted(e["id"] for e in events if e["effective_at"] <= NOW - 30)
    assert from_record(store.get(key())).window is None
