"""Rendering the shipped dashboards in the browser: demo data, the stack with the dashboard pages, and what a
rendered panel looks like (used by tests/ui/test_dashboards.py and tests/ui/screenshots.py)."""
from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional

import dashboard_defs as dd
import dashboard_demo as demo
import dashboard_page as dp
from splsim import Engine

from ui_support import UiStack, start_stack

# what a panel shows when its search failed or the page lacks Splunk Web: none may appear
FAILURE_MARKERS = ("No search results", "Cannot access splunkweb")
BASEMAP_TILES = "basemaps.cartocdn.com"  # splunk.map's internet basemap: blocked, and allowed to be tried (README)
CHART_DESC = re.compile(r"with (\d+) [a-z][a-z ]*")
HEADER_PX = 140  # inputs bar and margins above the grid


def demo_events(app_dir: Path, now: int) -> List[Any]:
    """The demo data set (tools/dashboard_demo) as splsim events."""
    return demo.engine_events(Engine(app_dir=str(app_dir)), [e for kind in demo.dataset(now).values() for e in kind])


@contextlib.contextmanager
def dashboard_stack(app_dir: Path, work: Path, now: int) -> Iterator[UiStack]:
    """The UI stack serving the dashboard pages; its search jobs read the demo events and the demo inventory."""
    kv = work / "kv"
    kv.mkdir()
    lookups = demo.lookup_files(demo.inventory_records(now), kv, app_dir)
    with start_stack(app_dir, work, events=demo_events(app_dir, now), now=lambda: now, lookups=lookups) as stack:
        dp.install(stack.web)
        yield stack


def page_height(view: str) -> int:
    """Pixels the grid needs (its lowest panel's bottom) plus the inputs bar: a viewport that shows all of it."""
    defn = dd.definition(view)
    layout = defn["layout"]
    bottoms = [item["position"]["y"] + item["position"]["h"] for tab in layout["tabs"]["items"]
               for item in layout["layoutDefinitions"][tab["layoutId"]]["structure"]]
    return max(bottoms) + HEADER_PX


@dataclass(frozen=True)
class Tab:
    label: str
    visualizations: Dict[str, str]  # viz id -> type, in layout order
    sources: List[str]  # the ds.search ids its panels and the global inputs read


def tabs(view: str) -> List[Tab]:
    """The view's tabs (Studio's tabs layout) with what each shows and which searches it needs."""
    defn = dd.definition(view)
    layout, queries = defn["layout"], dd.queries(defn)
    shared = {ds for i in layout.get("globalInputs", []) for ds in defn["inputs"][i].get("dataSources", {}).values()}
    out = []
    for tab in layout["tabs"]["items"]:
        items = [it["item"] for it in layout["layoutDefinitions"][tab["layoutId"]]["structure"]]
        owners = [defn["visualizations"].get(i) or defn["inputs"].get(i) or {} for i in items]
        sources = shared | {ds for o in owners for ds in o.get("dataSources", {}).values()}
        out.append(Tab(tab.get("label", ""), {i: defn["visualizations"][i]["type"] for i in items
                                             if i in defn["visualizations"]}, sorted(sources & set(queries))))
    return out


def answered(stack: UiStack, since: int = 0) -> Dict[str, Any]:
    """data source id -> its newest job whose results the page fetched (jobs after the first ``since``)."""
    fetched = {r.path.rstrip("/").split("/")[-2] for r in stack.web.requests
               if re.search(r"/jobs/[^/]+/results(_preview)?$", r.path) and r.status == 200}
    out: Dict[str, Any] = {}
    for job in list(stack.searches.jobs.values())[since:]:
        if job.sid in fetched:
            out[job.label] = job
    return out


def wait_answered(page: Any, stack: UiStack, labels: Iterable[str], *, since: int = 0,
                  timeout: float = 120.0) -> Dict[str, Any]:
    """Wait (in the page: Playwright routes its requests through this process) until each data source in ``labels``
    has a job, dispatched after the first ``since``, whose results the page fetched."""
    wanted = set(labels)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = answered(stack, since)
        if wanted <= set(done):
            page.wait_for_timeout(500)  # let the last results render
            return done
        page.wait_for_timeout(100)
    missing = wanted - set(answered(stack, since))
    raise AssertionError(f"data sources never answered: {sorted(missing)}")


def open_dashboard(page: Any, stack: UiStack, view: str) -> int:
    """Load the view and wait for its first tab's searches; returns the job count before the load (``since``)."""
    since = len(stack.searches.jobs)
    page.set_viewport_size({"width": 1480, "height": page_height(view)})
    page.goto(stack.url(view))
    wait_answered(page, stack, tabs(view)[0].sources, since=since)
    return since


def show_tab(page: Any, stack: UiStack, view: str, index: int, since: int) -> Dict[str, Any]:
    """Switch to a tab (the first one shows on load) and wait for its searches (dispatched after ``since``)."""
    tab = tabs(view)[index]
    if index:
        page.get_by_role("tab", name=tab.label).click()
    return wait_answered(page, stack, tab.sources, since=since)


def panel_content(page: Any, viz_id: str, viz_type: str) -> Optional[str]:
    """What makes a rendered panel non-empty (None if it has nothing): table rows, a chart's series count in its
    accessible description, a map's canvas, a markdown text."""
    panel = page.locator(f'[data-test="viz-item"][data-id="{viz_id}"]').first
    if viz_type == "splunk.table":
        rows = panel.locator("tbody tr").count()
        return f"{rows} rows" if rows else None
    if viz_type == "splunk.markdown":
        text = panel.inner_text().strip()
        return text[:40] if text else None
    if viz_type == "splunk.map":
        markers = panel.locator("canvas").count() + panel.locator("svg path").count()
        return f"{markers} map layers" if markers else None
    desc = " ".join(panel.locator("svg desc").all_text_contents() + [panel.inner_text()])
    found = CHART_DESC.search(desc)
    return found.group(0) if found and int(found.group(1)) > 0 else None


def failure_markers(page: Any) -> List[str]:
    text = page.inner_text("body")
    return [m for m in FAILURE_MARKERS if m in text]

