"""Late events when nothing newer is visible, clock jumps, and checkpoint failures (issue 10 sections 1, 2 and 7):
the real poller against the simulator (or a small hostile server of our own) under injected clocks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from oai_sim.generator import generate
from oai_sim.server import Simulator

from oai_audit.checkpoint import FileStore, MemoryStore, MirroredStore, from_record
from oai_audit.errors import CheckpointError, CheckpointLocked

from collector_support import KEY, NOW, ListSink, key, poll

START = NOW - 2 * 86400


def _once(sink: ListSink, expected) -> None:
    assert len(sink.ids) == len(set(sink.ids)), "an event was written twice"
    assert set(sink.ids) == {e["id"] for e in expected}, "an event was lost"


def test_events_shown_late_while_nothing_newer_is_visible_are_collected_once():
    """Section 1: the API's pipeline stalls; the newest visible event is 20 minutes old; then events of 12-15
    minutes ago appear. Anchored to the wall clock alone (now - overlap) all 20 were lost."""
    old = generate(300, seed=5, start=START, end=NOW - 1200, tenant=False)
    late = generate(20, seed=6, start=NOW - 900, end=NOW - 720, tenant=False)
    with Simulator(old, admin_key=KEY) as sim:
        store, sink = MemoryStore(), ListSink()
        poll(sim.base_url, store, sink, start=START)
        sim.add_events(late)
        sim.clear_requests()
        [res] = poll(sim.base_url, store, sink, start=START, later=300)
        assert res.error is None and res.events == len(late)
        assert len(sim.requests) == 1  # a quiet organization: still one request per run
        _once(sink, old + late)


def test_a_run_under_a_clock_one_day_ahead_loses_nothing_once_the_clock_is_back():
    """Section 2: the run ahead stores a checkpoint a day in the future; the next run (real clock) detects it,
    warns once, resumes from the newest collected event minus the overlap."""
    before = generate(200, seed=7, start=START, end=NOW - 60, tenant=False)
    that_day = generate(50, seed=8, start=NOW + 1, end=NOW + 3000, tenant=False)
    with Simulator(before, admin_key=KEY) as sim:
        store, sink = MemoryStore(), ListSink()
        [ahead] = poll(sim.base_url, store, sink, start=START, later=86400)
        assert ahead.error is None and from_record(store.get(key())).covered_to == NOW + 86400
        sim.add_events(that_day)
        [back] = poll(sim.base_url, store, sink, start=START, later=3600)
        assert back.error is None and back.warning is not None and "ahead of the clock" in back.warning
        [after] = poll(sim.base_url, store, sink, start=START, later=3900)
        assert after.warning is None  # warned once
        _once(sink, before + that_day)


def test_a_clock_that_goes_back_an_hour_loses_nothing():
    first = generate(100, seed=9, start=START, end=NOW - 60, tenant=False)
    meanwhile = generate(40, seed=10, start=NOW - 30, end=NOW + 500, tenant=False)
    with Simulator(first, admin_key=KEY) as sim:
        store, sink = MemoryStore(), ListSink()
        poll(sim.base_url, store, sink, start=START)
        sim.add_events(meanwhile)
        [back] = poll(sim.base_url, store, sink, start=START, later=-3600)
        assert back.error is None and "ahead of the clock" in (back.warning or "")
        poll(sim.base_url, store, sink, start=START, later=600)
        _once(sink, first + meanwhile)


def _unwritable(tmp_path: Path) -> FileStore:
    """A checkpoint directory that cannot be created (its parent is a regular file): every write fails with a
    real OSError, as with a read-only directory or a full disk (the tests run as root, where chmod does not
    stop writes)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    return FileStore(str(blocker / "checkpoints"))


@pytest.fixture
def small_sim():
    events = generate(250, seed=11, start=START, end=NOW - 60, tenant=False)
    with Simulator(events, admin_key=KEY) as sim:
        yield sim, events


def test_an_unwritable_checkpoint_directory_with_a_healthy_kv_store_uses_the_kv_store_and_says_so_once(
        small_sim, tmp_path):
    sim, events = small_sim
    warnings = []
    kv = MemoryStore()
    store = MirroredStore(kv, _unwritable(tmp_path), warn=warnings.append)
    sink = ListSink()
    [res] = poll(sim.base_url, store, sink, start=START)
    assert res.error is None and sorted(sink.ids) == sorted(e["id"] for e in events)
    assert len(warnings) == 1 and "KV store checkpoint only" in warnings[0]
    assert from_record(kv.get(key())).window is None  # saved in the KV store
    [again] = poll(sim.base_url, MirroredStore(kv, _unwritable(tmp_path), warn=warnings.append), sink, start=START)
    assert again.events == 0 and len(sink.ids) == len(events)  # the next run resumes: no duplicates


def test_with_no_store_that_works_the_run_writes_nothing(small_sim, tmp_path):
    """Before: each run wrote a page, failed to save, stopped (100 duplicates per run)."""
    sim, _ = small_sim
    sink = ListSink()
    [res] = poll(sim.base_url, MirroredStore(None, _unwritable(tmp_path)), sink, start=START)
    assert isinstance(res.error, CheckpointError) and "cannot save" in str(res.error)
    assert sink.ids == []


def test_a_corrupt_checkpoint_file_with_a_good_kv_copy_uses_the_kv_copy(small_sim, tmp_path):
    sim, events = small_sim
    kv, files = MemoryStore(), FileStore(str(tmp_path))
    sink = ListSink()
    poll(sim.base_url, MirroredStore(kv, files), sink, start=START)
    Path(files.path(key())).write_text('{"version": 2, "seq": 9')  # torn / corrupt
    warnings = []
    [res] = poll(sim.base_url, MirroredStore(kv, files, warn=warnings.append), sink, start=START, later=60)
    assert res.error is None and res.events == 0 and len(sink.ids) == len(events)
    assert len(warnings) == 1 and "corrupt" in warnings[0] and "other copy" in warnings[0]
    assert json.loads(Path(files.path(key())).read_text())["version"] == 2  # rewritten


def test_a_checkpoint_holding_null_is_refused_not_a_full_re_backfill(small_sim, tmp_path):
    sim, _ = small_sim
    files = FileStore(str(tmp_path))
    Path(files.path(key())).write_text("null")
    sink = ListSink()
    [res] = poll(sim.base_url, files, sink, start=START)
    assert isinstance(res.error, CheckpointError) and "null" in str(res.error)
    assert sink.ids == [] and sim.requests == []


def test_a_second_process_on_the_same_checkpoint_key_exits_at_once_and_writes_nothing(small_sim, tmp_path):
    """flock locks belong to an open file description, so a lock held through another descriptor in this
    process conflicts exactly as one held by another process (test_cli has the two-process case)."""
    sim, _ = small_sim
    files = FileStore(str(tmp_path))
    sink = ListSink()
    with files.lock(key()):
        results = poll(sim.base_url, MirroredStore(None, files), sink, start=START, tenant=True)
    assert all(isinstance(r.error, CheckpointLocked) and "another process" in str(r.error) for r in results)
    assert len(results) == 2 and sink.ids == [] and sim.requests == []
    assert files.get(key()) is None
    [res] = poll(sim.base_url, files, sink, start=START)  # released: the next run works
    assert res.error is None and res.events == 250
