"""A small hostile HTTP server on loopback for the tests of the client and the setup path: every request is
answered by a script that writes raw bytes to the socket (wrong headers, dripping bodies, bombs,
redirects...). Every script is bounded and stops when the server stops."""
from __future__ import annotations

import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Dict, List, Sequence, Tuple, Type
from urllib.parse import parse_qsl, urlsplit

from loopback_http import LoopbackService

Script = Callable[["Exchange"], None]


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: List[Tuple[str, str]]
    headers: Dict[str, str]


@dataclass
class Exchange:
    """What a script sees: the request and a raw writer; ``stopping`` is set when the server stops."""

    request: Seen
    handler: BaseHTTPRequestHandler
    stopping: threading.Event = field(repr=False, default_factory=threading.Event)

    def raw(self, data: bytes) -> None:
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def reply(self, status: int, body: bytes = b"", headers: Sequence[Tuple[str, str]] = (),
              content_type: str = "application/json") -> None:
        head = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
                "Connection: close", *(f"{k}: {v}" for k, v in headers)]
        self.raw(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def json(self, obj: Any, status: int = 200) -> None:
        self.reply(status, json.dumps(obj).encode())


def list_page(data: List[Dict[str, Any]], has_more: bool = False) -> Dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more,
            "first_id": data[0]["id"] if data else None, "last_id": data[-1]["id"] if data else None}


def drip(body: bytes, every: float = 1.0, limit: int = 600) -> Script:
    """A 200 whose body (declared length) arrives one byte per ``every`` seconds, at most ``limit`` bytes."""
    def script(ex: Exchange) -> None:
        ex.raw(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
               .encode())
        for i in range(min(len(body), limit)):
            if ex.stopping.wait(every):
                return
            ex.raw(body[i:i + 1])
    return script


def gzip_bomb(decompressed: int) -> Script:
    """A 200 labelled gzip whose body inflates to ``decompressed`` bytes of blanks (~1 KB per MB, built here,
    streaming, so the server answers at once)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1 << 20)
    parts = [z.compress(b'{"data": [')]
    parts.extend(z.compress(chunk) for _ in range(decompressed >> 20))
    parts.append(z.compress(b"]}") + z.flush())
    body = b"".join(parts)

    def script(ex: Exchange) -> None:
        ex.reply(200, body, headers=[("Content-Encoding", "gzip")])
    return script


def endless(chunk: bytes = b" " * 65536, limit_bytes: int = 2 << 30) -> Script:
    """A chunked 200 that never ends (until ``limit_bytes`` or the server stops)."""
    def script(ex: Exchange) -> None:
        ex.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        sent = 0
        try:
            ex.raw(b"%x\r\n{\"data\": [\r\n" % len(b'{"data": ['))
            while sent < limit_bytes and not ex.stopping.is_set():
                ex.raw(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:
            return
    return script


class HostileServer(LoopbackService):
    """Runs ``script`` for each request (or ``scripts[i]`` for the i-th, the last one repeating)."""

    _label = "hostile http"

    def __init__(self, *scripts: Script) -> None:
        super().__init__()
        self.scripts = list(scripts)
        self.requests: List[Seen] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _make_handler(self) -> Type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                seen = Seen("GET", parts.path, parse_qsl(parts.query, keep_blank_values=True),
                            {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(seen)
                idx = min(len(server.requests), len(server.scripts)) - 1
                try:
                    server.scripts[idx](Exchange(seen, self, server._stopping))
                except OSError:  # the client hung up: fine, that is what a deadline does
                    pass
                self.close_connection = True

            do_POST = do_GET

        return Handler


def wait_until(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``pred`` (test synchronisation, not an assertion on time)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()

