"""A loopback stand-in for Splunk Web in front of the fake splunkd, for the browser tests and the screenshots.

What it answers (the paths UCC's bundle and the dashboard page request; ../shared/reference/ui-in-a-real-browser.md):
- ``GET /en-US/app/<app>/<view>``: the app's ``appserver/templates/base.html`` for UCC pages (configuration,
  inputs), the bundled Dashboard Studio test page for a view in ``dashboard_page.VIEWS``; both set the CSRF
  cookie ``splunkweb_csrf_token_8000`` as Splunk Web does;
- ``GET /en-US/config?autoload=1`` (``window.$C``), ``/en-US/static/@<build>/js/i18n.js`` and
  ``/en-US/i18ncatalog`` (a no-op ``gettext``), ``/en-US/static/@<build>/app/<app>/*`` (``appserver/static``),
  ``/en-US/static/@<build>/ui-tests/*`` (the esbuild output of ``tests/ui/js``); Splunk's own page chrome
  (``build/api/layout.js``, ``get_theme.js``) is not there (404), as the reference notes the page renders without;
- ``/en-US/splunkd/__raw/<path>``: proxied to the fake splunkd with the session key, like Splunk Web's proxy;
  a write (POST/DELETE) without ``X-Splunk-Form-Key`` equal to the CSRF cookie is refused with 401.
Every request is recorded (``requests``) for the tests.
"""
from __future__ import annotations

import http.client
import json
import mimetypes
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import SplitResult, parse_qs

from fake_splunkd.http_handler import Answer, StandInHandler
from loopback_http import LoopbackService

LOCALE = "en-US"
CSRF_COOKIE = "splunkweb_csrf_token_8000"
SPLUNKD_PREFIX = f"/{LOCALE}/splunkd/__raw"
_STATIC = re.compile(rf"^/{LOCALE}/static/@[^/]+/(.*)$")
I18N_JS = "window._i18n_locale={locale_name:'en_US'};window.gettext=function(s){return s};" \
          "window.ngettext=function(s,p,n){return n==1?s:p};window.sprintf=function(s){return s};"


@dataclass
class Request:
    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes = b""
    status: int = 0
    response: bytes = b""

    @property
    def form(self) -> Dict[str, List[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


class SplunkWeb(LoopbackService):
    _label = "splunk web stand-in"

    def __init__(self, splunkd: Any, app_dir: Path, *, static_dirs: Optional[Dict[str, Path]] = None,
                 user: str = "admin") -> None:
        super().__init__()
        self.splunkd, self.app_dir, self.user = splunkd, Path(app_dir), user
        self.static_dirs = dict(static_dirs or {})
        self.pages: Dict[str, str] = {}
        self.csrf = secrets.token_hex(16)
        self.requests: List[Request] = []
        self._lock = threading.Lock()
        html = (self.app_dir / "appserver" / "templates" / "base.html").read_text()
        found = re.search(r"static/@([^/]+)/", html)
        self.build = found.group(1) if found else "0"
        self.base_html = html

    def _make_handler(self) -> type:
        return type("Handler", (_Handler,), {"web": self})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, view: str, app: str = "TA-openai-audit") -> str:
        return f"{self.url}/{LOCALE}/app/{app}/{view}"

    def record(self, req: Request) -> None:
        with self._lock:
            self.requests.append(req)

    def requests_to(self, fragment: str, method: Optional[str] = None) -> List[Request]:
        with self._lock:
            return [r for r in self.requests if fragment in r.path and (method is None or r.method == method)]

    # answers ---------------------------------------------------------------------------------------------
    def config_js(self) -> str:
        conf = {"SPLUNKD_PATH": SPLUNKD_PREFIX, "MRSPARKLE_ROOT_PATH": "", "MRSPARKLE_PORT_NUMBER": "8000",
                "LOCALE": LOCALE, "USERNAME": self.user, "USER_DISPLAYNAME": "Administrator",
                "BUILD_NUMBER": self.build, "BUILD_PUSH_NUMBER": 0, "VERSION_LABEL": "9.4.0", "APP": "TA-openai-audit",
                "SERVER_ZONEINFO": "", "SPLUNKD_FREE_LICENSE": False, "FORM_KEY": self.csrf,
                "IS_CLOUD": False, "INSTANCE_TYPE": "download", "PRODUCT_TYPE": "enterprise", "SERVER_NAME": "fake-splunkd"}
        return "window.$C = %s;" % json.dumps(conf)

    def static_file(self, rel: str) -> Optional[Path]:
        roots = dict(self.static_dirs)
        roots["app/TA-openai-audit/"] = self.app_dir / "appserver" / "static"
        for prefix, root in roots.items():
            if rel.startswith(prefix):
                path = (root / rel[len(prefix):]).resolve()
                if root.resolve() in path.parents and path.is_file():
                    return path
        return None

    def proxy(self, method: str, path: str, query: str, headers: Dict[str, str], body: bytes) -> Tuple[int, Dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.splunkd.port, timeout=120)
        try:
            fwd = {"Authorization": "Splunk " + self.splunkd.session_key,
                   "Content-Type": headers.get("Content-Type", "application/x-www-form-urlencoded")}
            conn.request(method, path + ("?" + query if query else ""), body=body or None, headers=fwd)
            resp = conn.getresponse()
            return resp.status, {"Content-Type": resp.getheader("Content-Type", "application/json")}, resp.read()
        finally:
            conn.close()


class _Handler(StandInHandler):
    server_version = "SplunkWebStandIn"
    web: SplunkWeb

    def answer(self, method: str, url: SplitResult, body: bytes) -> Answer:
        req = Request(method, url.path, parse_qs(url.query, keep_blank_values=True), dict(self.headers.items()),
                      body)
        self.web.record(req)
        status, ctype, out, extra = self._answer(req, url.query)
        req.status, req.response = status, out
        return status, ctype, out, dict({"Cache-Control": "no-store"}, **extra)

    def _answer(self, req: Request, query: str) -> Tuple[int, str, bytes, Dict[str, str]]:
        web, path = self.web, req.path
        cookie = {"Set-Cookie": f"{CSRF_COOKIE}={web.csrf}; Path=/"}
        if path.startswith(SPLUNKD_PREFIX + "/"):
            if req.method != "GET" and req.headers.get("X-Splunk-Form-Key") != web.csrf:
                return 401, "application/json", b'{"messages":[{"type":"ERROR","text":"Form key mismatch"}]}', {}
            status, headers, out = web.proxy(req.method, path[len(SPLUNKD_PREFIX):], query, req.headers, req.body)
            return status, headers["Content-Type"], out, {}
        m = re.match(rf"^/{LOCALE}/app/([^/]+)/([^/?]+)$", path)
        if m:
            html = web.pages.get(m.group(2), web.base_html)
            return 200, "text/html; charset=utf-8", html.encode(), cookie
        if path == f"/{LOCALE}/config":
            return 200, "application/javascript", web.config_js().encode(), cookie
        if path == f"/{LOCALE}/i18ncatalog":
            return 200, "application/javascript", I18N_JS.encode(), {}
        m = _STATIC.match(path)
        if m:
            if m.group(1) == "js/i18n.js":
                return 200, "application/javascript", I18N_JS.encode(), {}
            found = web.static_file(m.group(1))
            if found is not None:
                ctype = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                if found.suffix in (".js", ".mjs"):
                    ctype = "application/javascript"
                return 200, ctype, found.read_bytes(), {}
        return 404, "text/plain", b"Not Found", {}
