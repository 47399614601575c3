"""Index-time props: line breaking, timestamp from effective_at and no truncation, for the JSON exactly as the
input writes it (EventWriter, explicit time) and for the same JSON ingested from a file."""
from __future__ import annotations

import json
import random
import string

from cim_support import break_lines, props_stanza

from oai_audit.events import event_time, to_raw


def _big_certificate_event(size: int) -> dict:
    rng = random.Random(7)
    body = "\n".join("".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(64))
                     for _ in range(size // 65))
    pem = "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % body
    return {"id": "audit_log-big", "type": "certificate.deleted", "effective_at": 1767225999,
            "actor": {"type": "session", "session": {"user": {"id": "user-1", "email": "ü@example.com"},
                                                      "ip_address": "192.0.2.1"}},
            "certificate.deleted": {"id": "cert_1", "name": "mtls-prod", "certificate": pem}}


def test_file_ingestion_of_ndjson_breaks_one_event_per_object(engine, generated):
    objs = list(generated) + [_big_certificate_event(300_000)]
    st = props_stanza()
    for newline in ("\n", "\r\n"):
        data = newline.join(to_raw(o) for o in objs) + newline
        chunks = break_lines(data, st["LINE_BREAKER"])
        assert len(chunks) == len(objs)
        for obj, chunk in zip(objs, chunks):
            ev = engine.make_event(chunk)
            assert ev.raw == to_raw(obj)  # unchanged, not truncated
            assert ev.time == float(event_time(obj))


def test_large_pem_is_neither_truncated_nor_split(engine):
    obj = _big_certificate_event(500_000)
    raw = to_raw(obj)
    assert len(raw.encode("utf-8")) > 500_000 and "\n" not in raw
    assert break_lines(raw + "\n", props_stanza()["LINE_BREAKER"]) == [raw]
    ev = engine.make_event(raw)
    f = engine.extract(ev)
    assert f["certificate.deleted.certificate"] == obj["certificate.deleted"]["certificate"]
    assert f["object_id"] == "cert_1" and f["object"] == "mtls-prod" and f["action"] == "deleted"
    assert f["user"] == "ü@example.com"


def test_modular_input_events_with_explicit_time(engine, generated):
    for obj in generated[:20]:
        ev = engine.make_event(to_raw(obj), time=event_time(obj))
        assert ev.time == float(obj["effective_at"]) and ev.raw == to_raw(obj)


def test_spaced_json_lines_also_get_their_timestamp(engine, generated):
    """One object per line with ", " / ": " separators (json.dumps defaults) still breaks and timestamps."""
    objs = generated[:10]
    data = "\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n"
    chunks = break_lines(data, props_stanza()["LINE_BREAKER"])
    assert len(chunks) == len(objs)
    for obj, chunk in zip(objs, chunks):
        assert json.loads(chunk) == obj
        assert engine.make_event(chunk).time == float(obj["effective_at"])


def test_timestamp_uses_the_top_level_effective_at_only(engine):
    obj = {"id": "audit_log-t", "type": "project.updated", "effective_at": 1700000000,
           "actor": None, "project.updated": {"id": "proj_1", "changes_requested": {"title": '"effective_at":1'}}}
    assert engine.make_event(to_raw(obj)).time == 1700000000.0
