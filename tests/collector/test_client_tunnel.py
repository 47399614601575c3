"""https through an http proxy: the transport's CONNECT tunnel (Proxy-Authorization on the CONNECT only, TLS
verified end to end with the account's CA bundle inside the tunnel), against the HTTPS front of test_tls.py
and a small CONNECT proxy of our own on loopback (RFC 9110 §9.3.6)."""
from __future__ import annotations

import base64
import select
import socket
import threading
from typing import Iterator, List

import pytest

from oai_audit.checkpoint import MemoryStore
from oai_audit.client import AuditLogClient, make_verify

from collector_support import KEY, NOW, ListSink, poll
from test_tls import https_sim, pki  # noqa: F401  (fixtures)


class ConnectProxy:
    """Accepts CONNECT host:port, answers 200 and relays bytes both ways; records each request head."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.heads: List[str] = []
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:  # closed by close()
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        text = head.decode("latin-1")
        self.heads.append(text)
        host, port = text.split()[1].rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)), timeout=5)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        pair = {client: upstream, upstream: client}
        while not self.stopping.is_set():
            ready, _, _ = select.select(list(pair), [], [], 0.1)
            for s in ready:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    client.close()
                    upstream.close()
                    return
                pair[s].sendall(data)

    def close(self) -> None:
        self.stopping.set()
        self.sock.close()


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    p = ConnectProxy()
    yield p
    p.close()


def test_https_goes_through_the_connect_tunnel_with_proxy_auth(https_sim, pki, proxy) -> None:  # noqa: F811
    url, sim, events = https_sim
    verify = make_verify(True, str(pki[0]))
    with AuditLogClient(url, KEY, proxy=f"http://bob:s3cret@127.0.0.1:{proxy.port}", verify=verify) as client:
        store, sink = MemoryStore(), ListSink()
        [res] = poll(url, store, sink, start=NOW - 2 * 86400, client=client)
    assert res.error is None and sorted(sink.ids) == sorted(e["id"] for e in events)
    host = url.split("//")[1].split("/")[0]
    assert proxy.heads and all(h.startswith(f"CONNECT {host} HTTP/1.1\r\n") for h in proxy.heads)
    assert f"Proxy-Authorization: Basic {base64.b64encode(b'bob:s3cret').decode()}" in proxy.heads[0]
    assert len(proxy.heads) == len(sim.requests), "one tunnel per connection (the HTTP/1.0 front closes each)"
