"""httpx client of the OpenAI Admin API list endpoints: one request in, one parsed list page (or a typed
error) out. ``ApiClient.get_page(path, params)`` serves any list endpoint (``/organization/audit_logs``,
``/organization/users``, ``/organization/projects``...) with one pagination shape, one retry policy and one
error model; ``AuditLogClient`` adds the audit log's own item check."""
from __future__ import annotations

import json
import logging
import re
import ssl
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit, urlunsplit

import httpx

from . import USER_AGENT
from .errors import (
    ApiError, AuthError, ClientError, CollectorError, ConfigError, ForbiddenError, MalformedResponse, PaginationError,
    RateLimited, RetryBudgetExhausted, ScopeError, TlsError, TransientError,
)
from .redact import Redactor, scrub
from .retry import RetryPolicy, parse_retry_after
from .transport import (
    DEFAULT_DEADLINE, MAX_BODY, BodyTooLarge, BoundedTransport, CABundleError, DeadlineExceeded, load_ca_bundle,
)

LOG = logging.getLogger(__name__)

AUDIT_LOGS_PATH = "/organization/audit_logs"
PAGE_LIMIT = 100
REQUIRED_SCOPE = "api.audit_logs.read"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_CURSOR = 1024  # characters of a pagination cursor (real ids are ~40); a longer one is never followed

Verify = Union[bool, str]
QueryParams = List[Tuple[str, str]]


@dataclass(frozen=True)
class Query:
    """The filters of one stream; the cursor and window are added per request."""

    event_types: Sequence[str] = ()
    project_ids: Sequence[str] = ()
    tenant_only: bool = False

    def params(self, gte: Optional[int], lte: Optional[int], after: Optional[str],
               limit: int = PAGE_LIMIT) -> QueryParams:
        """Query string as ordered pairs: bracketed window bounds, repeated array keys."""
        out: QueryParams = []
        if gte is not None:
            out.append(("effective_at[gte]", str(int(gte))))
        if lte is not None:
            out.append(("effective_at[lte]", str(int(lte))))
        out.extend(("event_types[]", t) for t in self.event_types)
        out.extend(("project_ids[]", p) for p in self.project_ids)
        if self.tenant_only:
            out.append(("tenant_only", "true"))
        out.append(("limit", str(int(limit))))
        if after:
            out.append(("after", after))
        return out


@dataclass(frozen=True)
class Page:
    """One parsed list response."""

    data: List[Dict[str, Any]]
    has_more: bool
    first_id: Optional[str]
    last_id: Optional[str]


def make_verify(verify: bool = True, ca_bundle: Optional[str] = None) -> Union[bool, ssl.SSLContext]:
    """TLS verification setting for the client: on by default (certifi, built on first https use), the CA
    bundle file when given (raises ConfigError "not a readable PEM bundle" if it cannot be used)."""
    if ca_bundle:
        try:
            return load_ca_bundle(ca_bundle)
        except CABundleError as exc:
            raise ConfigError(str(exc)) from None
    return verify


def _api_message(response: httpx.Response, redactor: Optional[Redactor] = None) -> str:
    text = openai_error_message(response)
    return redactor(text) if redactor is not None else scrub(text)


def openai_error_message(response: httpx.Response) -> str:
    """The ``error.message`` (or ``error.code``) of an OpenAI error object ``{"error": {"message": ...}}``;
    "" for any other body, which is never echoed (it may come from a host that is not the OpenAI API)."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return ""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return ""
    text = err.get("message") or err.get("code")
    return text[:300] if isinstance(text, str) else ""


def _redirect_target(response: httpx.Response, redactor: Optional[Redactor]) -> str:
    """scheme://host[:port]/path of the Location header: never its credentials, query or fragment."""
    location = response.headers.get("location", "").strip()
    if not location:
        return "an unnamed location"
    try:
        parts = urlsplit(location[:300])
        netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "an unparsable location"
    return (redactor or scrub)(urlunsplit((parts.scheme, netloc, parts.path, "", ""))[:200])


_MISSING_SCOPE = re.compile(r"Missing scopes?:\s*([A-Za-z0-9_.,\s]+?)(?:\.\s|\.$|$)")


def missing_scope(api_msg: str) -> str:
    """The scope(s) an API error message names as missing ("... Missing scopes: x. ..."), or ""."""
    m = _MISSING_SCOPE.search(api_msg or "")
    return m.group(1).strip() if m else ""


def error_for_response(response: httpx.Response, now: Optional[float] = None,
                       redactor: Optional[Redactor] = None) -> ApiError:
    """Map an HTTP error answer to the collector's exception, with an actionable message."""
    status = response.status_code
    if 300 <= status < 400:
        target = _redirect_target(response, redactor)
        return ClientError(f"HTTP {status}: the API answered with a redirect to {target}; "
                           "redirects are not followed (set the base URL to the API's own address)", status)
    api_msg = _api_message(response, redactor)
    detail = f" (API said: {api_msg})" if api_msg else ""
    if status in (401, 403) and (REQUIRED_SCOPE in api_msg or "scope" in api_msg.lower()):
        scope = missing_scope(api_msg) or REQUIRED_SCOPE
        what = "audit logs" if scope == REQUIRED_SCOPE else "the endpoint"
        return ScopeError(f"HTTP {status}: the admin API key lacks the '{scope}' scope. Use an admin "
                          f"key with read access to {what}." + detail, status, api_msg)
    if status == 401:
        return AuthError("HTTP 401: the admin API key was rejected (invalid, revoked or not an admin key). "
                         "Update the account's API key." + detail, status, api_msg)
    if status == 403:
        return ForbiddenError("HTTP 403: the admin API key may not read the audit log of this organization "
                              "(check the key's permissions and that audit logging is enabled)." + detail,
                              status, api_msg)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"),
                                        time.time() if now is None else now)
        return RateLimited("HTTP 429: rate limited by the API" + detail, retry_after, status, api_msg)
    if status == 408 or status >= 500:
        return TransientError(f"HTTP {status}: server error" + detail, status, api_msg)
    return ClientError(f"HTTP {status}: request refused" + detail, status, api_msg)


ItemCheck = Callable[[Dict[str, Any]], bool]


def has_string_id(item: Dict[str, Any]) -> bool:
    """Every Admin API list object carries a string ``id``."""
    return isinstance(item.get("id"), str)


def parse_page(response: httpx.Response, item_ok: Optional[ItemCheck] = has_string_id) -> Page:
    """Parse a 200 answer into a Page; raise MalformedResponse for anything that is not a list object whose
    items all pass ``item_ok`` (None: items are not checked here)."""
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise MalformedResponse(f"response body is not valid JSON ({len(response.content)} bytes): "
                                f"{str(exc)[:100]}") from None
    except RecursionError:
        raise MalformedResponse(f"response body is JSON nested too deeply to parse "
                                f"({len(response.content)} bytes)") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise MalformedResponse("response is not a list object (no 'data' array)")
    has_more = body.get("has_more")
    if not isinstance(has_more, bool):
        raise MalformedResponse("response has no boolean 'has_more'")
    data = body["data"]
    if item_ok is not None:
        for item in data:
            if not isinstance(item, dict) or not item_ok(item):
                raise MalformedResponse("a list item is not an object with a string 'id'")
    first_id = body.get("first_id")
    last_id = body.get("last_id")
    if has_more and isinstance(last_id, str) and not _is_sane_cursor(last_id):
        raise PaginationError(f"the API's next cursor (last_id, {len(last_id)} characters) is not a plausible "
                              f"id (at most {MAX_CURSOR} printable characters); it is not followed nor saved")
    return Page(data=data, has_more=has_more,
                first_id=first_id if isinstance(first_id, str) and first_id else None,
                last_id=last_id if isinstance(last_id, str) and last_id else None)


_NO_STREAM = httpx.ByteStream(b"")


def release(response: httpx.Response) -> None:
    """Free a read response now rather than at the next full garbage collection.

    httpx's client binds every response to its stream in a reference cycle (``response.stream`` is a
    ``BoundSyncStream`` that points back at the response), so reference counting never frees a page's body.
    The thousands of objects parsed from each page push the cycle into the oldest GC generation, which is
    collected rarely: in a 20,000-event backfill dozens of bodies were alive at once, 4 MiB of peak RSS
    (benchmarks/bench_collector.py part [3]). Replacing the stream breaks the cycle."""
    response.stream = _NO_STREAM


def _is_sane_cursor(cursor: str) -> bool:
    return len(cursor) <= MAX_CURSOR and cursor.isprintable() and " " not in cursor


def _is_tls_verification_failure(exc: BaseException) -> bool:
    seen = 0
    cur: Optional[BaseException] = exc
    while cur is not None and seen < 10:
        if isinstance(cur, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(cur):
            return True
        cur = cur.__cause__ or cur.__context__
        seen += 1
    return False


@dataclass
class Stats:
    """Request counters of one client (the poller counts pages, events and duplicates per stream itself)."""

    requests: int = 0
    retries: int = 0


class ApiClient:
    """Fetches list pages of any Admin API endpoint with retries. ``sleep`` and ``clock`` are injectable."""

    def __init__(self, base_url: str, api_key: str, *, proxy: Optional[str] = None,
                 verify: Union[bool, ssl.SSLContext] = True, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 policy: Optional[RetryPolicy] = None, stats: Optional[Stats] = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, deadline: float = DEFAULT_DEADLINE,
                 max_body: int = MAX_BODY, redactor: Optional[Redactor] = None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        """``clock`` (monotonic) times the retry budget and request deadlines; ``wall_clock`` (epoch seconds)
        turns an HTTP-date ``Retry-After`` into a delay."""
        self.policy = policy or RetryPolicy()
        self.stats = stats if stats is not None else Stats()
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self.redactor = redactor if redactor is not None else Redactor([api_key])
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, trust_env=False,
            transport=BoundedTransport(verify=verify, proxy=proxy, deadline=deadline, max_body=max_body,
                                       clock=clock),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT,
                     "Accept": "application/json", "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_page_once(self, path: str, params: QueryParams, item_ok: Optional[ItemCheck] = has_string_id) -> Page:
        """One HTTP request to ``path`` (relative to the base URL), no retry."""
        self.stats.requests += 1
        try:
            response = self._http.get(path, params=params)
        except DeadlineExceeded as exc:
            raise TransientError(str(exc)) from None
        except httpx.TimeoutException as exc:
            raise TransientError(f"request timed out ({type(exc).__name__})") from None
        except BodyTooLarge as exc:
            raise MalformedResponse(f"{exc} (the cap is well above a real page): not read further") from None
        except httpx.DecodingError as exc:
            raise MalformedResponse(str(exc)) from None
        except httpx.InvalidURL as exc:
            raise PaginationError(f"the request cannot be sent (invalid URL: {str(exc)[:80]}); a saved "
                                  "cursor may be corrupt") from None
        except httpx.TransportError as exc:
            if _is_tls_verification_failure(exc):
                raise TlsError("TLS certificate verification failed for the API (set the account's CA bundle "
                               f"if a proxy or gateway re-signs TLS): {exc}") from None
            raise TransientError(f"network error: {type(exc).__name__}: {exc}") from None
        try:
            return self._page_of(response, item_ok)
        finally:
            release(response)

    def _page_of(self, response: httpx.Response, item_ok: Optional[ItemCheck]) -> Page:
        if response.status_code != 200:
            raise error_for_response(response, now=self._wall_clock(), redactor=self.redactor)
        if not self.redactor.in_bytes(response.content):
            return parse_page(response, item_ok)
        page = parse_page(response, item_ok)  # a configured secret in the answer: never followed nor written
        if page.has_more and page.last_id and self.redactor.in_text(page.last_id):
            raise PaginationError("the API's next cursor contains a configured secret; it is not followed "
                                  "nor saved")
        LOG.warning("the API's answer contains a configured secret; it is redacted in the events written")
        return parse_page(httpx.Response(200, content=self.redactor.bytes(response.content)), item_ok)

    def get_page(self, path: str, params: QueryParams, item_ok: Optional[ItemCheck] = has_string_id) -> Page:
        """One page of ``path``, retrying retryable errors under the policy; raises the last error when giving
        up (RetryBudgetExhausted) or the first non-retryable one."""
        started = self._clock()
        attempt = 0
        while True:
            try:
                return self.get_page_once(path, params, item_ok)
            except CollectorError as exc:
                if not exc.retryable:
                    raise
                attempt += 1
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
                delay = self.policy.next_delay(attempt, self._clock() - started, retry_after)
                if delay is None:
                    raise RetryBudgetExhausted(
                        f"gave up after {attempt} attempt(s) within the {self.policy.budget:.0f}s retry "
                        f"budget: {exc}", exc) from None
                LOG.warning("retry %d in %.1fs after: %s", attempt, delay, exc)
                self.stats.retries += 1
                self._sleep(delay)


class AuditLogClient(ApiClient):
    """``GET /organization/audit_logs`` pages: the poller's ``fetch``. Its items are not checked here: the
    poller checks each one (``oai_audit.events.valid_id``), so one bad event never refuses a whole page."""

    def __enter__(self) -> "AuditLogClient":
        return self

    def fetch_once(self, params: QueryParams) -> Page:
        """One audit-log request, no retry."""
        return self.get_page_once(AUDIT_LOGS_PATH, params, None)

    def fetch(self, params: QueryParams) -> Page:
        """One audit-log page, retried under the policy."""
        return self.get_page(AUDIT_LOGS_PATH, params, None)
