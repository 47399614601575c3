"""The HTTP/1.1 request handling shared by the fake splunkd (server.py) and the Splunk Web stand-in in front of it
(tests/ui/splunkweb.py): GET, POST and DELETE read the request body and go to ``answer``, whose reply is written
with Content-Type and Content-Length, then its extra headers; a client that has hung up ends the connection
without a traceback. Any other method gets http.server's 501."""
from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, Tuple
from urllib.parse import SplitResult, urlsplit

Answer = Tuple[int, str, bytes, Dict[str, str]]  # status, Content-Type, body, extra headers


class StandInHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid the 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def answer(self, method: str, url: SplitResult, body: bytes) -> Answer:
        raise NotImplementedError

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, ctype, out, extra = self.answer(method, urlsplit(self.path), body)
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(out)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(out)
        except (BrokenPipeError, ConnectionResetError):  # the client left (a closed page): no one to answer
            self.close_connection = True
