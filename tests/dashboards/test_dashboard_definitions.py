"""The shipped dashboards, nav, icons and guide are well-formed and hang together (no Splunk needed)."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import dashboard_defs as dd
import sync_admin_guide

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "package"

# Panels the issue asks for, matched on each dashboard's panel titles (lower case).
REQUIRED_PANELS = {
    "openai_audit_overview": ["events over time by category", "admin and configuration changes", "top actors",
                              "by country", "asn", "api key and service account lifecycle", "ja3/ja4",
                              "detections that fired"],
    "openai_audit_collector_health": ["last successful poll", "events ingested", "lag", "pages", "retries",
                                      "429", "errors"],
    "openai_audit_inventory": ["members and roles", "owners", "service accounts with the owner role",
                               "not used for 90 days", "removed actors seen acting"],  # issue 15 §4
}
# Per dashboard: the titles of its filter inputs, the token every panel search uses, and the searches exempt from
# it. Detections are about the whole organization; the inventory's KV records are per account (no input), and its
# removed-actors panel reads audit events, whose account is known only through their input.
FILTERS = {
    "openai_audit_overview": ({"input", "account", "time range"}, "input", {"ds_detections"}),
    "openai_audit_collector_health": ({"input", "account", "time range"}, "input", set()),
    "openai_audit_inventory": ({"account", "time range (audit events)"}, "account", {"ds_removed_acting"}),
}


@pytest.fixture(params=dd.DASHBOARDS)
def name(request: pytest.FixtureRequest) -> str:
    return request.param


def test_view_is_dashboard_studio_v2(name: str) -> None:
    root = dd.load_view(name)
    assert root.tag == "dashboard" and root.get("version") == "2"
    assert (root.findtext("label") or "").strip()
    defn = dd.definition(name)
    assert defn["title"] and set(defn) >= {"dataSources", "visualizations", "layout", "inputs", "defaults"}


def test_required_panels_present(name: str) -> None:
    titles = " | ".join(p.title.lower() for p in dd.panels(dd.definition(name)))
    missing = [want for want in REQUIRED_PANELS[name] if want not in titles]
    assert missing == [], f"{name}: no panel titled with {missing}; panels: {titles}"


def test_every_reference_resolves(name: str) -> None:
    defn = dd.definition(name)
    layout_items = dd.layout_items(defn)
    assert sorted(layout_items) == sorted(defn["visualizations"]), "every visualization is laid out exactly once"
    assert set(defn["layout"]["globalInputs"]) == set(defn["inputs"])
    used = set()
    for owner in list(defn["visualizations"].values()) + list(defn["inputs"].values()):
        for ds_id in owner.get("dataSources", {}).values():
            assert ds_id in defn["dataSources"], f"unknown data source {ds_id}"
            used.add(ds_id)
    assert used == set(defn["dataSources"]), f"unused data sources: {set(defn['dataSources']) - used}"


def test_time_picker_drives_every_search(name: str) -> None:
    defn = dd.definition(name)
    params = defn["defaults"]["dataSources"]["ds.search"]["options"]["queryParameters"]
    assert params == {"earliest": f"${dd.TIME_TOKEN}.earliest$", "latest": f"${dd.TIME_TOKEN}.latest$"}
    pickers = [i for i in defn["inputs"].values() if i["type"] == "input.timerange"]
    assert len(pickers) == 1 and pickers[0]["options"]["token"] == dd.TIME_TOKEN
    for ds in defn["dataSources"].values():  # no data source overrides the time range
        assert "queryParameters" not in ds.get("options", {})


def test_input_and_account_filters(name: str) -> None:
    defn = dd.definition(name)
    filters, token, exempt = FILTERS[name]
    titles = {i["title"].lower() for i in defn["inputs"].values()}
    assert filters <= titles
    tokens = dd.default_tokens(defn)
    for panel in dd.panels(defn):
        used = set(dd.tokens_in(panel.query))
        assert (token in used) != (panel.ds_id in exempt), f"{panel.title}: filtered by {token}: {token in used}"
        assert used <= set(tokens), f"{panel.title}: token without an input: {used - set(tokens)}"


def test_map_panel_reads_coordinates_its_search_returns() -> None:
    defn = dd.definition("openai_audit_overview")
    maps = [v for v in defn["visualizations"].values() if v["type"] == "splunk.map"]
    assert len(maps) == 1
    layer = maps[0]["options"]["layers"][0]
    query = defn["dataSources"][maps[0]["dataSources"]["primary"]]["options"]["query"]
    for series in ("lat", "lon"):
        assert f"seriesByName('{series}')" in (layer["latitude"] + layer["longitude"])
        assert f" as {series}" in query


def test_nav_lists_inputs_configuration_dashboards_search() -> None:
    nav = ET.parse(str(PACKAGE / "default/data/ui/nav/default.xml")).getroot()
    views = [v.get("name") for v in nav.iter("view")]
    assert views == ["inputs", "configuration", *dd.DASHBOARDS, "search"]
    assert [v.get("name") for v in nav.iter("view") if v.get("default") == "true"] == ["inputs"]
    for name in dd.DASHBOARDS:
        assert dd.view_path(name).is_file()


def _png_size(path: Path) -> tuple:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("file_name,size", [("appIcon.png", 36), ("appIconAlt.png", 36),
                                            ("appIcon_2x.png", 72), ("appIconAlt_2x.png", 72)])
def test_app_icons_have_appinspect_sizes(file_name: str, size: int) -> None:
    assert _png_size(PACKAGE / "static" / file_name) == (size, size)


def test_shipped_readme_is_the_admin_guide() -> None:
    assert sync_admin_guide.main(["--check"]) == 0, "package/README.txt is stale: run tools/sync_admin_guide.py"
    guide = (PACKAGE / "README.txt").read_text(encoding="utf-8")
    for topic in ("heavy forwarder", "api.audit_logs.read", "audit logging", "backfill", "429", "401", "403",
                  "clock skew", "upgrading", "tuning the detections", "no data"):
        assert topic in guide.lower(), f"admin guide lacks {topic!r}"


def test_admin_guide_searches_name_real_log_text() -> None:
    """The troubleshooting searches look for text the collector really logs."""
    guide = (PACKAGE / "README.txt").read_text(encoding="utf-8")
    client = (PACKAGE / "bin/oai_audit/client.py").read_text(encoding="utf-8")
    poller = (PACKAGE / "bin/oai_audit/poller.py").read_text(encoding="utf-8")
    for text in ('"HTTP 401"', '"HTTP 403"', '"HTTP 429"'):
        assert text in guide and text.strip('"') in client
    assert '"run summary"' in guide and "run summary stream=" in poller
