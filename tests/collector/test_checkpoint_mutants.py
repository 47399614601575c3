"""The checkpoint as the README's "Checkpoint record" paragraph states it, plus the failure paths the older tests
did not reach. Written to kill the mutants of oai_audit/checkpoint.py that those tests let through."""
from __future__ import annotations

import json

import pytest

from oai_audit.checkpoint import (
    Checkpoint, FileStore, MemoryStore, MirroredStore, SingleFileStore, State, Window, checkpoint_key, from_record,
    migrate, stream_of,
)
from oai_audit.dedup import SeenIds
from oai_audit.errors import CheckpointError


def test_the_key_format_of_released_checkpoints_never_changes():
    # Checkpoints written by 1.0.0 are found under these keys; an upgrade computing other keys would silently
    # start a full backfill again (issue 10 §8).
    assert checkpoint_key("prod", "acme", "main") == "prod__acme__main__105239173260"
    assert checkpoint_key("prod", "acme", "tenant") == "prod__acme__tenant__bee36c92d91a"
    assert checkpoint_key("in put/é", "a", "main").startswith("in_put____a__main__")  # each unsafe character -> _
    long = checkpoint_key("x" * 200, "acct", "main")
    assert long.startswith("x" * 80 + "__main__")  # the readable part is cut at 80 characters
    assert stream_of("whatever") == "main"


def test_a_store_failure_on_load_or_save_is_a_checkpoint_error_and_save_keeps_the_sequence():
    class Broken(MemoryStore):
        def get(self, key):
            raise RuntimeError("backend exploded")

        def update(self, key, record):
            raise RuntimeError("disk full")

    cp = Checkpoint(Broken(), "k", lambda: 1)
    with pytest.raises(CheckpointError, match="cannot read checkpoint k: RuntimeError: backend exploded"):
        cp.load()
    state = State(seq=4)
    with pytest.raises(CheckpointError, match="cannot save checkpoint k: RuntimeError: disk full"):
        cp.save(state)
    assert state.seq == 4  # not counted as saved


def test_save_stamps_sequence_and_time_from_the_injected_clock():
    store = MemoryStore()
    cp = Checkpoint(store, "k", lambda: 1234.9)
    state = State(next_gte=5)
    cp.save(state)
    cp.save(state)
    assert store.get("k")["seq"] == 2 and store.get("k")["updated_at"] == 1234


def test_an_unreadable_checkpoint_file_is_reported_not_taken_for_a_fresh_start(tmp_path):
    store = FileStore(str(tmp_path))
    (tmp_path / "k.json").mkdir()  # reading it raises IsADirectoryError (an OSError)
    with pytest.raises(CheckpointError, match="cannot read checkpoint file"):
        store.get("k")


def test_a_failed_file_write_leaves_no_temporary_file_and_the_old_record(tmp_path):
    store = FileStore(str(tmp_path))
    store.update("k", '{"seq":1}')
    with pytest.raises(UnicodeEncodeError):
        store.update("k", '{"seq":2,"bad":"\ud800"}')  # a lone surrogate cannot be written as UTF-8: mid-write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json"]
    assert store.get("k") == {"seq": 1}


def test_records_are_parsed_with_their_types_and_bad_ones_refused():
    st = from_record({"version": 1, "seq": "3", "next_gte": 10, "covered_to": 20, "after": "",
                      "window": {"gte": 1, "lte": 2, "reread_from": 3}, "seen": {"a": 7}, "updated_at": 9})
    assert st == State(next_gte=10, covered_to=20, window=Window(1, 2, 3), after=None, seen=SeenIds({"a": 7}),
                       newest=7, seq=3, updated_at=9)
    assert from_record({"version": 1}) == State()
    # times are integers within bounds (issue 10 section 5): strings are refused, not converted
    for bad in ({"version": 1, "seen": {"a": "x"}}, {"version": 1, "next_gte": "soon"}, {"version": 1, "next_gte": "10"},
                {"version": 1, "window": {"gte": "1", "lte": 2, "reread_from": 3}}):
        with pytest.raises(CheckpointError, match="invalid"):
            from_record(bad)
    with pytest.raises(CheckpointError, match="not an object"):
        from_record([1, 2])


def test_unversioned_record_without_a_mark_migrates_to_a_fresh_version_2():
    assert migrate({}) == {"version": 2, "seq": 0, "next_gte": None, "covered_to": None, "window": None,
                           "after": None, "seen": {}, "updated_at": 0, "newest": None}
    assert migrate({"next_gte": "50"})["covered_to"] == 49
    with pytest.raises(CheckpointError, match="no migration from checkpoint version -1"):
        migrate({"version": -1})


def test_to_json_is_a_snapshot_that_follows_the_dedup_map():
    st = State(seen=SeenIds({"a": 1}))
    rec = json.loads(st.to_json())
    st.seen.add("b", 2)
    assert rec["seen"] == {"a": 1} and rec["window"] is None
    assert json.loads(st.to_json())["seen"] == {"a": 1, "b": 2}


def test_mirrored_store_without_records_and_delete_clears_both(tmp_path):
    kv, mirror = MemoryStore(), FileStore(str(tmp_path))
    store = MirroredStore(kv, mirror)
    assert store.get("k") is None
    store.update("k", '{"seq":1}')
    assert kv.get("k") == {"seq": 1} and mirror.get("k") == {"seq": 1}
    store.delete("k")
    assert kv.get("k") is None and mirror.get("k") is None
    assert MirroredStore(None, mirror).get("k") is None


def test_mirrored_store_reads_the_file_when_the_kv_record_is_missing(tmp_path):
    mirror = FileStore(str(tmp_path))
    mirror.update("k", '{"seq":3}')
    assert MirroredStore(MemoryStore(), mirror).get("k") == {"seq": 3}
    assert MirroredStore(MemoryStore(), mirror).get("k") is not None


def test_memory_store_hands_out_copies():
    store = MemoryStore()
    store.update("k", '{"seen":{"a":1}}')
    got = store.get("k")
    got["seen"]["c"] = 3
    assert store.get("k") == {"seen": {"a": 1}}
    store.delete("k")
    store.delete("k")
    assert store.get("k") is None


def test_cli_single_file_main_stream_uses_the_file_itself(tmp_path):
    path = tmp_path / "sub" / "cp.json"
    path.parent.mkdir()
    store = SingleFileStore(str(path))
    store.update(checkpoint_key("cli", "cli", "main"), '{"seq":1}')
    assert json.loads(path.read_text()) == {"seq": 1}
    assert store.directory == str(path.parent)
