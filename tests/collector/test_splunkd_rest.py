"""openai_audit_splunkd reads what solnlib writes. UCC's REST handlers (splunktaucclib) save an account through
solnlib's ConfManager and CredentialManager: the stanza shows ``******`` for each encrypted field, the fields live as
one JSON credential in storage/passwords, split in parts past 255 characters. Earlier versions of this add-on saved
checkpoints through solnlib's KVStoreCheckpointer. Here solnlib 7.0.0 itself (third-party code) writes to the fake
splunkd and our reader must give back what solnlib's own reader gives. The fake splunkd's REST replies are ours
(tools/fake_splunkd); the documents solnlib sends and expects are not."""
from __future__ import annotations

import json
import socket
import threading
from typing import Iterator

import pytest
from solnlib import conf_manager, credentials
from solnlib.modular_input.checkpointer import KVStoreCheckpointer

import openai_audit_splunkd as sd
from fake_splunkd import FakeSplunkd
from oai_audit import ADDON_NAME
from oai_audit.checkpoint import COLLECTION
from oai_audit.errors import ConfigError
from openai_audit_common import KVStore, open_kv_store

CONF = "ta_openai_audit_account"
LONG_KEY = "sk-admin-" + "k" * 600  # stored by solnlib in three parts plus its end mark


@pytest.fixture
def fake() -> Iterator[FakeSplunkd]:
    with FakeSplunkd() as f:
        yield f


def _solnlib_conf(fake: FakeSplunkd) -> conf_manager.ConfFile:
    cfm = conf_manager.ConfManager(fake.session_key, ADDON_NAME, realm=sd.credential_realm(CONF),
                                   **sd.splunkd_parts(fake.uri))
    return cfm.get_conf(CONF)


def test_constants_are_solnlibs() -> None:
    assert sd.ENCRYPTED == conf_manager.ConfFile.ENCRYPTED_TOKEN
    assert sd.END_MARK == credentials.CredentialManager.END_MARK
    assert sd.CRED_SEP == credentials.CredentialManager.SEP


def test_a_stanza_saved_by_solnlib_reads_back_decrypted_as_solnlib_reads_it(fake: FakeSplunkd) -> None:
    fake.set_conf(CONF, "placeholder", {})  # the conf file exists, as UCC's default/ makes it
    conf = _solnlib_conf(fake)
    conf.update("prod", {"api_key": LONG_KEY, "base_url": "https://api.openai.com/v1", "ca_bundle": ""},
                encrypt_keys=["api_key"])
    conf.update("short", {"api_key": "sk-admin-short", "type": "x"}, encrypt_keys=["api_key"])  # "type": see stanza_fields
    assert fake.get_conf(CONF, "prod")["api_key"] == sd.ENCRYPTED
    assert len([n for n in fake.state.passwords if "prod" in n]) == 4  # 3 parts + end mark: the chunked layout

    ours = sd.Splunkd(fake.session_key, fake.uri).conf(CONF)
    theirs = _solnlib_conf(fake).get_all(only_current_app=True)
    assert ours["prod"]["api_key"] == LONG_KEY and ours["short"]["api_key"] == "sk-admin-short"
    for name, fields in theirs.items():
        expected = {k: v for k, v in fields.items() if k not in ("eai:access", "eai:appName")}
        assert {k: v for k, v in ours[name].items() if k != "eai:appName"} == expected


def test_one_conf_request_and_no_password_request_without_encrypted_fields(fake: FakeSplunkd) -> None:
    fake.set_conf("ta_openai_audit_settings", "logging", {"loglevel": "DEBUG"})
    before = len(fake.requests)
    assert sd.Splunkd(fake.session_key, fake.uri).conf("ta_openai_audit_settings")["logging"]["loglevel"] == "DEBUG"
    assert [r[1].rsplit("/", 2)[-2] for r in fake.requests[before:]] == ["conf-ta_openai_audit_settings"]
    assert sd.Splunkd(fake.session_key, fake.uri).conf("no_such_conf") == {}


def test_an_encrypted_field_without_its_credential_is_a_clear_configuration_error(fake: FakeSplunkd) -> None:
    fake.set_account("acc", encrypted={"api_key": "sk-admin-secret"}, base_url="https://api.openai.com/v1")
    fake.state.passwords.clear()
    with pytest.raises(ConfigError) as err:
        sd.Splunkd(fake.session_key, fake.uri).conf(CONF)
    assert "stanza 'acc'" in str(err.value) and "sk-admin" not in str(err.value)


def test_a_checkpoint_saved_by_solnlibs_kv_checkpointer_is_read(fake: FakeSplunkd) -> None:
    """Upgrade path: the document solnlib's KVStoreCheckpointer writes ({"_key", "state": JSON text})."""
    record = {"version": 2, "seq": 3, "next_gte": 1700000000, "covered_to": 1700000100, "newest": 1700000090,
              "window": None, "after": None, "updated_at": 1700000100, "seen": {"audit_log-1": 1700000090}}
    KVStoreCheckpointer(COLLECTION, fake.session_key, ADDON_NAME, **sd.splunkd_parts(fake.uri)).update("k1", record)
    store, problem = open_kv_store(fake.session_key, fake.uri)
    assert problem is None and isinstance(store, KVStore)
    assert store.get("k1") == record
    assert store.get("missing") is None
    store.update("k2", json.dumps(record))
    assert json.loads(fake.kvstore[COLLECTION]["k2"]["state"]) == record
    store.delete("k2")
    store.delete("k2")  # already gone: not an error
    assert "k2" not in fake.kvstore[COLLECTION]


def test_a_splunkd_that_never_answers_fails_the_call_within_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sd, "TIMEOUT", 0.5)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepted by the kernel, never read nor answered
        port = listener.getsockname()[1]
        done = threading.Event()

        def call() -> None:
            with pytest.raises(OSError):
                sd.Splunkd("key", f"http://127.0.0.1:{port}").conf(CONF)
            done.set()

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(30)
    assert done.is_set()


def test_a_collection_is_written_in_batches_and_read_in_pages(fake: FakeSplunkd,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """batch_save requests of at most SAVE_BATCH documents (the KV store's default limit per batch), queries of
    QUERY_PAGE rows until a short page (QUERY_PAGE made small here so the test stays quick)."""
    monkeypatch.setattr(sd, "QUERY_PAGE", 300)
    fake.create_collection("inv")
    collection = sd.Splunkd(fake.session_key, fake.uri).collection("inv")
    docs = [{"_key": f"k{i}", "account": "a" if i % 2 else "b"} for i in range(2500)]
    before = len(fake.requests)
    collection.batch_save(docs)
    saves = [r for r in fake.requests[before:] if r[1].endswith("/batch_save")]
    assert len(saves) == 3 and len(fake.kvstore["inv"]) == 2500
    before = len(fake.requests)
    rows = collection.query({"account": "a"})
    assert sorted(r["_key"] for r in rows) == sorted(d["_key"] for d in docs if d["account"] == "a")
    assert len(fake.requests) - before == 5  # 1,250 rows: four full pages of 300 and a short one
