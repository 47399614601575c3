"""The audit-log client's mapping of HTTP answers to typed errors and pages, and its retry loop, against the
OpenAI API reference (``GET /organization/audit_logs``: a list object ``{object, data, first_id, last_id,
has_more}``; every audit log object has a string ``id`` and an integer ``effective_at``) and the README's
"Retries" paragraph (429, 5xx, 408, timeouts and resets are retried; other 4xx are not). Written to kill the
mutants of oai_audit/client.py that the older tests let through. Pure functions on httpx responses, and the
real client against the simulator on loopback."""
from __future__ import annotations

import json
import ssl

import certifi
import httpx
import pytest

from oai_audit import USER_AGENT
from oai_audit.client import (
    MAX_CURSOR, AuditLogClient, Query, Stats, _is_tls_verification_failure, error_for_response, has_string_id, make_verify,
    parse_page, scrub,
)
from oai_audit.errors import (
    AuthError, ClientError, ForbiddenError, MalformedResponse, PaginationError, RateLimited, RetryBudgetExhausted,
    ScopeError,
    TransientError,
)
from oai_audit.retry import RetryPolicy
from oai_sim import faults as F
from oai_sim.server import Simulator

from collector_support import KEY, RecordingSleep


def _resp(status: int, body=None, text=None, headers=None) -> httpx.Response:
    content = text.encode() if text is not None else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers or {})


# errors -------------------------------------------------------------------------------------------------
def test_a_non_json_5xx_body_is_a_retryable_server_error_never_quoted():
    """Issue 11 §2: a body that is not an OpenAI error object (it may come from any host) is never echoed."""
    err = error_for_response(_resp(502, text="  <html>Bad gateway</html>  "))
    assert isinstance(err, TransientError) and err.retryable and err.status == 502
    assert err.api_message == "" and "Bad gateway" not in str(err) and "HTTP 502" in str(err)


@pytest.mark.parametrize("body,said", [({"error": {"message": "boom", "code": "c"}}, "boom"),
                                       ({"error": {"code": "server_busy"}}, "server_busy"),
                                       ({"error": "plain words"}, ""),  # not OpenAI's error object
                                       ([1, 2], ""), ({"error": 7}, "")])
def test_the_api_message_comes_from_the_openai_error_object(body, said):
    err = error_for_response(_resp(500, body))
    assert err.api_message == said
    assert ("API said" in str(err)) == bool(said)


def test_long_api_messages_are_cut_and_keys_in_them_redacted():
    err = error_for_response(_resp(400, {"error": {"message": "m" * 400}}))
    assert err.api_message == "m" * 300
    leaked = error_for_response(_resp(401, {"error": {"message": "Incorrect API key provided: sk-admin-AbC123."}}))
    assert "AbC123" not in str(leaked) and "<redacted>" in leaked.api_message
    assert scrub("key_live_1 and sk-proj-x_y-z") == "<redacted> and <redacted>"


@pytest.mark.parametrize("status,cls", [(408, TransientError), (500, TransientError), (599, TransientError),
                                        (400, ClientError), (404, ClientError), (409, ClientError),
                                        (499, ClientError), (401, AuthError), (403, ForbiddenError)])
def test_status_codes_map_to_the_documented_retry_classes(status, cls):
    err = error_for_response(_resp(status, {"error": {"message": "no"}}))
    assert type(err) is cls
    assert err.retryable == (cls is TransientError)
    assert f"HTTP {status}" in str(err)


@pytest.mark.parametrize("status,msg", [(401, "Missing scopes: api.audit_logs.read."),
                                        (403, "insufficient permissions: needs api.audit_logs.read"),
                                        (403, "This key lacks the required Scope")])
def test_a_missing_scope_is_named_whether_401_or_403(status, msg):
    err = error_for_response(_resp(status, {"error": {"message": msg}}))
    assert isinstance(err, ScopeError) and "api.audit_logs.read" in str(err)


def test_429_carries_retry_after_in_seconds_or_as_a_date():
    err = error_for_response(_resp(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "7"}))
    assert isinstance(err, RateLimited) and err.retry_after == 7.0 and err.retryable
    dated = error_for_response(_resp(429, {}, headers={"Retry-After": "Fri, 15 Jan 2027 08:00:30 GMT"}),
                               now=1800000000.0)
    assert dated.retry_after == 30.0
    assert error_for_response(_resp(429, {})).retry_after is None


# pages --------------------------------------------------------------------------------------------------
def _page(**kw):
    body = {"object": "list", "data": [{"id": "audit_log-1", "effective_at": 5}], "first_id": "audit_log-1",
            "last_id": "audit_log-1", "has_more": False}
    body.update(kw)
    return _resp(200, body)


def test_a_list_object_becomes_a_page():
    page = parse_page(_page(has_more=True))
    assert page.has_more is True and page.first_id == page.last_id == "audit_log-1"
    assert page.data == [{"id": "audit_log-1", "effective_at": 5}]
    empty = parse_page(_page(data=[], first_id="", last_id=None))
    assert empty.data == [] and empty.first_id is None and empty.last_id is None
    assert parse_page(_page(last_id=12)).last_id is None


@pytest.mark.parametrize("body", [[1], {"data": {}}, {"has_more": False}, {"data": [], "has_more": "false"},
                                  {"data": [], "has_more": None},
                                  {"data": [{"id": 1, "effective_at": 5}], "has_more": False},
                                  {"data": [{"effective_at": 5}], "has_more": False},
                                  {"data": ["a"], "has_more": False}])
def test_anything_but_a_list_of_audit_log_objects_is_malformed(body):
    with pytest.raises(MalformedResponse):
        parse_page(_resp(200, body))


def test_items_with_a_string_id_pass_the_parser_and_audit_items_are_left_to_the_poller():
    """A bad effective_at is the poller's business (issue 10 section 5: written as invalid, never a page
    refused); the audit client parses with no item check at all."""
    for data in ([{"id": "a", "effective_at": "5"}], [{"id": "a"}]):
        assert parse_page(_resp(200, {"data": data, "has_more": False})).data == data
    anything = [None, "a", {"id": 1}]
    assert parse_page(_resp(200, {"data": anything, "has_more": False}), None).data == anything


def test_a_body_that_is_not_json_is_malformed_and_says_how_long_it_was():
    with pytest.raises(MalformedResponse, match=r"not valid JSON \(9 bytes\)"):
        parse_page(_resp(200, text="<html/>\r\n"))


# requests -------------------------------------------------------------------------------------------------
def test_query_parameters_follow_the_api_reference():
    q = Query(event_types=("login.succeeded", "login.failed"), project_ids=("proj_1",), tenant_only=True)
    assert q.params(10, 20, "audit_log-9") == [
        ("effective_at[gte]", "10"), ("effective_at[lte]", "20"), ("event_types[]", "login.succeeded"),
        ("event_types[]", "login.failed"), ("project_ids[]", "proj_1"), ("tenant_only", "true"),
        ("limit", "100"), ("after", "audit_log-9")]
    assert Query().params(None, None, None, limit=1) == [("limit", "1")]
    assert Query().params(0, 0, "") == [("effective_at[gte]", "0"), ("effective_at[lte]", "0"), ("limit", "100")]


def test_tls_settings():
    assert make_verify() is True and make_verify(False) is False
    assert isinstance(make_verify(True, certifi.where()), ssl.SSLContext)
    inner = ssl.SSLCertVerificationError("certificate verify failed")
    outer = httpx.ConnectError("boom")
    outer.__cause__ = inner
    assert _is_tls_verification_failure(outer)
    assert _is_tls_verification_failure(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed"))
    assert not _is_tls_verification_failure(httpx.ConnectError("connection refused"))


# the real client on loopback ---------------------------------------------------------------------------
@pytest.fixture
def sim():
    with Simulator([], admin_key=KEY) as s:
        yield s


def test_the_given_policy_is_the_one_used_and_each_attempt_is_counted(sim):
    sim.inject(*[F.server_error(503) for _ in range(20)])
    sleep, stats = RecordingSleep(), Stats()
    with AuditLogClient(sim.base_url, KEY, policy=RetryPolicy(base=0.01, max_attempts=3), sleep=sleep,
                        stats=stats) as client:
        with pytest.raises(RetryBudgetExhausted, match="gave up after 3 attempt"):
            client.fetch(Query().params(None, None, None))
    assert len(sim.requests) == 3 and stats.requests == 3 and stats.retries == 2 and len(sleep.delays) == 2
    assert all(0 <= d <= 0.02 for d in sleep.delays)  # the policy's base, not the default 1 s


def test_without_a_policy_a_request_is_tried_8_times(sim):
    sim.inject(*[F.server_error(500) for _ in range(20)])
    sleep = RecordingSleep()
    clock = iter(range(0, 1000)).__next__  # 1 s per look at the clock: well inside the 120 s budget
    with AuditLogClient(sim.base_url, KEY, sleep=sleep, clock=lambda: float(clock())) as client:
        with pytest.raises(RetryBudgetExhausted) as info:
            client.fetch(Query().params(None, None, None))
    assert len(sim.requests) == 8 and isinstance(info.value.last, TransientError)
    assert all(d <= 30.0 for d in sleep.delays) and len(sleep.delays) == 7


def test_non_retryable_errors_are_raised_after_one_request(sim):
    sim.inject(F.unauthorized())
    with AuditLogClient(sim.base_url, KEY, sleep=RecordingSleep()) as client:
        with pytest.raises(AuthError):
            client.fetch(Query().params(None, None, None))
    assert len(sim.requests) == 1


def test_requests_carry_the_key_our_user_agent_and_ask_for_json(sim):
    with AuditLogClient(sim.base_url + "/", KEY) as client:
        page = client.fetch(Query().params(None, None, None))
    assert page.data == [] and page.has_more is False
    [req] = sim.requests
    headers = {k.lower(): v for k, v in req.headers.items()}
    assert req.path == "/v1/organization/audit_logs" and req.status == 200  # base URL's slash stripped
    assert headers["user-agent"] == USER_AGENT and headers["accept"] == "application/json"


def test_a_wrong_key_is_refused_by_the_server_so_the_bearer_header_is_what_it_checks(sim):
    with AuditLogClient(sim.base_url, "sk-admin-wrong", sleep=RecordingSleep()) as client:
        with pytest.raises(AuthError):
            client.fetch_once(Query().params(None, None, None))


def test_a_timeout_and_a_reset_are_transient(sim):
    sim.inject(F.timeout(2.0), F.reset())
    with AuditLogClient(sim.base_url, KEY, timeout=httpx.Timeout(0.3)) as client:
        with pytest.raises(TransientError, match="timed out"):
            client.fetch_once(Query().params(None, None, None))
        with pytest.raises(TransientError, match="network error"):
            client.fetch_once(Query().params(None, None, None))


def test_the_malformed_item_message_names_what_the_endpoint_requires():
    bad = _resp(200, {"data": [{"id": 1}], "has_more": False})
    with pytest.raises(MalformedResponse, match="list item is not an object with a string 'id'"):
        parse_page(bad)
    with pytest.raises(MalformedResponse, match="list item is not an object with a string 'id'"):
        parse_page(_resp(200, {"data": [{"name": "x"}], "has_more": False}), has_string_id)
    # audit items are checked one by one by the poller (issue 10 section 5), not here
    assert parse_page(bad, None).data == [{"id": 1}]


def _chain(depth_of_tls: int, length: int) -> BaseException:
    """A chain of ``length`` exceptions linked by __cause__; the TLS failure at position ``depth_of_tls``."""
    excs = [ssl.SSLCertVerificationError("bad cert") if i == depth_of_tls else httpx.ConnectError(f"e{i}")
            for i in range(length)]
    for a, b in zip(excs, excs[1:]):
        a.__cause__ = b
    return excs[0]


def test_the_tls_cause_is_looked_for_ten_links_deep_and_a_cyclic_chain_ends():
    assert _is_tls_verification_failure(_chain(9, 12))
    assert not _is_tls_verification_failure(_chain(10, 12))
    a, b = httpx.ConnectError("a"), httpx.ConnectError("b")
    a.__cause__, b.__context__ = b, a
    assert not _is_tls_verification_failure(a)


def test_a_redirect_names_its_target_without_credentials_and_is_not_followed():
    err = error_for_response(_resp(300, text="", headers={"Location": "https://u:secret@gw.example.com:8443/v1?x"}))
    assert isinstance(err, ClientError) and not err.retryable
    assert "redirect to https://gw.example.com:8443/v1;" in str(err) and "secret" not in str(err)
    plain = error_for_response(_resp(307, text="", headers={"Location": "https://u@gw.example.com/v1"}))
    assert "redirect to https://gw.example.com/v1;" in str(plain)


def test_a_cursor_of_exactly_the_maximum_length_is_followed():
    cursor = "c" * MAX_CURSOR
    page = parse_page(_resp(200, {"data": [{"id": "a", "effective_at": 1}], "has_more": True, "last_id": cursor}))
    assert page.last_id == cursor
    with pytest.raises(PaginationError):
        parse_page(_resp(200, {"data": [{"id": "a", "effective_at": 1}], "has_more": True, "last_id": cursor + "c"}))
