"""The client against a hostile server of our own (tests/collector/hostile_http.py), issue 10 §3 and §4:
every request ends by its total deadline, bodies are read under a decompressed-byte cap, and every hostile
answer becomes a typed collector error with its CLI exit code. None of these answers is something the real
API sends: they stand for a broken proxy, a compromised gateway or a wrong base URL."""
from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import zlib
from pathlib import Path
from typing import List
import httpx
import pytest

from oai_audit import cli
from oai_audit.checkpoint import MemoryStore
from oai_audit.client import MAX_CURSOR, AuditLogClient
from oai_audit.errors import (
    ClientError, ConfigError, MalformedResponse, PaginationError, RetryBudgetExhausted, TransientError,
)
from oai_audit.proxy import proxy_url_from_settings
from oai_audit.retry import RetryPolicy
from oai_audit.transport import MAX_BODY

from collector_support import KEY, NOW, ListSink, poll
from hostile_http import Exchange, HostileServer, drip, endless, gzip_bomb, list_page

ROOT = Path(__file__).resolve().parents[2]


def _event(i: int, **extra: object) -> dict:
    return {"id": f"audit_log-{i:04d}", "type": "api_key.created", "effective_at": NOW - 100 + i,
            "actor": {"type": "session"}, **extra}


class StepClock:
    """A monotonic clock that advances ``step`` seconds on every reading (no real time involved)."""

    def __init__(self, step: float) -> None:
        self.t, self.step = 0.0, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def _client(url: str, **kw: object) -> AuditLogClient:
    return AuditLogClient(url, KEY, timeout=httpx.Timeout(5.0), sleep=lambda s: None,
                          policy=RetryPolicy(base=0.0, budget=1.0, max_attempts=1), **kw)  # type: ignore[arg-type]


def _last_error(client: AuditLogClient) -> Exception:
    with pytest.raises(Exception) as err:
        client.fetch([("limit", "100")])
    exc = err.value
    return exc.last if isinstance(exc, RetryBudgetExhausted) else exc


def _cli(url: str, *args: str) -> "tuple[int, str]":
    """The CLI in this process (its own logging to a buffer); returns (exit code, log text)."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        code = cli.main(["--base-url", url, "--key", KEY, "--since", str(NOW - 3600), "--retry-budget", "0",
                         *args], out=io.StringIO())
    finally:
        root.removeHandler(handler)
    return code, buf.getvalue()


# --- §3: every request ends by its deadline ----------------------------------------------------------------

def test_a_dripping_body_is_cut_at_the_total_deadline_not_per_read() -> None:
    body = json.dumps(list_page([_event(1)])).encode()
    # each byte comes well within the 5 s read timeout; the clock moves 1 s per receive, deadline 20 s
    with HostileServer(drip(body, every=0.005)) as srv, _client(srv.base_url, deadline=20.0,
                                                                clock=StepClock(1.0)) as c:
        err = _last_error(c)
    assert isinstance(err, TransientError) and "20 s request deadline" in str(err)
    assert len(body) > 40, "the body is longer than the deadline allows at one byte per receive"


def test_dripping_headers_are_cut_at_the_deadline_too() -> None:
    def slow_headers(ex: Exchange) -> None:
        ex.raw(b"HTTP/1.1 200 OK\r\n")
        for _ in range(400):
            if ex.stopping.wait(0.005):
                return
            ex.raw(b"X")
    with HostileServer(slow_headers) as srv, _client(srv.base_url, deadline=20.0, clock=StepClock(1.0)) as c:
        err = _last_error(c)
    assert isinstance(err, TransientError) and "deadline" in str(err)


def test_the_same_drip_completes_when_the_deadline_allows_it() -> None:
    """Control: with a deadline the clock never reaches, the dripping answer is read whole."""
    body = json.dumps(list_page([_event(1)])).encode()
    with HostileServer(drip(body, every=0.0005, limit=10_000)) as srv, \
            _client(srv.base_url, deadline=1e9, clock=StepClock(1.0)) as c:
        assert c.fetch([]).data == [_event(1)]


# --- §3: bodies are capped after decompression ------------------------------------------------------------

def test_a_gzip_bomb_is_refused_as_a_retryable_malformed_response() -> None:
    with HostileServer(gzip_bomb(64 << 20)) as srv, _client(srv.base_url) as c:
        err = _last_error(c)
    assert isinstance(err, MalformedResponse) and err.retryable
    assert f"larger than {MAX_BODY} bytes" in str(err)


def test_an_endless_body_is_refused_at_the_cap() -> None:
    with HostileServer(endless()) as srv, _client(srv.base_url) as c:
        err = _last_error(c)
    assert isinstance(err, MalformedResponse) and "larger than" in str(err)


def test_a_real_sized_page_is_far_below_the_cap() -> None:
    page = json.dumps(list_page([_event(i, details={"note": "x" * 1500}) for i in range(100)])).encode()
    assert len(page) * 10 < MAX_BODY


_RSS_SCRIPT = r"""
import io, sys
sys.path[:0] = [sys.argv[1] + "/package/bin", sys.argv[1] + "/tools"]
from oai_audit import cli
code = cli.main(["--base-url", sys.argv[2], "--key", "sk-admin-x", "--since", "1", "--retry-budget", "0"],
                out=io.StringIO())
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]  # this process's peak
print(code, int(hwm) // 1024)
"""


@pytest.mark.parametrize("attack", [lambda: gzip_bomb(512 << 20), endless], ids=["gzip-bomb-512MiB", "endless"])
def test_peak_rss_of_the_cli_under_attack_stays_below_300_mb(attack) -> None:
    with HostileServer(attack()) as srv:
        proc = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(ROOT), srv.base_url],
                              capture_output=True, text=True, timeout=120)
    code, rss_mb = (int(x) for x in proc.stdout.split())
    assert code == cli.EXIT_UNAVAILABLE, proc.stderr
    assert "larger than" in proc.stderr
    assert rss_mb < 300, f"peak RSS {rss_mb} MB"


# --- §4: typed errors, labels and exit codes ---------------------------------------------------------------

def test_a_body_falsely_labelled_gzip_is_a_malformed_response() -> None:
    def liar(ex: Exchange) -> None:
        ex.reply(200, json.dumps(list_page([_event(1)])).encode(), headers=[("Content-Encoding", "gzip")])
    with HostileServer(liar) as srv:
        with _client(srv.base_url) as c:
            err = _last_error(c)
        code, log = _cli(srv.base_url)
    assert isinstance(err, MalformedResponse) and "labelled Content-Encoding: gzip" in str(err)
    assert code == cli.EXIT_UNAVAILABLE and "labelled Content-Encoding: gzip" in log


def test_a_correct_gzip_body_is_decoded() -> None:
    body = json.dumps(list_page([_event(1)])).encode()
    with HostileServer(lambda ex: ex.reply(200, zlib.compress(body), headers=[("Content-Encoding", "deflate")])) \
            as srv, _client(srv.base_url) as c:
        assert c.fetch([]).data == [_event(1)]
    assert srv.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("depth", [990, 200_000])
def test_deeply_nested_json_is_a_malformed_response(depth: int) -> None:
    nested = b'{"data": ' + b"[" * depth + b"]" * depth + b', "has_more": false}'
    with HostileServer(lambda ex: ex.reply(200, nested)) as srv, _client(srv.base_url) as c:
        try:
            c.fetch([("limit", "100")])
        except Exception as exc:
            err = exc.last if isinstance(exc, RetryBudgetExhausted) else exc
        else:  # deep enough only on some Pythons; the poller then writes the item as invalid (issue 10 section 5)
            assert depth == 990
            pytest.skip("990 levels parse on this Python")
    assert isinstance(err, MalformedResponse)


def test_a_200_kb_cursor_is_a_protocol_error_and_never_saved() -> None:
    cursor = "c" * 200_000

    def huge_cursor(ex: Exchange) -> None:
        page = list_page([_event(1)], has_more=True)
        page["last_id"] = cursor
        ex.json(page)
    with HostileServer(huge_cursor) as srv:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(srv.base_url, store, sink, start=NOW - 3600)
        code, log = _cli(srv.base_url)
    assert isinstance(res.error, PaginationError) and f"at most {MAX_CURSOR}" in str(res.error)
    assert sink.events == [] and cursor not in json.dumps(store.records)
    assert code == cli.EXIT_PROTOCOL and cursor not in log


def test_a_cursor_that_contains_the_key_is_refused() -> None:
    def leaky(ex: Exchange) -> None:
        page = list_page([_event(1)], has_more=True)
        page["last_id"] = f"audit_log-{KEY}"
        ex.json(page)
    with HostileServer(leaky) as srv, _client(srv.base_url) as c:
        err = _last_error(c)
    assert isinstance(err, PaginationError) and KEY not in str(err)


def test_a_lone_surrogate_is_written_as_a_json_escape_by_the_cli() -> None:
    raw = b'{"object": "list", "data": [{"id": "audit_log-1", "type": "x", "effective_at": %d, ' \
          b'"actor": {"name": "a\\ud800b"}}], "has_more": false}' % (NOW - 100)  # inside the requested window
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with HostileServer(lambda ex: ex.reply(200, raw)) as srv:
        code = cli.main(["--base-url", srv.base_url, "--key", KEY, "--since", str(NOW - 3600)], out=out)
    out.flush()
    line = out.buffer.getvalue().decode("utf-8").splitlines()[0]  # type: ignore[attr-defined]
    assert code == cli.EXIT_OK
    assert json.loads(line)["actor"]["name"] == "a\ud800b" and "\\ud800" in line


def test_a_redirect_is_not_followed_and_names_its_target() -> None:
    def redirect(ex: Exchange) -> None:
        ex.reply(302, b"", headers=[("Location", "https://user:secret@elsewhere.example/v1/x")])
    with HostileServer(redirect) as srv:
        with _client(srv.base_url) as c:
            err = _last_error(c)
        code, log = _cli(srv.base_url)
    assert isinstance(err, ClientError) and not err.retryable
    assert "redirect to https://elsewhere.example/v1/x;" in str(err)
    assert "secret" not in str(err) and "user" not in str(err)
    assert len(srv.requests) == 2 and all(r.path == "/v1/organization/audit_logs" for r in srv.requests)
    assert code == cli.EXIT_ERROR and "redirect" in log


@pytest.mark.parametrize("host", ["bad host", "proxy.example.com:3128", "user@proxy", "http://p", "a/b", "[zz]"])
def test_a_malformed_proxy_host_is_a_config_error(host: str) -> None:
    with pytest.raises(ConfigError) as err:
        proxy_url_from_settings({"proxy_enabled": "1", "proxy_url": host, "proxy_port": "3128"})
    assert "proxy host" in str(err.value)


def test_a_non_openai_error_body_is_never_echoed() -> None:
    secret_page = b"<html>instance metadata: iam-role=prod-admin token=abcd</html>"
    with HostileServer(lambda ex: ex.reply(500, secret_page, content_type="text/html")) as srv, \
            _client(srv.base_url) as c:
        err = _last_error(c)
    assert isinstance(err, TransientError) and "iam-role" not in str(err) and "metadata" not in str(err)


def test_an_openai_error_object_is_quoted() -> None:
    body = {"error": {"message": "Invalid value for 'after'.", "type": "invalid_request_error",
                      "param": "after", "code": None}}
    with HostileServer(lambda ex: ex.json(body, 400)) as srv, _client(srv.base_url) as c:
        err = _last_error(c)
    assert isinstance(err, ClientError) and "Invalid value for 'after'." in str(err)


# --- the input's side: its XML stays well-formed, each error has its solnlib label -------------------------

def test_the_inputs_xml_stays_well_formed_with_a_lone_surrogate_and_u_ffff() -> None:
    import xml.etree.ElementTree as ET

    from splunklib.modularinput.event_writer import EventWriter

    from openai_audit_helper import EventWriterSink

    out = io.StringIO()
    sink = EventWriterSink(EventWriter(output=out, error=io.StringIO()), "main", "openai_audit://a")
    obj = json.loads('{"id": "audit_log-1", "type": "x", "effective_at": 5, "actor": {"name": "a\\ud800\\uffffb"}}')
    sink.write(obj)
    sink.flush()
    data = ET.fromstring(out.getvalue() + "</stream>").find("event/data")
    assert data is not None and json.loads(data.text or "") == obj


@pytest.mark.parametrize("value", ["*/5 * * * *", "0 * * * *", "300.5", "59", "86401", "-1"])
def test_a_cron_style_or_out_of_range_interval_is_a_config_error(value: str) -> None:
    from openai_audit_helper import parse_interval

    with pytest.raises(ConfigError) as err:
        parse_interval(value)
    assert "whole number of seconds" in str(err.value)
    assert parse_interval("300") == 300 and parse_interval(None) == 300


@pytest.mark.parametrize("error, label, exit_code", [
    (RetryBudgetExhausted("gave up: labelled gzip", MalformedResponse("labelled gzip")), "Connection Error",
     cli.EXIT_UNAVAILABLE),
    (PaginationError("cursor too long"), "Server Error", cli.EXIT_PROTOCOL),
    (ConfigError("Interval"), "Configuration Error", cli.EXIT_CONFIG),
    (ClientError("HTTP 302: redirect to x", 302), "IngestionError", cli.EXIT_ERROR),
])
def test_each_error_has_its_solnlib_label_and_exit_code(error, label: str, exit_code: int) -> None:
    from oai_audit.poller import StreamResult
    from openai_audit_helper import _report

    records: List[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())
    logger = logging.getLogger("test_client_hostile.labels")
    logger.addHandler(Capture())
    logger.setLevel(logging.INFO)
    _report(logger, StreamResult(stream="main", error=error), "in1", "acc")
    assert any(f'exc_l="{label}"' in r for r in records), records
    assert any("run summary stream=main status=error" in r for r in records)
    assert cli.exit_code_for(error) == exit_code
