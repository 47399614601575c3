"""The UI test stack: fake splunkd serving the built app's REST handlers, the API simulator, the Splunk Web stand-in;
plus the guarded browser page. Used by the tests and by ``tests/ui/screenshots.py``."""
from __future__ import annotations

import contextlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
import time
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from fake_splunkd import FakeSplunkd
from fake_splunkd.admin_external import AppRest, serve_app
from loopback_http import LOOPBACK_HOSTS
from oai_sim.server import Simulator
from splsim import Engine

from search_jobs import SearchJobs
from splunkd_routes import SplunkdRoutes
from splunkweb import SplunkWeb

ROOT = Path(__file__).resolve().parents[2]
APP = "TA-openai-audit"
APP_DIR = ROOT / "output" / APP
KEY = "sk-admin-" + "u" * 40
ACCOUNT_CONF = "ta_openai_audit_account"
SETTINGS_CONF = "ta_openai_audit_settings"
TIMEOUT_MS = 30_000


@dataclass
class UiStack:
    splunkd: FakeSplunkd
    rest: AppRest
    web: SplunkWeb
    sim: Simulator
    searches: SearchJobs

    def url(self, view: str) -> str:
        return self.web.page_url(view)


def seed(sd: FakeSplunkd, sim: Simulator) -> None:
    """What an admin set up before: two accounts, proxy and logging settings, one input per account."""
    for name in ("prod_account", "research_account"):
        sd.set_account(name, encrypted={"api_key": KEY}, conf=ACCOUNT_CONF, base_url=sim.base_url)
    sd.set_conf(SETTINGS_CONF, "proxy", {"proxy_enabled": "0", "proxy_type": "http", "proxy_url": "",
                                         "proxy_port": ""})
    sd.set_conf(SETTINGS_CONF, "logging", {"loglevel": "INFO"})
    sd.set_conf(SETTINGS_CONF, "advanced", {"allow_custom_base_url": "1"})  # the simulator is a custom (loopback) URL
    sd.set_conf("inputs", "openai_audit://prod_org", {"account": "prod_account", "interval": "300", "index": "openai",
                                                       "start_date": "2026-11-01T00:00:00Z"})
    sd.set_conf("inputs", "openai_audit://research_org", {"account": "research_account", "interval": "600",
                                                           "index": "openai"})


@contextlib.contextmanager
def start_stack(app_dir: Path, work: Path, *, static_dirs: Optional[dict] = None, events: Sequence[Any] = (),
                now: Callable[[], float] = time.time, lookups: Optional[dict] = None) -> Iterator[UiStack]:
    """``events``: splsim events the search-job stand-in searches (``now``: its clock); ``lookups``: its engine's
    ``extra_lookups`` (KV-store collections' records as CSV files)."""
    with Simulator([], admin_key=KEY) as sim, FakeSplunkd(app=APP) as sd:
        rest = serve_app(sd, app_dir, work)
        searches = SearchJobs(Engine(app_dir=str(app_dir), extra_lookups=lookups), events, app_dir=str(app_dir), now=now)
        sd.add_route(searches)
        sd.add_route(SplunkdRoutes())
        seed(sd, sim)
        try:
            with SplunkWeb(sd, app_dir, static_dirs=static_dirs) as web:
                yield UiStack(sd, rest, web, sim, searches)
        finally:
            rest.stop()


class PageGuard:
    """What went wrong in a page: uncaught errors and blocked (non-loopback) requests."""

    def __init__(self) -> None:
        self.errors: List[str] = []
        self.blocked: List[str] = []
        self.allowed_blocked: List[str] = []

    def problems(self) -> List[str]:
        """Page errors and blocked requests not in ``allowed_blocked``, as messages; none: the page was fine."""
        unexpected = [u for u in self.blocked if not any(a in u for a in self.allowed_blocked)]
        return ([f"page errors: {self.errors}"] if self.errors else []) + (
            [f"non-loopback requests were tried (blocked): {unexpected}"] if unexpected else [])

    def check(self) -> None:
        problems = self.problems()
        assert not problems, "; ".join(problems)


def chromium_path() -> str:
    """Debian's chromium, which Playwright drives (no browser download); missing, it is an error naming the fix."""
    exe = shutil.which("chromium")
    if exe is None:
        raise FileNotFoundError("chromium is missing: bash scripts/ui_prereqs.sh installs it (apt-get chromium)")
    return exe


def launch_chromium(playwright: Any) -> Any:
    """Headless chromium for the tests and the screenshots."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or (parts.hostname or "") in LOOPBACK_HOSTS


def open_guarded_page(browser: Any, guard: Any, *, width: int = 1400, height: int = 900) -> Tuple[Any, Any]:
    """A new browser context whose page records page errors and blocks (and records) non-loopback requests."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US", timezone_id="UTC")

    def route(r: Any) -> None:
        if is_loopback(r.request.url):
            r.continue_()
        else:
            guard.blocked.append(r.request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: guard.errors.append(str(exc)))
    return context, page


def splunk_error_text(body: bytes) -> str:
    """The message text of a splunkd error answer."""
    return json.loads(body)["messages"][0]["text"]


def ucc_message(text: str) -> str:
    """What UCC's parseErrorMsg shows for a splunkd error text: the inner message of a splunktaucclib RestError."""
    m = re.match(r'.+"REST Error \[\d+\]:\s+.+\s+--\s+([\s\S]*)"\.\s*See splunkd\.log(/python.log)? for more details\.',
                 text)
    return m.group(1) if m else text
