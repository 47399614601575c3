"""Loopback HTTP simulator of ``GET /v1/organization/audit_logs`` and of the Admin API inventory lists
(``/v1/organization/users``, ``/projects``, ``/projects/{id}/users|service_accounts|api_keys``,
``/admin_api_keys``, ``/invites``: inventory_api.py) (standard library only).

    with Simulator(generate(500, seed=1, start=t0, end=t1)) as sim:
        httpx.get(sim.base_url + "/organization/audit_logs", headers={"Authorization": "Bearer sk-admin-test"})

Request validation and error bodies: protocol.py. Ordering and cursors: store.py. Faults: faults.py.
The inventory (``inventory=Inventory.from_population()``, the default) lists the identities the audit events use.
"""
from __future__ import annotations

import json
import socket
from concurrent.futures import Future, ThreadPoolExecutor
import struct
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qs, urlsplit

from loopback_http import LoopbackService

from . import inventory_api as IA
from . import protocol as P
from .faults import Fault
from .generator import Dataset
from .inventory import Inventory
from .store import EventStore, UnknownCursor

API_PATH = "/v1/organization/audit_logs"
REQUIRED_SCOPE = "api.audit_logs.read"
ALL_SCOPES = (REQUIRED_SCOPE,) + IA.INVENTORY_SCOPES


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]  # Authorization value replaced by "<redacted>"
    status: int  # 0 = connection reset without a response
    fault: Optional[str]
    at: float


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


PREFETCH_MAX = 16


def _query_key(query: Dict[str, List[str]]) -> Any:
    return tuple(sorted((k, tuple(v)) for k, v in query.items()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid the 40 ms delayed-ACK stall
    server_version = "oai-sim/1.0"
    sim: "Simulator"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        headers = {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in self.headers.items()}
        sim = self.sim
        fault = sim._take_fault(split.path, query)
        status, body, extra, raw = sim._respond(method, split.path, query, self.headers.get("Authorization"), fault)
        sim._record(RecordedRequest(method, split.path, query, headers, status, fault.kind if fault else None,
                                    time.time()))
        if fault is not None and fault.kind == "timeout":
            sim._stopping.wait(fault.seconds)
        if status == 0:
            self._reset()
            return
        payload = raw if raw is not None else _dumps(body)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-request-id", "req_" + uuid.uuid4().hex)
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()


class Simulator(LoopbackService):
    """The simulated API; a context manager that serves on 127.0.0.1 (port 0 = any free port)."""

    def __init__(self, events: Union[Dataset, Iterable[Dict[str, Any]]] = (), *, admin_key: str = "sk-admin-test",
                 host: str = "127.0.0.1", port: int = 0, tenant_enabled: bool = True,
                 scopes: Sequence[str] = ALL_SCOPES, default_limit: int = 20,
                 cache_pages: bool = False, inventory: Optional[Inventory] = None, prefetch: bool = False) -> None:
        super().__init__(host, port)
        self.admin_key = admin_key
        self.tenant_enabled = tenant_enabled
        self.scopes = tuple(scopes)
        self.default_limit = default_limit
        # cache_pages: keep each rendered page (by exact query) until events are added; for benchmarks that
        # replay the same pages and must not measure the generator. Costs memory: off by default.
        self._page_cache: Optional[Dict[Any, bytes]] = {} if cache_pages else None
        # prefetch: while the client processes a page, render the page its cursor asks for next (one worker
        # thread, one page ahead), as a real server's time is not the client machine's CPU. For benchmarks that
        # time the client end to end; answers are byte-identical to rendering on request. Off by default.
        self._prefetch: Optional[ThreadPoolExecutor] = ThreadPoolExecutor(1, "sim-prefetch") if prefetch else None
        self._ahead: Dict[Any, "Future[Any]"] = {}
        self.store = EventStore()
        self.store.add(events)
        self.inventory = inventory if inventory is not None else Inventory.from_population()
        self._faults: List[Fault] = []
        self._requests: List[RecordedRequest] = []
        self._lock = threading.Lock()

    _label = "simulator"

    def _make_handler(self) -> type:
        return type("Handler", (_Handler,), {"sim": self})

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d/v1" % self.port

    @property
    def url(self) -> str:
        return self.base_url + "/organization/audit_logs"

    # data and faults -------------------------------------------------------------------------------------
    def add_events(self, events: Union[Dataset, Iterable[Dict[str, Any]]]) -> int:
        """Insert events at runtime (e.g. late arrivals behind a checkpoint); thread-safe."""
        with self._lock:
            if self._page_cache is not None:
                self._page_cache.clear()
            self._ahead.clear()
        return self.store.add(events)

    def stop(self) -> None:
        super().stop()
        if self._prefetch is not None:
            self._prefetch.shutdown(wait=True, cancel_futures=True)

    def _render(self, query: Dict[str, List[str]]) -> Optional[Tuple[bytes, Optional[Dict[str, List[str]]]]]:
        """(200 body, the query of the page after it or None) of an audit-log query; None if the query is refused
        (its error is rendered on request)."""
        try:
            q = P.parse_query(query, default_limit=self.default_limit, tenant_enabled=self.tenant_enabled)
            page = self.store.query(q)
        except (P.ApiError, UnknownCursor):
            return None
        nxt = None
        if page.has_more and page.data and "before" not in query:
            nxt = dict(query)
            nxt["after"] = [page.data[-1]["id"]]
        return _dumps(P.list_body(page.data, page.has_more)), nxt

    def _serve_prefetching(self, query: Dict[str, List[str]]) -> Optional[bytes]:
        """The page (rendered ahead if it was the next page of a cursor just served), and the rendering of the
        page after it started on the worker: one page ahead per cursor, at most PREFETCH_MAX pending."""
        assert self._prefetch is not None
        with self._lock:
            future = self._ahead.pop(_query_key(query), None)
        got = future.result() if future is not None else self._render(query)
        if got is None:
            return None
        raw, nxt = got
        if nxt is not None:
            with self._lock:
                if len(self._ahead) >= PREFETCH_MAX:  # cursors abandoned by their clients
                    self._ahead.clear()
                self._ahead[_query_key(nxt)] = self._prefetch.submit(self._render, nxt)
        return raw

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> List[Fault]:
        with self._lock:
            return list(self._faults)

    @property
    def requests(self) -> List[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(req)

    def _take_fault(self, path: str, query: Dict[str, List[str]]) -> Optional[Fault]:
        if path != API_PATH and not IA.is_inventory_path(path):
            return None
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.matches(query, path[len("/v1"):]):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    return self._faults.pop(i)
        return None

    # responses -------------------------------------------------------------------------------------------
    def _respond(self, method: str, path: str, query: Dict[str, List[str]], auth: Optional[str],
                 fault: Optional[Fault]):
        """-> (status, json body, extra headers, raw bytes or None); status 0 = reset the connection."""
        try:
            inventory = method == "GET" and IA.is_inventory_path(path)
            if not inventory and (method != "GET" or path != API_PATH):
                raise P.not_found(method, path)
            scope = IA.scope_of(path) if inventory else REQUIRED_SCOPE
            self._check_auth(auth, scope)
            if fault is not None and fault.kind not in ("timeout",):
                early = self._early_fault(fault, scope)
                if early is not None:
                    return early
            if fault is not None and fault.kind == "not_found":
                raise P.not_found(method, path)
            if inventory:
                with self._lock:
                    if fault is not None and fault.kind == "delete_project":
                        IA.delete_project_of(self.inventory, path)
                    body = IA.list_response(self.inventory, path, query, self.default_limit)
                return self._late_fault(fault, body, query)
            q = P.parse_query(query, default_limit=self.default_limit, tenant_enabled=self.tenant_enabled)
            cache_key = _query_key(query)
            if fault is None and self._page_cache is not None and cache_key in self._page_cache:
                return 200, None, {}, self._page_cache[cache_key]
            if fault is None and self._prefetch is not None:
                raw = self._serve_prefetching(query)
                if raw is not None:
                    return 200, None, {}, raw
            try:
                page = self.store.query(q)
            except UnknownCursor as exc:
                raise P.unknown_cursor(str(exc.args[0])) from None
            body = P.list_body(page.data, page.has_more)
            if fault is None and self._page_cache is not None:
                raw = _dumps(body)
                with self._lock:
                    self._page_cache[cache_key] = raw
                return 200, None, {}, raw
            return self._late_fault(fault, body, query)
        except P.ApiError as err:
            return err.status, err.body, {}, None

    def _check_auth(self, auth: Optional[str], scope: str) -> None:
        if not auth or not auth.lower().startswith("bearer ") or not auth[7:].strip():
            raise P.missing_key()
        key = auth[7:].strip()
        if key != self.admin_key:
            raise P.invalid_key(key)
        if scope not in self.scopes:
            raise P.missing_scope(scope)

    @staticmethod
    def _early_fault(fault: Fault, scope: str):
        kind = fault.kind
        if kind == "rate_limit":
            err = P.rate_limited()
            return 429, err.body, ({"Retry-After": fault.retry_after} if fault.retry_after else {}), None
        if kind == "server_error":
            return fault.status, P.server_error(fault.status).body, {}, None
        if kind == "reset":
            return 0, None, {}, None
        if kind == "malformed_json":
            return 200, None, {}, b'{"object":"list","data":[{"id":"audit_log-'
        if kind == "unauthorized":
            return 401, P.invalid_key("sk-admin-revoked-key").body, {}, None
        if kind == "forbidden":
            return 403, P.forbidden().body, {}, None
        if kind == "missing_scope":
            return 401, P.missing_scope(scope).body, {}, None
        if kind == "empty_page_has_more":
            return 200, {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": True}, {}, None
        return None

    @staticmethod
    def _late_fault(fault: Optional[Fault], body: Dict[str, Any], query: Dict[str, List[str]]):
        kind = fault.kind if fault is not None else None
        if kind == "truncated_json":
            full = _dumps(body)
            return 200, None, {}, full[: max(1, len(full) // 2)]
        if kind == "has_more_without_last_id":
            body = {k: v for k, v in body.items() if k not in ("first_id", "last_id")}
            body["has_more"] = True
        elif kind == "repeated_cursor":
            body = dict(body, last_id=query["after"][-1], has_more=True)
        return 200, body, {}, None
