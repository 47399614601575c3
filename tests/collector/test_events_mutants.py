"""How an audit log object becomes a Splunk event (README: its JSON unchanged, keys in API order, compact,
UTF-8; ``_time`` = ``effective_at``)."""
from __future__ import annotations

from oai_audit.events import event_id, event_time, to_raw


def test_the_raw_event_is_the_api_json_compact_in_api_order_and_not_ascii_escaped():
    obj = {"id": "audit_log-1", "type": "login.succeeded", "effective_at": 1700000000,
           "actor": {"session": {"user": {"email": "zoë@example.com"}}}, "b": [1, None, True]}
    assert to_raw(obj) == ('{"id":"audit_log-1","type":"login.succeeded","effective_at":1700000000,'
                           '"actor":{"session":{"user":{"email":"zoë@example.com"}}},"b":[1,null,true]}')


def test_time_and_id_of_an_event():
    assert event_time({"effective_at": 1700000000}) == 1700000000
    assert event_time({"effective_at": "1700000001"}) == 1700000001
    assert event_id({"id": 12}) == "12"
