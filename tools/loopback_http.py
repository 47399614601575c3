"""Lifecycle shared by the test/demo HTTP services (API simulator, fake splunkd): a threaded
http.server on a loopback address only, usable as a context manager."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional, Type, TypeVar

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
S = TypeVar("S", bound="LoopbackService")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class LoopbackService:
    """Subclasses provide ``_make_handler()``; ``_on_started()`` runs once the port is known."""

    _label = "loopback service"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the {self._label} only listens on loopback")
        self._host, self._port = host, port
        self._server: Optional[_Server] = None
        self._stopping = threading.Event()

    def _make_handler(self) -> Type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def _on_started(self) -> None:
        pass

    def start(self: S) -> S:
        self._server = _Server((self._host, self._port), self._make_handler())
        self._stopping.clear()
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name=self._label, daemon=True).start()
        self._on_started()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, f"{self._label} not started"
        return int(self._server.server_address[1])
