"""docs/images/*.png: full-page screenshots of the real setup pages (UCC's built bundle, seeded accounts and inputs)
and of every dashboard (tools/dashboard_defs.DASHBOARDS) rendered by Splunk's DashboardCore over the demo data, all through the same stand-ins as the
browser tests (nothing leaves loopback: splunk.map's internet basemap stays blank, see the README).

    bash scripts/screenshots.sh      # = ui_prereqs + build + this script on the 3.13 venv
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any, List

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tools"), str(ROOT / "package" / "bin")]

from dashboard_support import BASEMAP_TILES, dashboard_stack, open_dashboard, show_tab, tabs  # noqa: E402
import dashboard_page as dp  # noqa: E402
from ui_support import APP_DIR, PageGuard, chromium_path, launch_chromium, open_guarded_page  # noqa: E402

OUT = ROOT / "docs" / "images"


def _setup_pages(page: Any, stack: Any) -> List[Path]:
    shots = []
    page.set_viewport_size({"width": 1400, "height": 640})
    page.goto(stack.url("configuration"))
    page.get_by_role("row", name="row-prod_account").wait_for()
    page.get_by_text("Build Time:").wait_for()
    shots.append(_shot(page, "setup_configuration_accounts"))
    page.get_by_role("button", name="Add").click()
    page.get_by_role("dialog").locator('[data-name="api_key"] input').wait_for()
    shots.append(_shot(page, "setup_add_account"))
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="Proxy").click()
    page.locator('[data-name="proxy_url"] input').wait_for()
    shots.append(_shot(page, "setup_configuration_proxy"))
    page.goto(stack.url("inputs"))
    page.get_by_role("row", name="row-prod_org").wait_for()
    shots.append(_shot(page, "setup_inputs"))
    return shots


def _shot(page: Any, name: str) -> Path:
    path = OUT / f"{name}.png"
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    return path


def main() -> int:
    from playwright.sync_api import sync_playwright

    try:
        chromium_path()
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    guard = PageGuard()
    guard.allowed_blocked.append(BASEMAP_TILES)
    now = int(time.time())
    with tempfile.TemporaryDirectory() as work, dashboard_stack(APP_DIR, Path(work), now) as stack, \
            sync_playwright() as pw:
        browser = launch_chromium(pw)
        context, page = open_guarded_page(browser, guard)
        shots = _setup_pages(page, stack)
        for view in dp.VIEWS:
            since = open_dashboard(page, stack, view)
            for index in range(len(tabs(view))):  # one picture per tab: <view>.png, <view>_tab2.png, ...
                show_tab(page, stack, view, index, since)
                page.wait_for_timeout(1500)  # chart animations
                shots.append(_shot(page, view if index == 0 else f"{view}_tab{index + 1}"))
        context.close()
        browser.close()
    problems = guard.problems()
    if problems:
        print("; ".join(problems), file=sys.stderr)
        return 1
    for path in shots:
        print(f"[screenshots] {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
