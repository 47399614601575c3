"""Checkpoint record versioning/migration, stores and dedup bounds (pure)."""
from __future__ import annotations

import json
import os

import pytest

from oai_audit.checkpoint import (
    VERSION, Checkpoint, FileStore, MemoryStore, MirroredStore, SingleFileStore, State, Window, checkpoint_key,
    from_record, migrate, stream_of,
)
from oai_audit.dedup import prune, remember
from oai_audit.errors import CheckpointError


def test_record_round_trip_is_versioned():
    st = State(next_gte=10, covered_to=99, window=Window(10, 99, 50), after="audit_log-x", seen={"a": 60}, seq=3)
    rec = st.to_record()
    assert rec["version"] == VERSION == 1
    back = from_record(json.loads(json.dumps(rec)))
    assert back == st


def test_fresh_state_from_nothing():
    assert from_record(None) == State()


def test_migration_from_unversioned_record():
    rec = migrate({"effective_at": 1700000000})
    assert rec["version"] == 1 and rec["next_gte"] == 1700000000 and rec["covered_to"] == 1699999999
    st = from_record({"effective_at": 1700000000})
    assert st.window is None and st.seen == {}


def test_newer_or_broken_versions_are_refused():
    with pytest.raises(CheckpointError, match="newer"):
        from_record({"version": VERSION + 1})
    with pytest.raises(CheckpointError):
        from_record({"version": "one"})
    with pytest.raises(CheckpointError, match="invalid"):
        from_record({"version": 1, "window": {"gte": 1}})


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
    store.update("k", {"version": 1, "seq": 1})
    store.update("k", {"version": 1, "seq": 2})
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
    store.update(checkpoint_key("cli", "cli", "main"), {"seq": 1})
    store.update(checkpoint_key("cli", "cli", "tenant"), {"seq": 5})
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
    kv.update("k", {"version": 1, "seq": 4})
    mirror.update("k", {"version": 1, "seq": 7})
    assert MirroredStore(kv, mirror).get("k")["seq"] == 7
    kv.update("k", {"version": 1, "seq": 9})
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


def test_dedup_keeps_only_ids_at_or_after_the_boundary_and_is_capped():
    seen = {}
    for i in range(10):
        remember(seen, f"id{i}", 100 + i, boundary=105)
    assert sorted(seen) == [f"id{i}" for i in range(5, 10)]
    assert prune(seen, 108) == {"id8": 108, "id9": 109}
    capped = prune({f"x{i}": i for i in range(1000)}, 0, max_size=10)
    assert sorted(capped.values()) == list(range(990, 1000))
