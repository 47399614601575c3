"""Splunk-side I/O against the fake splunkd: KV store checkpoints with file mirror, and the deletion used by
the input REST handler when an input is deleted."""
from __future__ import annotations

import logging

from fake_splunkd import FakeSplunkd

from oai_audit.checkpoint import COLLECTION, Checkpoint, State, checkpoint_key
from openai_audit_common import delete_checkpoints, open_store, read_conf, read_stanza


def test_kv_checkpoint_round_trip_and_delete_on_input_removal(tmp_path):
    with FakeSplunkd() as fake:
        log = logging.getLogger("test")
        store = open_store(fake.session_key, fake.uri, str(tmp_path), log)
        assert store.primary is not None
        for stream in ("main", "tenant"):
            Checkpoint(store, checkpoint_key("in1", "acc", stream), lambda: 1).save(State(next_gte=42))
        Checkpoint(store, checkpoint_key("other", "acc", "main"), lambda: 1).save(State(next_gte=7))
        assert len(fake.kvstore[COLLECTION]) == 3 and len(list(tmp_path.iterdir())) == 3
        fresh = open_store(fake.session_key, fake.uri, str(tmp_path), log)
        assert Checkpoint(fresh, checkpoint_key("in1", "acc", "main"), lambda: 1).load().next_gte == 42

        delete_checkpoints(fake.session_key, "openai_audit://in1", "acc", fake.uri, str(tmp_path))
        assert list(fake.kvstore[COLLECTION]) == [checkpoint_key("other", "acc", "main")]
        assert [p.name for p in tmp_path.iterdir()] == [checkpoint_key("other", "acc", "main") + ".json"]


def test_read_stanza_decrypts_and_tolerates_missing(tmp_path):
    with FakeSplunkd() as fake:
        fake.set_account("acc", encrypted={"api_key": "sk-x"}, base_url="https://api.openai.com/v1")
        acc = read_stanza(fake.session_key, "ta_openai_audit_account", "acc", fake.uri)
        assert acc["api_key"] == "sk-x" and acc["base_url"] == "https://api.openai.com/v1"
        assert read_stanza(fake.session_key, "ta_openai_audit_account", "nope", fake.uri) == {}
        assert read_stanza(fake.session_key, "ta_openai_audit_settings", "proxy", fake.uri) == {}


def test_read_conf_gives_every_stanza_from_one_conf_read():
    """The input reads the settings conf once per run (logging, proxy, advanced stanzas), not once per stanza."""
    with FakeSplunkd() as fake:
        fake.set_conf("ta_openai_audit_settings", "logging", {"loglevel": "DEBUG"})
        fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})
        before = len(fake.requests)
        settings = read_conf(fake.session_key, "ta_openai_audit_settings", fake.uri)
        conf_reads = [r for r in fake.requests[before:] if "conf-ta_openai_audit_settings" in r[1]]
    assert settings["logging"]["loglevel"] == "DEBUG" and settings["advanced"]["allow_custom_base_url"] == "1"
    assert len(conf_reads) == 1, conf_reads


def test_kv_store_down_means_file_only_after_a_single_probe(tmp_path):
    with FakeSplunkd() as fake:
        fake.fail_kvstore = True
        warnings = []

        class Log:
            def warning(self, msg, *args):
                warnings.append(msg % args)

        store = open_store(fake.session_key, fake.uri, str(tmp_path), Log())  # type: ignore[arg-type]
        assert store.primary is None and len(warnings) == 1 and "HTTP 503" in warnings[0]
        assert sum(1 for r in fake.requests if "storage/collections" in r[1]) == 1
        Checkpoint(store, "k", lambda: 1).save(State(next_gte=5))
        assert (tmp_path / "k.json").exists()
