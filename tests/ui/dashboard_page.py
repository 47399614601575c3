"""The Dashboard Studio test page: the shipped view's definition rendered by Splunk's own packages (the esbuild
bundle of ``tests/ui/js/dashboard.jsx``), served by the Splunk Web stand-in at ``/en-US/app/<app>/<view>``.

``VIEWS`` lists the dashboards the render tests and the screenshots cover: adding a dashboard is one entry here
(its view name in ``tools/dashboard_defs.DASHBOARDS``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import dashboard_defs as dd

UI_DIR = Path(__file__).resolve().parent
DIST = UI_DIR / "dist"
BUNDLE = DIST / "dashboard.js"
STATIC_PREFIX = "ui-tests/"
VIEWS = dd.DASHBOARDS
BLANK = "dashboard_blank"  # the bundle without a definition: for window.validateDefinition


def html(definition: Mapping[str, Any], build: str, title: str = "") -> str:
    """The page: Splunk Web's ``window.$C`` (config script), the definition, the bundle and its stylesheet."""
    payload = json.dumps(definition or None).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="../../config?autoload=1"></script>
<link rel="stylesheet" href="../../static/@{build}/{STATIC_PREFIX}dashboard.css">
<style>html, body, #root {{ margin: 0; height: 100%; }}</style>
</head><body><div id="root"></div>
<script>window.__DEFINITION__ = {payload};</script>
<script src="../../static/@{build}/{STATIC_PREFIX}dashboard.js"></script>
</body></html>
"""


def require_bundle() -> Path:
    if not BUNDLE.is_file():
        raise FileNotFoundError(f"{BUNDLE} is missing: run bash scripts/ui_prereqs.sh (npm ci + node build.mjs in tests/ui)")
    return BUNDLE


def install(web: Any, views: Any = VIEWS) -> None:
    """Serve the bundle and one page per view (its shipped definition) on a SplunkWeb stand-in."""
    require_bundle()
    web.static_dirs[STATIC_PREFIX] = DIST
    for view in views:
        web.pages[view] = html(dd.definition(view), web.build, view)
    web.pages[BLANK] = html({}, web.build, "validator")
