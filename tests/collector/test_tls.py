"""TLS verification on by default, with an optional CA bundle: an HTTPS front (own CA, made with openssl)
for the simulator on 127.0.0.1."""
from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Tuple

import httpx
import pytest

from oai_sim.generator import generate
from oai_sim.server import Simulator

from oai_audit.checkpoint import MemoryStore
from oai_audit.errors import ConfigError, TlsError
from oai_audit.validation import validate_credentials

from collector_support import KEY, NOW, ListSink, poll, run_cli


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Tuple[Path, Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=oai-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1",
             cwd=d)
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                               "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
             "srv.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    return d / "ca.pem", d / "srv.pem", d / "srv.key"


@pytest.fixture
def https_sim(pki) -> Iterator[Tuple[str, Simulator, list]]:
    ca, cert, key = pki
    events = generate(150, seed=8, start=NOW - 86400, end=NOW - 30, tenant=False)
    with Simulator(events, admin_key=KEY) as sim:
        upstream = sim.base_url.rsplit("/v1", 1)[0]

        class Front(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                r = httpx.get(upstream + self.path, headers={"Authorization": self.headers.get("Authorization", ""),
                                                             "User-Agent": self.headers.get("User-Agent", "")})
                self.send_response(r.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert), str(key))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"https://127.0.0.1:{server.server_address[1]}/v1", sim, events
        finally:
            server.shutdown()
            server.server_close()


def test_ca_bundle_makes_tls_verification_pass(https_sim, pki):
    url, sim, events = https_sim
    proc = run_cli("--base-url", url, "--since", str(NOW - 2 * 86400), "--ca-bundle", str(pki[0]))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(events)
    validate_credentials(url, KEY, verify=str(pki[0]))


def test_unknown_ca_is_refused_at_once_without_retries(https_sim):
    url, sim, events = https_sim
    sink = ListSink()
    [res] = poll(url, MemoryStore(), sink, start=NOW - 2 * 86400)
    assert isinstance(res.error, TlsError) and res.retries == 0 and sink.events == []
    with pytest.raises(ConfigError, match="CA bundle"):
        validate_credentials(url, KEY)
    proc = run_cli("--base-url", url, "--since", str(NOW - 2 * 86400))
    assert proc.returncode == 2 and "certificate" in proc.stderr.lower() and proc.stdout == ""
