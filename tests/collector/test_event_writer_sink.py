"""The input's page-batched event serialisation is byte-identical to splunklib's Event.write_to."""
from __future__ import annotations

import io

from splunklib.modularinput.event import Event
from splunklib.modularinput.event_writer import EventWriter

from oai_audit import SOURCETYPE
from oai_audit.events import event_time, to_raw
from openai_audit_helper import EventWriterSink

OBJS = [
    {"id": "audit_log-1", "type": "login.failed", "effective_at": 1767225600,
     "login.failed": {"error_code": "<bad & \"odd\">", "error_message": "ünïcödé ✓ ]]> '"}},
    {"id": "audit_log-2", "type": "project.created", "effective_at": 1767225601, "project": {"id": "p", "name": "a<b"}},
]


def _reference(index: str, source: str) -> str:
    out = io.StringIO()
    ew = EventWriter(output=out, error=io.StringIO())
    for obj in OBJS:
        ew.write_event(Event(data=to_raw(obj), time=event_time(obj), index=index, sourcetype=SOURCETYPE,
                                 source=source))
    return out.getvalue()


def test_same_xml_as_splunklib() -> None:
    out = io.StringIO()
    sink = EventWriterSink(EventWriter(output=out, error=io.StringIO()), "main", "openai_audit://a&b")
    for obj in OBJS:
        sink.write(obj)
    assert out.getvalue() == "", "nothing reaches Splunk before the page is flushed"
    sink.flush()
    assert out.getvalue() == _reference("main", "openai_audit://a&b")


def test_header_written_once_across_pages_and_empty_flush() -> None:
    out = io.StringIO()
    ew = EventWriter(output=out, error=io.StringIO())
    sink = EventWriterSink(ew, "main", "s")
    sink.flush()
    sink.write(OBJS[0])
    sink.flush()
    sink.write(OBJS[1])
    sink.flush()
    assert out.getvalue().count("<stream>") == 1
    assert out.getvalue() == _reference("main", "s")
    ew.close()
    assert out.getvalue().endswith("</stream>")
