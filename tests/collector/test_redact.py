"""Issue 11 §3: the configured secrets themselves (admin key, proxy password; raw, URL-quoted, base64) are
redacted from every log line, error, event and checkpoint, on top of the key-shape rule."""
from __future__ import annotations

import base64
import io
import json
import logging
from urllib.parse import quote

import pytest

from oai_audit import cli
from oai_audit.checkpoint import MemoryStore
from oai_audit.redact import REDACTED, Redactor, redact_url, scrub

from collector_support import NOW, ListSink, make_client, poll
from hostile_http import Exchange, HostileServer, list_page

ODD_KEY = "Zq8Pw" + "x1" * 20  # no sk- prefix: only the configured-secret rule can catch it
PASSWORD = "pr0xy:p@ss/word"


@pytest.mark.parametrize("form", [
    ODD_KEY, f"token_{ODD_KEY}", f"xsk-{ODD_KEY}", quote(ODD_KEY, safe=""),
    base64.b64encode(ODD_KEY.encode()).decode(),
    base64.b64encode(b"ab" + ODD_KEY.encode() + b"cd").decode(),  # inside a longer base64 text
    base64.urlsafe_b64encode(b"\xff" + ODD_KEY.encode()).decode(),
])
def test_every_form_of_a_configured_secret_is_redacted(form: str) -> None:
    out = Redactor([ODD_KEY])(f"before {form} after")
    assert "before " in out and " after" in out and REDACTED in out
    assert ODD_KEY not in out and ODD_KEY[5:25] not in out


def test_a_proxy_basic_header_is_redacted() -> None:
    header = "Basic " + base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    assert PASSWORD not in Redactor([PASSWORD], user="bob")(header)
    assert Redactor([PASSWORD], user="bob")(header) != header


def test_the_shape_rule_still_applies_to_keys_never_configured() -> None:
    assert scrub("key sk-admin-abcdef123456 used") == f"key {REDACTED} used"
    assert scrub("xsk-" + "a" * 20) == "x" + REDACTED
    assert scrub("a disk-full or task-runner line") == "a disk-full or task-runner line"


def test_short_secrets_are_not_used_to_redact_ordinary_text() -> None:
    assert Redactor(["ab", None, ""])("a cab") == "a cab"


def test_urls_lose_their_credentials() -> None:
    assert redact_url(f"http://bob:{quote(PASSWORD, safe='')}@proxy:3128") == f"http://{REDACTED}@proxy:3128"
    assert redact_url("https://api.openai.com/v1") == "https://api.openai.com/v1"
    assert redact_url("http://u:p@[bad") == REDACTED  # unparsable: where the credentials end is unknown


def test_cli_logs_never_carry_the_key_or_the_proxy_password() -> None:
    """The 'proxy' answers with an OpenAI error object quoting both secrets: the log shows neither."""
    b64 = base64.b64encode(ODD_KEY.encode()).decode()

    def leaky_proxy(ex: Exchange) -> None:
        ex.json({"error": {"message": f"bad key {ODD_KEY} ({b64}) via {PASSWORD}", "type": "x"}}, 401)
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    logging.getLogger().addHandler(handler)
    try:
        with HostileServer(leaky_proxy) as proxy:
            code = cli.main(["--base-url", "http://127.0.0.1:9/v1", "--key", ODD_KEY, "--since", str(NOW - 60),
                             "--proxy", f"http://bob:{quote(PASSWORD, safe='')}@127.0.0.1:{proxy.port}"],
                            out=io.StringIO())
    finally:
        logging.getLogger().removeHandler(handler)
    log = buf.getvalue()
    assert code == cli.EXIT_AUTH and "401" in log and REDACTED in log
    assert ODD_KEY not in log and b64[:-4] not in log and PASSWORD not in log and quote(PASSWORD) not in log


def test_a_key_echoed_in_events_is_redacted_before_it_is_written_or_saved() -> None:
    key = "sk-admin-echo-0123456789abcdef"
    events = [{"id": f"audit_log-{key}", "type": "api_key.created", "effective_at": NOW - 30,
               "api_key.created": {"data": {"note": key}}}]
    with HostileServer(lambda ex: ex.json(list_page(events))) as srv:
        store, sink = MemoryStore(), ListSink()
        client = make_client(srv.base_url, key=key)
        [res] = poll(srv.base_url, store, sink, start=NOW - 60, client=client)
        client.close()
    assert res.error is None and sink.events
    assert key not in json.dumps(sink.events) and key not in json.dumps(store.records)
    assert sink.events[0]["api_key.created"]["data"]["note"] == REDACTED
