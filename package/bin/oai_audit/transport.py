"""A synchronous httpx transport on the standard library's ``http.client``: every request has a total
deadline, the body is read in a streaming way and decompressed under a byte cap, the SSL context is built
only for https and once per process.

Why not httpx's default transport: it imports httpcore, h11 and anyio (the async machinery) and builds a
certifi SSL context on every ``httpx.Client()``, ~1.0 G instructions per run without .pyc files, before the
first request; and its timeouts are per read, so a server dripping one byte per second holds a request for as
long as it likes. ``http.client`` is already imported by httpx itself. An ``https://`` proxy (TLS to the proxy,
then TLS inside the tunnel) is the one case left to httpx's own transport (imported only then).
"""
from __future__ import annotations

import base64
import http.client
import os
import socket
import stat
import ssl
import threading
import time
import zlib
from typing import Any, Callable, Dict, List, Optional, Tuple, Union
from urllib.parse import unquote, urlsplit

import httpx

MAX_BODY = 4 << 20  # decompressed bytes of one answer; a real 100-event audit-log page is ~100-300 KB
DEFAULT_DEADLINE = 60.0  # seconds from sending a request to its last body byte, whatever the server does
MAX_HEADER_BYTES = 64 << 10  # a CONNECT answer from the proxy
READ_CHUNK = 64 << 10

Verify = Union[bool, ssl.SSLContext]


class DeadlineExceeded(httpx.ReadTimeout):
    """The request's total deadline passed (however slowly the server was sending)."""


class BodyTooLarge(httpx.DecodingError):
    """The answer's body (after decompression) is larger than the cap."""


class _Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self._clock = clock
        self.end = clock() + seconds

    def remaining(self) -> float:
        left = self.end - self._clock()
        if left <= 0:
            raise self.exceeded()
        return left

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(f"no complete answer within the {self.seconds:g} s request deadline")

    def expired(self) -> bool:
        return self._clock() >= self.end


class _Guard:
    """Per-socket state: before every receive the timeout becomes min(read timeout, deadline left)."""

    deadline: Optional[_Deadline] = None
    read_timeout: Optional[float] = None

    def _arm(self) -> None:
        if self.deadline is not None:
            left = self.deadline.remaining()
            self.settimeout(left if self.read_timeout is None else min(left, self.read_timeout))  # type: ignore

    def recv(self, *args: Any) -> bytes:
        self._arm()
        return super().recv(*args)  # type: ignore[misc]

    def recv_into(self, *args: Any) -> int:
        self._arm()
        return super().recv_into(*args)  # type: ignore[misc]


class _GuardedSocket(_Guard, socket.socket):
    pass


class _GuardedSSLSocket(_Guard, ssl.SSLSocket):
    pass


_DEFAULT_CONTEXT: Optional[ssl.SSLContext] = None
_CONTEXT_LOCK = threading.Lock()


def default_ssl_context() -> ssl.SSLContext:
    """certifi's CA bundle (as httpx uses by default), built once per process on the first https request."""
    global _DEFAULT_CONTEXT
    with _CONTEXT_LOCK:
        if _DEFAULT_CONTEXT is None:
            import certifi

            _DEFAULT_CONTEXT = ssl.create_default_context(cafile=certifi.where())
        return _DEFAULT_CONTEXT


MAX_CA_BUNDLE = 4 << 20  # bytes; certifi's whole bundle is ~0.3 MB
CA_READ_SECONDS = 2.0
NOT_A_PEM_BUNDLE = "The CA bundle is not a readable PEM bundle."


class CABundleError(ValueError):
    """The CA bundle cannot be used; the message never says why (missing, not a file, unreadable, not PEM),
    so the setting cannot be used to probe the Splunk host's file system."""

    def __init__(self) -> None:
        super().__init__(NOT_A_PEM_BUNDLE)


def load_ca_bundle(path: str, clock: Callable[[], float] = time.monotonic) -> ssl.SSLContext:
    """A verifying SSL context trusting the PEM certificates of ``path``: an absolute path to a regular,
    readable file of at most MAX_CA_BUNDLE bytes, read within CA_READ_SECONDS (opened non-blocking, so a FIFO
    or device never hangs the caller). Any failure raises CABundleError."""
    if not path or not os.path.isabs(path):
        raise CABundleError()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError):
        raise CABundleError() from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CA_BUNDLE:
            raise CABundleError()
        end = clock() + CA_READ_SECONDS
        parts: List[bytes] = []
        size = 0
        while True:
            if clock() > end:
                raise CABundleError()
            chunk = os.read(fd, READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_CA_BUNDLE:
                raise CABundleError()
            parts.append(chunk)
    except OSError:
        raise CABundleError() from None
    finally:
        os.close(fd)
    try:
        text = b"".join(parts).decode("ascii")
        if "-----BEGIN CERTIFICATE-----" not in text:
            raise ValueError
        ctx = ssl.create_default_context()
        ctx.load_verify_locations(cadata=text)
    except (ValueError, ssl.SSLError):
        raise CABundleError() from None
    if not ctx.get_ca_certs():
        raise CABundleError()
    return ctx


def _ssl_context(verify: Verify) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        ctx = verify
    elif verify:
        ctx = default_ssl_context()
    else:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.sslsocket_class = _GuardedSSLSocket  # type: ignore[misc]  (our sockets enforce the deadline)
    return ctx


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class _Proxy:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or _default_port(parts.scheme)
        self.auth: Optional[str] = None
        if parts.username is not None:
            creds = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.auth = "Basic " + base64.b64encode(creds).decode("ascii")


def _connect(host: str, port: int, timeout: Optional[float], deadline: _Deadline) -> _GuardedSocket:
    """A TCP connection (first address that answers) bounded by the connect timeout and the deadline."""
    last: Optional[BaseException] = None
    for family, kind, proto, _, addr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = _GuardedSocket(family, kind, proto)
        try:
            left = deadline.remaining()
            sock.settimeout(left if timeout is None else min(timeout, left))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(addr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError(f"no address for {host}")


def _read_connect_answer(sock: socket.socket) -> int:
    """Status code of the proxy's answer to CONNECT (headers read up to a bounded size)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise httpx.ProxyError("the proxy closed the connection during CONNECT")
        buf += chunk
        if len(buf) > MAX_HEADER_BYTES:
            raise httpx.ProxyError("the proxy's answer to CONNECT is too large")
    status_line = buf.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        raise httpx.ProxyError("the proxy's answer to CONNECT is not HTTP")
    return int(status_line[1])


class _Connection(http.client.HTTPConnection):
    """One keep-alive connection to an origin (directly, through an http proxy, or tunnelled through it)."""

    def __init__(self, scheme: str, host: str, port: int, proxy: Optional[_Proxy], verify: Verify) -> None:
        super().__init__(host, port)
        self.scheme, self.proxy, self.verify = scheme, proxy, verify
        self.deadline: Optional[_Deadline] = None
        self.connect_timeout: Optional[float] = None
        self.read_timeout: Optional[float] = None

    @property
    def absolute_form(self) -> bool:
        """Plain http through a proxy: the request line carries the absolute URL."""
        return self.proxy is not None and self.scheme == "http"

    def connect(self) -> None:
        assert self.deadline is not None
        via = self.proxy
        sock: Any = _connect(via.host if via else self.host, via.port if via else self.port,
                             self.connect_timeout, self.deadline)
        try:
            sock.deadline, sock.read_timeout = self.deadline, self.read_timeout
            if via is not None and self.scheme == "https":
                target = f"{self.host}:{self.port}"
                lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
                if via.auth:
                    lines.append(f"Proxy-Authorization: {via.auth}")
                sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                status = _read_connect_answer(sock)
                if status != 200:
                    raise httpx.ProxyError(f"the proxy refused the tunnel (HTTP {status})")
            if self.scheme == "https":
                sock.settimeout(min(self.deadline.remaining(), self.connect_timeout or self.deadline.seconds))
                sock = _ssl_context(self.verify).wrap_socket(sock, server_hostname=self.host)
                sock.deadline, sock.read_timeout = self.deadline, self.read_timeout
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def arm(self, deadline: _Deadline, timeouts: Dict[str, Optional[float]]) -> None:
        """Bind the next request's deadline and timeouts to this connection (and its open socket)."""
        self.deadline = deadline
        self.connect_timeout = timeouts.get("connect")
        self.read_timeout = timeouts.get("read")
        if self.sock is not None:
            self.sock.deadline, self.sock.read_timeout = deadline, self.read_timeout  # type: ignore[attr-defined]


class _Decoder:
    """Content-Encoding identity / gzip / deflate, decompressing at most ``cap`` bytes in all."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self.received = 0
        self.parts: List[bytes] = []
        enc = encoding.strip().lower()
        if enc in ("", "identity"):
            self._z: Any = None
        elif enc in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise httpx.DecodingError(f"unsupported Content-Encoding {encoding[:40]!r}")
        self.encoding = enc

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise BodyTooLarge(f"response body larger than {self.cap} bytes")
        self.parts.append(data)

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        if self.received > self.cap:
            raise BodyTooLarge(f"response body larger than {self.cap} bytes")
        if self._z is None:
            self._keep(data)
            return
        try:
            while data and not self._z.eof:
                out = self._z.decompress(data, self.cap - self.size + 1)
                self._keep(out)
                data = self._z.unconsumed_tail
        except zlib.error:
            raise httpx.DecodingError(f"the body is labelled Content-Encoding: {self.encoding} but is not "
                                      f"valid {self.encoding} data") from None

    def finish(self) -> bytes:
        if self._z is not None:
            try:
                self._keep(self._z.flush())
            except zlib.error:
                raise httpx.DecodingError(f"truncated {self.encoding} body") from None
        return b"".join(self.parts)


_DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


class BoundedTransport(httpx.BaseTransport):
    """httpx transport: one keep-alive connection per origin, a total ``deadline`` per request, bodies capped
    at ``max_body`` decompressed bytes. ``clock`` is injectable."""

    def __init__(self, *, verify: Verify = True, proxy: Optional[str] = None, deadline: float = DEFAULT_DEADLINE,
                 max_body: int = MAX_BODY, clock: Callable[[], float] = time.monotonic) -> None:
        self.verify = verify
        self.proxy = _Proxy(proxy) if proxy else None
        self.deadline = deadline
        self.max_body = max_body
        self._clock = clock
        self._conns: Dict[Tuple[str, str, int], _Connection] = {}
        self._fallback: Optional[httpx.BaseTransport] = None
        if self.proxy is not None and self.proxy.scheme == "https":
            self._fallback = httpx.HTTPTransport(proxy=proxy, verify=_ssl_context(verify))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._fallback is not None:
            return self._fallback.handle_request(request)
        url = request.url
        key = (url.scheme, url.host, url.port or _default_port(url.scheme))
        deadline = _Deadline(self.deadline, self._clock)
        conn = self._conns.pop(key, None) or _Connection(*key, self.proxy, self.verify)
        conn.arm(deadline, dict(request.extensions.get("timeout") or {}))
        return self._respond(key, conn, request)

    def _respond(self, key: Tuple[str, str, int], conn: _Connection, request: httpx.Request) -> httpx.Response:
        try:
            status, headers, body, reusable = self._exchange(conn, request)
        except BaseException:
            conn.close()
            raise
        if reusable:
            self._conns[key] = conn
        else:
            conn.close()
        kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS]
        return httpx.Response(status, headers=kept, content=body, request=request,
                              extensions={"http_version": b"HTTP/1.1"})

    def _exchange(self, conn: _Connection, request: httpx.Request
                  ) -> Tuple[int, List[Tuple[str, str]], bytes, bool]:
        target = str(request.url) if conn.absolute_form else request.url.raw_path.decode("ascii")
        try:
            conn.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.raw:  # original casing, as httpx's own transport sends them
                conn.putheader(name.decode("latin-1"), value.decode("latin-1"))
            if conn.absolute_form and conn.proxy is not None and conn.proxy.auth:
                conn.putheader("Proxy-Authorization", conn.proxy.auth)
            conn.endheaders(request.read() or None)
            response = conn.getresponse()
            decoder = _Decoder(response.getheader("content-encoding") or "", self.max_body)
            while True:
                chunk = response.read1(READ_CHUNK)
                if not chunk:
                    break
                decoder.feed(chunk)
            body = decoder.finish()
            response.close()  # marks the exchange complete (Python 3.9's read1 does not at the end of a body)
        except socket.timeout as exc:
            if conn.deadline is not None and conn.deadline.expired():  # the receive was cut short by it
                raise conn.deadline.exceeded() from None
            raise (httpx.ConnectTimeout if conn.sock is None else httpx.ReadTimeout)(str(exc) or "timed out") \
                from None
        except ssl.SSLError as exc:
            raise httpx.ConnectError(f"TLS: {exc}") from exc
        except http.client.HTTPException as exc:  # truncated body, bad status line, oversized header line...
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        except ConnectionError as exc:
            if conn.sock is None:
                raise httpx.ConnectError(f"{type(exc).__name__}: {exc}") from None
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}") from None
        except OSError as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}") from None
        return response.status, response.getheaders(), body, not response.will_close

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()
        if self._fallback is not None:
            self._fallback.close()
