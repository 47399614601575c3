"""The browser tests' guard can fail: a page that reaches past loopback (an image, a fetch) is blocked and reported,
and an uncaught exception in a page is reported."""
from __future__ import annotations

from typing import Any

import pytest

from ui_support import PageGuard, UiStack, open_guarded_page

pytestmark = pytest.mark.ui
PROBE = """<!DOCTYPE html><html><body><img src="https://tiles.example.com/0/0/0.png">
<script>fetch("https://api.example.net/v1/x").catch(function () {});
setTimeout(function () { throw new Error("probe failure"); }, 0);</script></body></html>"""


def test_non_loopback_requests_and_page_errors_fail_the_test(browser: Any, stack: UiStack) -> None:
    stack.web.pages["guard_probe"] = PROBE
    guard = PageGuard()
    context, page = open_guarded_page(browser, guard)
    try:
        page.goto(stack.url("guard_probe"))
        page.wait_for_function("1", timeout=5000)
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert sorted(guard.blocked) == ["https://api.example.net/v1/x", "https://tiles.example.com/0/0/0.png"]
    assert any("probe failure" in e for e in guard.errors)
    with pytest.raises(AssertionError):
        guard.check()
    guard.errors.clear()
    guard.allowed_blocked.append("tiles.example.com")
    with pytest.raises(AssertionError, match="api.example.net"):
        guard.check()
