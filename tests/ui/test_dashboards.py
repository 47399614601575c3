"""The shipped Dashboard Studio views, validated and rendered by Splunk's own packages in headless chromium.

- Validation: ``@splunk/dashboard-validation`` with the Enterprise view-only preset's schema (the checks Dashboard
  Studio runs on a definition) passes on each definition as shipped; deliberate breakages show it is wired in.
- Rendering: ``DashboardCore`` with the preset; its real ``ds.search`` drives the search-job REST stand-in, which runs
  each posted SPL in splsim over the demo data (tools/dashboard_demo). Every data source is answered, every panel has
  content, no failure marker shows, the time picker and the Account / Input dropdowns re-run the searches.
Adding a dashboard is one entry in ``dashboard_page.VIEWS``; every tab of a view is shown and checked."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import dashboard_defs as dd
import dashboard_page as dp
from dashboard_support import (BASEMAP_TILES, dashboard_stack, failure_markers, open_dashboard, panel_content,
                               show_tab, tabs, wait_answered)
from ui_support import UiStack

pytestmark = pytest.mark.ui
NOW = 1_795_000_000  # the stand-in's clock: the demo data and the searches agree on "now"


@pytest.fixture(scope="module")
def stack(built_app: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiStack]:
    with dashboard_stack(built_app, tmp_path_factory.mktemp("dash"), NOW) as s:
        yield s


def validate(page: Any, stack: UiStack, definition: Dict[str, Any]) -> List[Dict[str, Any]]:
    if not page.url.endswith(dp.BLANK):
        page.goto(stack.url(dp.BLANK))
        page.wait_for_function("window.__DASHBOARD_PAGE_READY__ === true")
    return page.evaluate("d => window.validateDefinition(d)", definition)


# ---- Splunk's validator -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("view", dp.VIEWS)
def test_splunks_validator_passes_the_definition_as_shipped(page: Any, stack: UiStack, view: str) -> None:
    assert validate(page, stack, dd.definition(view)) == []


def _legacy_layout(d: Dict[str, Any]) -> None:
    tab = d["layout"]["layoutDefinitions"]["layout_1"]
    d["layout"] = dict(tab, globalInputs=d["layout"]["globalInputs"])


def _duplicate_token(d: Dict[str, Any]) -> None:
    first, second = list(d["inputs"])[:2]
    d["inputs"][second]["options"]["token"] = d["inputs"][first]["options"]["token"]


def _missing_visualization(d: Dict[str, Any]) -> None:
    del d["visualizations"][dd.layout_items(d)[1]]


def _unknown_type(d: Dict[str, Any]) -> None:
    d["visualizations"][dd.layout_items(d)[1]]["type"] = "splunk.no_such_chart"


@pytest.mark.parametrize("breakage, expected", [
    (_legacy_layout, "tabs"),  # the pre-tabs layout shape these views used to ship
    (_duplicate_token, "have the same token"),
    (_missing_visualization, "does not exist"),
    (_unknown_type, ""),
])
def test_the_validator_is_wired_in(page: Any, stack: UiStack, breakage: Any, expected: str) -> None:
    broken = copy.deepcopy(dd.definition(dp.VIEWS[0]))
    breakage(broken)
    errors = validate(page, stack, broken)
    assert errors, f"{breakage.__name__}: Splunk's validator accepted a broken definition"
    assert any(expected in (str(e.get("message", "")) + str(e.get("params", ""))) for e in errors), errors


# ---- rendering ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("view", dp.VIEWS)
def test_every_data_source_answers_and_every_panel_has_content(page: Any, stack: UiStack, guard: Any,
                                                                 view: str) -> None:
    guard.allowed_blocked.append(BASEMAP_TILES)
    since = open_dashboard(page, stack, view)
    for index, tab in enumerate(tabs(view)):
        jobs = show_tab(page, stack, view, index, since)
        failed = {ds: job.error for ds, job in jobs.items() if job.error}
        assert not failed, f"{view} / {tab.label}: searches failed in splsim: {failed}"
        empty = {viz_id: viz_type for viz_id, viz_type in tab.visualizations.items()
                 if panel_content(page, viz_id, viz_type) is None}
        assert not empty, f"{view} / {tab.label}: panels without content: {empty}"
        assert failure_markers(page) == []


def choose(page: Any, input_id: str, option: str) -> List[str]:
    """Pick an option of a dashboard dropdown; returns the options it offered."""
    page.locator(f'[data-input-id="{input_id}"]').locator('button, [role="combobox"]').first.click()
    page.get_by_role("option", name=option, exact=True).wait_for()
    offered = page.get_by_role("option").all_inner_texts()
    page.get_by_role("option", name=option, exact=True).click()
    return offered


def test_time_picker_reruns_every_search_with_the_chosen_range(page: Any, stack: UiStack, guard: Any) -> None:
    guard.allowed_blocked.append(BASEMAP_TILES)
    view = dp.VIEWS[0]
    open_dashboard(page, stack, view)
    since = len(stack.searches.jobs)
    page.locator('[data-input-id="input_time"]').locator("button").first.click()
    page.get_by_text("Last 24 hours", exact=True).first.click()
    jobs = wait_answered(page, stack, tabs(view)[0].sources, since=since)
    ranges = {(j.earliest, j.latest) for j in jobs.values()}
    assert ranges == {("-24h@h", "now")}, ranges


@pytest.mark.parametrize("input_id, option, in_spl", [
    ("input_account", "prod_account", 'source IN ("openai_audit://prod_org")'),
    ("input_input", "research_org", "openai_audit://research_org"),
])
def test_choosing_an_account_or_input_reruns_the_panels_with_it(page: Any, stack: UiStack, guard: Any,
                                                                input_id: str, option: str, in_spl: str) -> None:
    guard.allowed_blocked.append(BASEMAP_TILES)
    view = "openai_audit_overview"
    open_dashboard(page, stack, view)
    since = len(stack.searches.jobs)
    offered = choose(page, input_id, option)
    assert option in offered
    defn = dd.definition(view)
    token = defn["inputs"][input_id]["options"]["token"]
    filtered = [ds for ds, q in dd.queries(defn).items() if token in dd.tokens_in(q)]
    assert filtered, f"no search uses ${token}$"
    jobs = wait_answered(page, stack, filtered, since=since)
    missing = [ds for ds in filtered if in_spl not in jobs[ds].search]
    assert not missing, f"re-run without {in_spl}: {missing}"

