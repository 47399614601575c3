"""ApiClient.get_page: one client for every Admin API list endpoint (audit logs, users, projects...), the same
list-object parsing (OpenAI list objects: ``object: "list"``, ``data``, ``first_id``, ``last_id``, ``has_more``,
see ../shared/reference OpenAPI) and the same typed errors. Served by a tiny loopback server of our own."""
from __future__ import annotations

import httpx
import pytest

from oai_audit.client import ApiClient, AuditLogClient
from oai_audit.errors import AuthError, MalformedResponse, RetryBudgetExhausted
from oai_audit.retry import RetryPolicy

from hostile_http import Exchange, HostileServer, list_page

KEY = "sk-admin-pages-0123456789"
USERS = [{"object": "organization.user", "id": "user_1", "name": "A", "email": "a@example.com", "role": "owner",
          "added_at": 1711471533}]


def _client(url: str, **kw) -> ApiClient:
    return ApiClient(url, KEY, timeout=httpx.Timeout(5.0), sleep=lambda s: None,
                     policy=RetryPolicy(base=0.0, budget=5.0, max_attempts=2), **kw)


def test_get_page_reads_any_list_endpoint_with_its_params() -> None:
    with HostileServer(lambda ex: ex.json(list_page(USERS, has_more=True))) as srv, _client(srv.base_url) as c:
        page = c.get_page("/organization/users", [("limit", "100"), ("after", "user_0")])
    assert page.data == USERS and page.has_more and page.last_id == "user_1"
    req = srv.requests[0]
    assert req.path == "/v1/organization/users"
    assert req.query == [("limit", "100"), ("after", "user_0")]
    assert req.headers["authorization"] == f"Bearer {KEY}"


def test_get_page_raises_the_same_typed_errors() -> None:
    def unauthorized(ex: Exchange) -> None:
        ex.json({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}, 401)

    with HostileServer(unauthorized) as srv, _client(srv.base_url) as c:
        with pytest.raises(AuthError):
            c.get_page("/organization/projects", [])
    assert len(srv.requests) == 1


def test_a_generic_item_needs_a_string_id_but_audit_items_are_left_to_the_poller() -> None:
    bad = [{"id": 7}]
    with HostileServer(lambda ex: ex.json(list_page(USERS)), lambda ex: ex.json(list_page(bad))) as srv:
        with _client(srv.base_url) as c:
            assert c.get_page("/organization/users", []).data == USERS
            with pytest.raises(RetryBudgetExhausted) as err:
                c.get_page("/organization/users", [])
        # audit items are checked one by one by the poller (issue 10 section 5: one bad event never stalls)
        with AuditLogClient(srv.base_url, KEY, sleep=lambda s: None,
                            policy=RetryPolicy(base=0.0, budget=5.0, max_attempts=2)) as a:
            assert a.fetch([]).data == bad
    assert isinstance(err.value.last, MalformedResponse)
    assert srv.requests[-1].path == "/v1/organization/audit_logs"


@pytest.mark.parametrize("status", [200, 401])
def test_a_read_response_is_freed_when_the_call_returns_without_the_cyclic_gc(status: int) -> None:
    """httpx 0.28's Client links each response and its stream in a reference cycle (``response.stream`` is a
    BoundSyncStream holding the response: httpx/_client.py), so without ``release`` a page's body stays alive
    until a full garbage collection: 4 MiB of the input's peak RSS in benchmarks/bench_collector.py [3].
    With the cyclic GC off, the response must be gone as soon as get_page_once returns or raises."""
    import gc
    import weakref

    def answer(ex: Exchange) -> None:
        if status == 200:
            ex.json(list_page(USERS, has_more=False))
        else:
            ex.json({"error": {"message": "Incorrect API key provided"}}, 401)

    refs: list = []
    with HostileServer(answer) as srv, _client(srv.base_url) as c:
        c._http.event_hooks["response"].append(lambda r: refs.append(weakref.ref(r)))
        gc.disable()
        try:
            try:
                page = c.get_page_once("/organization/users", [("limit", "100")])
                assert page.data == USERS
            except AuthError:
                assert status == 401
            assert len(refs) == 1 and refs[0]() is None, "the httpx.Response outlived the call (reference cycle)"
        finally:
            gc.enable()
