"""Read the shipped Dashboard Studio views: their definition JSON, panel searches and input tokens.

The SPL of every panel lives once, in the ``dataSources`` of the definition inside
``package/default/data/ui/views/<name>.xml``; tests and the browser pages (``tests/ui``) read it
from there with these helpers, so what is tested and pictured is what ships.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
VIEWS_DIR = ROOT / "package" / "default" / "data" / "ui" / "views"
DASHBOARDS = ("openai_audit_overview", "openai_audit_collector_health", "openai_audit_inventory")
TOKEN_RE = re.compile(r"\$([A-Za-z_][\w.]*)\$")
TIME_TOKEN = "global_time"


@dataclass(frozen=True)
class Panel:
    viz_id: str
    title: str
    viz_type: str
    ds_id: str
    query: str


def view_path(name: str) -> Path:
    return VIEWS_DIR / f"{name}.xml"


def load_view(name: str) -> ET.Element:
    return ET.parse(str(view_path(name))).getroot()


def definition(name: str) -> Dict[str, Any]:
    """The Dashboard Studio definition (JSON in the ``<definition>`` CDATA) of a shipped view."""
    node = load_view(name).find("definition")
    if node is None or not (node.text or "").strip():
        raise ValueError(f"{name}: no <definition> element")
    return json.loads(node.text)


def queries(defn: Mapping[str, Any]) -> Dict[str, str]:
    """ds id -> SPL of every ``ds.search`` data source."""
    return {ds_id: ds["options"]["query"] for ds_id, ds in defn["dataSources"].items()
            if ds.get("type") == "ds.search"}


def layout_items(defn: Mapping[str, Any]) -> List[str]:
    """Visualization ids of every tab's layout (the tabs layout: ``layout.tabs.items`` -> ``layoutDefinitions``),
    in tab and structure order."""
    layout = defn["layout"]
    return [item["item"] for tab in layout["tabs"]["items"]
            for item in layout["layoutDefinitions"][tab["layoutId"]]["structure"]]


def panels(defn: Mapping[str, Any]) -> List[Panel]:
    """Every visualization fed by a search, in layout order."""
    order = layout_items(defn)
    qs = queries(defn)
    out = []
    for viz_id in order:
        viz = defn["visualizations"][viz_id]
        ds_id = viz.get("dataSources", {}).get("primary")
        if ds_id is None:
            continue
        out.append(Panel(viz_id, viz.get("title", viz_id), viz["type"], ds_id, qs[ds_id]))
    return out


def default_tokens(defn: Mapping[str, Any]) -> Dict[str, str]:
    """token -> default value of every input except the time picker."""
    out = {}
    for inp in defn["inputs"].values():
        opts = inp["options"]
        if inp["type"] != "input.timerange":
            out[opts["token"]] = str(opts["defaultValue"])
    return out


def time_range(defn: Mapping[str, Any]) -> List[str]:
    """[earliest, latest] default of the time picker."""
    for inp in defn["inputs"].values():
        if inp["type"] == "input.timerange":
            return inp["options"]["defaultValue"].split(",")
    raise ValueError("no time picker")


def tokens_in(query: str) -> List[str]:
    return TOKEN_RE.findall(query)


def substitute(query: str, tokens: Optional[Mapping[str, str]] = None) -> str:
    """Replace ``$tok$`` the way Dashboard Studio does; an unknown token is an error."""
    values = dict(tokens or {})

    def repl(m: "re.Match[str]") -> str:
        if m.group(1) not in values:
            raise KeyError(f"token ${m.group(1)}$ has no value")
        return values[m.group(1)]

    return TOKEN_RE.sub(repl, query)


def data_source_search(defn: Mapping[str, Any], ds_id: str,
                       tokens: Optional[Mapping[str, str]] = None) -> Tuple[str, str, str]:
    """What the dashboard runs for one data source: (SPL, earliest, latest), the query with the inputs' default
    tokens (``tokens`` override them) substituted, over the time picker's default range."""
    values = default_tokens(defn)
    values.update(tokens or {})
    earliest, latest = time_range(defn)
    return substitute(queries(defn)[ds_id], values), earliest, latest
