"""Checkpoint record versioning/migration, stores and dedup bounds (pure)."""
from __future__ import annotations

import json
import os

import pytest

from oai_audit.checkpoint import (
    VERSION, Checkpoint, FileStore, MemoryStore, MirroredStore, SingleFileStore, State, Window, checkpoint_key,
    from_record, migrate, stream_of,
)
from oai_audit.dedup import SeenIds, SliceIds
from oai_audit.errors import CheckpointError


def test_record_round_trip_is_versioned():
    st = State(next_gte=10, covered_to=99, window=Window(10, 99, 50, True), after="audit_log-x",
               seen=SeenIds({"a": 60}), newest=60, seq=3)
    rec = json.loads(st.to_json())
    assert rec["version"] == VERSION == 2
    assert from_record(rec) == st


def test_seen_json_is_kept_incrementally_and_equals_a_full_encoding():
    seen = SeenIds()
    assert seen.json() == "{}"
    for i in range(5):
        seen.add(f"id{i}", 100 + i)
        seen.add(f"id{i}", 100 + i)  # an id already held is not added twice
        assert json.loads(seen.json()) == {f"id{j}": 100 + j for j in range(i + 1)}
    assert seen.json() == json.dumps(seen.ids, separators=(",", ":"))
    st = State(seen=seen)
    assert json.loads(st.to_json())["seen"] == seen.ids


def test_migration_from_version_1_derives_newest_and_tail():
    v1 = {"version": 1, "seq": 5, "next_gte": 100, "covered_to": 199,
          "window": {"gte": 100, "lte": 300, "reread_from": 250}, "after": "x", "seen": {"a": 260, "b": 280}}
    st = from_record(v1)
    assert st.newest == 280 and st.window == Window(100, 300, 250, True) and st.seq == 5
    old = from_record(dict(v1, window={"gte": 100, "lte": 300, "reread_from": 301}, seen={}))
    assert old.newest is None and old.window is not None and not old.window.tail


def test_fresh_state_from_nothing():
    assert from_record(None) == State()


def test_migration_from_unversioned_record():
    rec = migrate({"effective_at": 1700000000})
    assert rec["version"] == 2 and rec["next_gte"] == 1700000000 and rec["covered_to"] == 1699999999
    st = from_record({"effective_at": 1700000000})
    assert st.window is None and len(st.seen) == 0


def test_newer_or_broken_versions_are_refused():
    with pytest.raises(CheckpointError, match="newer"):
        from_record({"version": VERSION + 1})
    with pytest.raises(CheckpointError):
        from_record({"version": "one"})
    with pytest.raises(CheckpointError, match="invalid"):
        from_record({"version": 1, "window": {"gte": 1}})


@pytest.mark.parametrize("field,value", [("next_gte", -100), ("covered_to", 10 ** 400), ("newest", True),
                                         ("seen", {"a": "1"}), ("seen", {"a": 10 ** 13}), ("after", 5)])
def test_times_out_of_bounds_and_wrong_types_in_a_record_are_refused(field, value):
    """Issue 10 section 5: the same effective_at bounds as for API events (0 .. end of year 9999)."""
    with pytest.raises(CheckpointError, match="invalid"):
        from_record({"version": 2, field: value})


@pytest.mark.parametrize("text", ["null", "[]", "7", "{not json"])
def test_a_null_or_non_object_record_is_refused_not_read_as_no_checkpoint(tmp_path, text):
    """Issue 10 section 7: a checkpoint holding null silently meant a full re-backfill."""
    (tmp_path / "k.json").write_text(text)
    with pytest.raises(CheckpointError):
        Checkpoint(FileStore(str(tmp_path)), "k", lambda: 0).load()
    mem = MemoryStore()
    mem.update("k", text)
    with pytest.raises(CheckpointError):
        Checkpoint(mem, "k", lambda: 0).load()


def test_keys_are_unique_per_input_account_stream_and_safe():
    keys = {checkpoint_key(i, a, s) for i in ("in", "in/x", "in x") for a in ("acc", "acc2") for s in ("main", "tenant")}
    assert len(keys) == 12
    for k in keys:
        assert all(c.isalnum() or c in "_.-" for c in k)
    assert stream_of(checkpoint_key("a__tenant__b", "acc", "main")) == "main"
    assert stream_of(checkpoint_key("a", "acc", "tenant")) == "tenant"


def test_file_store_atomic_and_survives_reopen(tmp_path):
    store = FileStore(str(tmp_path / "cp"))
    assert store.get("k") is None
    store.update("k", '{"version":1,"seq":1}')
    store.update("k", '{"version":1,"seq":2}')
    assert FileStore(str(tmp_path / "cp")).get("k") == {"version": 1, "seq": 2}
    assert os.listdir(tmp_path / "cp") == ["k.json"]  # no temp files left behind
    store.delete("k")
    store.delete("k")
    assert store.get("k") is None


def test_corrupt_file_is_reported(tmp_path):
    store = FileStore(str(tmp_path))
    (tmp_path / "k.json").write_text("{not json")
    with pytest.raises(CheckpointError):
        Checkpoint(store, "k", lambda: 0).load()


def test_single_file_store_for_cli(tmp_path):
    path = tmp_path / "cp.json"
    store = SingleFileStore(str(path))
    store.update(checkpoint_key("cli", "cli", "main"), '{"seq":1}')
    store.update(checkpoint_key("cli", "cli", "tenant"), '{"seq":5}')
    assert json.loads(path.read_text()) == {"seq": 1}
    assert json.loads((tmp_path / "cp.json.tenant").read_text()) == {"seq": 5}


class FailingStore(MemoryStore):
    def __init__(self, fail_get=False, fail_update=False):
        super().__init__()
        self.fail_get, self.fail_update = fail_get, fail_update

    def get(self, key):
        if self.fail_get:
            raise ConnectionError("kv down")
        return super().get(key)

    def update(self, key, record):
        if self.fail_update:
            raise ConnectionError("kv down")
        super().update(key, record)


def test_mirrored_store_reads_the_most_advanced_record(tmp_path):
    kv, mirror = MemoryStore(), FileStore(str(tmp_path))
    kv.update("k", '{"version":1,"seq":4}')
    mirror.update("k", '{"version":1,"seq":7}')
    assert MirroredStore(kv, mirror).get("k")["seq"] == 7
    kv.update("k", '{"version":1,"seq":9}')
    assert MirroredStore(kv, mirror).get("k")["seq"] == 9


def test_mirrored_store_falls_back_to_file_when_kv_fails(tmp_path):
    warnings = []
    mirror = FileStore(str(tmp_path))
    store = MirroredStore(FailingStore(fail_update=True), mirror, warn=warnings.append)
    cp = Checkpoint(store, "k", lambda: 5)
    st = State(next_gte=1)
    cp.save(st)
    cp.save(st)
    assert mirror.get("k")["seq"] == 2
    assert len(warnings) == 1 and "file checkpoint" in warnings[0]
    store2 = MirroredStore(FailingStore(fail_get=True), mirror, warn=warnings.append)
    assert Checkpoint(store2, "k", lambda: 5).load().seq == 2


class CountingStore(MemoryStore):
    def __init__(self):
        super().__init__()
        self.writes = []

    def update(self, key, record):
        self.writes.append(json.loads(record)["seq"])
        super().update(key, record)


def _throttled(tmp_path, kv, every=10.0):
    clock = [100.0]
    store = MirroredStore(kv, FileStore(str(tmp_path)), primary_every=every, clock=lambda: clock[0])
    return store, clock


def test_under_the_lock_the_kv_copy_is_saved_every_n_seconds_and_when_the_lock_is_released(tmp_path):
    """The file copy after every page, the KV copy at most every ``primary_every`` s and at the end of the run
    (our design: README "Checkpoints"); the newest record wins on read, so resuming uses the file's."""
    kv = CountingStore()
    store, clock = _throttled(tmp_path, kv)
    cp = Checkpoint(store, "k", lambda: 5)
    st = State(next_gte=1)
    with store.lock("k"):
        for _ in range(25):  # 25 pages, 1 s apart
            cp.save(st)
            clock[0] += 1.0
        assert kv.writes == [11, 21]  # 10 s and 20 s after the run took the lock
        assert store.get("k")["seq"] == 25  # read prefers the file copy, which is never behind
        assert FileStore(str(tmp_path)).get("k")["seq"] == 25
    assert kv.writes == [11, 21, 25]  # the lagging KV copy is saved before the lock is released
    assert kv.get("k")["seq"] == 25


def test_the_kv_copy_is_saved_when_the_run_ends_with_an_error(tmp_path):
    kv = CountingStore()
    store, _ = _throttled(tmp_path, kv)
    with pytest.raises(RuntimeError):
        with store.lock("k"):
            Checkpoint(store, "k", lambda: 5).save(State(next_gte=1))
            raise RuntimeError("run failed after a page")
    assert kv.writes == [1]


def test_without_a_working_mirror_every_save_goes_to_the_kv_store(tmp_path):
    kv = CountingStore()
    warnings = []
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the checkpoint directory should be")
    store = MirroredStore(kv, FileStore(str(blocked)), warn=warnings.append, primary_every=10.0,
                          clock=lambda: 100.0)
    store._lock_store = MemoryStore()  # the lock itself lives elsewhere in this test
    cp = Checkpoint(store, "k", lambda: 5)
    st = State(next_gte=1)
    with store.lock("k"):
        for _ in range(3):
            cp.save(st)
    assert kv.writes == [1, 2, 3]
    assert len(warnings) == 1 and "KV store checkpoint only" in warnings[0]


def test_outside_a_lock_and_by_default_every_save_goes_to_both(tmp_path):
    kv = CountingStore()
    store, _ = _throttled(tmp_path, kv)
    cp, st = Checkpoint(store, "k", lambda: 5), State(next_gte=1)
    cp.save(st)
    cp.save(st)
    kv2 = CountingStore()
    os.makedirs(str(tmp_path / "d"))
    default = MirroredStore(kv2, FileStore(str(tmp_path / "d")))
    cp2, st2 = Checkpoint(default, "k", lambda: 5), State(next_gte=1)
    with default.lock("k"):
        cp2.save(st2)
        cp2.save(st2)
    assert kv.writes == [1, 2] and kv2.writes == [1, 2]


def test_dedup_keeps_only_ids_at_or_after_the_boundary_and_is_capped():
    seen = SeenIds({f"id{i}": 100 + i for i in range(10)})
    assert seen.pruned(108) == SeenIds({"id8": 108, "id9": 109})
    assert seen.pruned(0) is seen  # nothing pruned: the same map (and its cached JSON text)
    capped = SeenIds({f"x{i}": i for i in range(1000)}).pruned(0, max_size=10)
    assert sorted(capped.ids.values()) == list(range(990, 1000))
    assert json.loads(capped.json()) == capped.ids


def test_slice_ids_remember_at_least_the_last_kept_ids():
    ids = SliceIds(kept=3)
    for i in range(10):
        ids.current.add(f"e{i}")
        ids.end_page()
        assert all(f"e{j}" in ids for j in range(max(0, i - 2), i + 1))
    assert "e0" not in ids
