"""Fixtures of the browser tests: the built app behind a Splunk Web stand-in and the fake splunkd (the app's real
REST handlers run as splunkd runs them), the API simulator, and headless Debian chromium driven by Playwright.

Every page fails its test on a page error (an uncaught exception in the page) and on a request to anything but
loopback (blocked; only the URLs a test names in ``allowed_blocked`` may be tried)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from ui_support import PageGuard, UiStack, chromium_path, launch_chromium, open_guarded_page, start_stack


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install -r requirements-test.txt (scripts/setup_venvs.sh does)")
    try:
        chromium_path()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture(scope="module")
def stack(built_app: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiStack]:
    with start_stack(built_app, tmp_path_factory.mktemp("ui")) as s:
        yield s


@pytest.fixture
def guard() -> PageGuard:
    return PageGuard()


@pytest.fixture
def page(browser: Any, guard: PageGuard) -> Iterator[Any]:
    context, pg = open_guarded_page(browser, guard)
    yield pg
    context.close()
    guard.check()

