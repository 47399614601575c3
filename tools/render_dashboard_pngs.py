"""Picture each shipped dashboard with demo data: run its panel searches (read from the view XML) in the offline
engine over ``dashboard_demo`` data and draw the results with matplotlib, laid out as the dashboard lays them out.

    python -m venv .venv/render && .venv/render/bin/pip install -r tools/requirements-render.txt
    PYTHONPATH=package/bin:tools .venv/render/bin/python tools/render_dashboard_pngs.py   # -> docs/images/*.png

Not a screenshot of Splunk: the same searches and layout, drawn by matplotlib ("example with demo data").
"""
from __future__ import annotations

import argparse
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import dashboard_defs as dd  # noqa: E402
import dashboard_demo as demo  # noqa: E402
from splsim import Engine  # noqa: E402

OUT_DIR = dd.ROOT / "docs" / "images"
NOW = 1_795_000_000  # fixed so the pictures are reproducible
PALETTE = ["#7B56DB", "#009CEB", "#00CDAF", "#DD9900", "#FF677B", "#CB2196", "#813193", "#0051B5", "#008C80",
           "#99B100", "#FFA476", "#FF6ACE", "#AE8CFF"]
Rows = List[Dict[str, Any]]


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _series(rows: Rows) -> List[str]:
    names: List[str] = []
    for r in rows:
        names += [k for k in r if k != "_time" and k not in names]
    return names


def _times(rows: Rows) -> List[datetime]:
    return [datetime.fromtimestamp(int(r["_time"]), tz=timezone.utc) for r in rows]


def _time_axis(ax: Axes) -> None:
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", alpha=0.3)


def draw_column(ax: Axes, rows: Rows, viz: Mapping[str, Any]) -> None:
    """Stacked columns when the viz says stackMode=stacked, else grouped (Splunk's default)."""
    times, names = _times(rows), _series(rows)
    step = (times[1] - times[0]).total_seconds() / 86400 if len(times) > 1 else 0.1
    stacked = viz.get("options", {}).get("stackMode") == "stacked"
    width = step * 0.8 / (1 if stacked else max(1, len(names)))
    bottom = [0.0] * len(rows)
    for i, name in enumerate(names):
        vals = [_num(r.get(name)) for r in rows]
        xs = times if stacked else [mdates.date2num(x) + (i - (len(names) - 1) / 2) * width for x in times]
        ax.bar(xs, vals, width=width, bottom=bottom if stacked else None, label=name,
               color=PALETTE[i % len(PALETTE)])
        if stacked:
            bottom = [b + v for b, v in zip(bottom, vals)]
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    _time_axis(ax)


def draw_line(ax: Axes, rows: Rows, viz: Mapping[str, Any]) -> None:
    times = _times(rows)
    for i, name in enumerate(_series(rows)):
        ax.plot(times, [_num(r.get(name)) for r in rows], label=name, color=PALETTE[i % len(PALETTE)], linewidth=1.5)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    _time_axis(ax)


def draw_bar(ax: Axes, rows: Rows, viz: Mapping[str, Any]) -> None:
    label_field, value_field = (viz["options"][k].split("'")[1] for k in ("x", "y"))
    rows = list(reversed(rows))
    ax.barh([str(r[label_field]) for r in rows], [_num(r[value_field]) for r in rows], color=PALETTE[0])
    ax.tick_params(labelsize=7)
    ax.set_xlabel(value_field, fontsize=7)
    ax.grid(axis="x", alpha=0.3)


def draw_map(ax: Axes, rows: Rows, viz: Mapping[str, Any]) -> None:
    """Bubbles at the searched lat/lon (no base map offline: a graticule instead)."""
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 80)
    ax.set_facecolor("#EEF3F7")
    ax.grid(alpha=0.4)
    ax.tick_params(labelsize=6)
    colors = viz["options"]["layers"][0]["seriesColors"]
    for r in rows:
        lon, lat = _num(r["lon"]), _num(r["lat"])
        ok, bad = _num(r.get("succeeded")), _num(r.get("failed"))
        ax.scatter([lon], [lat], s=40 * (ok + bad), color=colors[0], alpha=0.55, edgecolors="none")
        ax.scatter([lon], [lat], s=40 * bad, color=colors[1], alpha=0.8, edgecolors="none")
        ax.annotate(f"{r.get('src_country', '')} {int(ok)}/{int(bad)}", (lon, lat), fontsize=6,
                    xytext=(4, 4), textcoords="offset points")
    ax.scatter([], [], color=colors[0], label="succeeded (bubble = all logins)")
    ax.scatter([], [], color=colors[1], label="failed")
    ax.legend(fontsize=6, loc="lower left")


def _cell(v: Any, width: int) -> str:
    text = ", ".join(v) if isinstance(v, list) else str(v)
    return text if len(text) <= width else text[: width - 1] + "…"


def _column_widths(cols: Sequence[str], rows: Rows, budget: int) -> List[int]:
    """Characters per column: each column's longest text, the longest ones shortened until all fit the budget."""
    widths = [max([len(c)] + [len(_cell(r.get(c, ""), 10_000)) for r in rows]) for c in cols]
    while sum(widths) > budget and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    return widths


def draw_table(ax: Axes, rows: Rows, viz: Mapping[str, Any], max_rows: int = 9) -> None:
    ax.axis("off")
    if not rows:
        ax.text(0.5, 0.5, "No results", ha="center", va="center", fontsize=9, color="#666")
        return
    cols = _series(rows)[:12]
    shown = rows[:max_rows]
    widths = _column_widths(cols, shown, budget=int(ax.get_position().width * 230))
    cells = [[_cell(r.get(c, ""), w) for c, w in zip(cols, widths)] for r in shown]
    height = min(1.0, 0.1 * (len(shown) + 1))
    table = ax.table(cellText=cells, colLabels=cols, cellLoc="left", colLoc="left",
                     bbox=(0.0, 1.0 - height, 1.0, height))
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.auto_set_column_width(list(range(len(cols))))
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#DDD")
        if row == 0:
            cell.set_facecolor("#F2F2F2")
            cell.set_text_props(fontweight="bold")
    if len(rows) > max_rows:
        ax.text(1.0, 1.0 - height - 0.02, f"{len(rows)} rows, first {max_rows} shown", ha="right", va="top",
                fontsize=7, color="#666", transform=ax.transAxes)


def draw_markdown(ax: Axes, text: str, chars: int) -> None:
    ax.axis("off")
    plain = text.replace("**", "").replace("`", "")
    ax.text(0.0, 1.0, "\n".join(textwrap.wrap(plain, chars)), va="top", ha="left", fontsize=8, color="#444",
            transform=ax.transAxes)


DRAW: Dict[str, Callable[[Axes, Rows, Mapping[str, Any]], None]] = {
    "splunk.column": draw_column, "splunk.line": draw_line, "splunk.bar": draw_bar, "splunk.map": draw_map,
    "splunk.table": draw_table,
}


def panel_results(engine: Engine, events: list, name: str) -> Dict[str, Rows]:
    """ds id -> rows, for every search of the dashboard, with its default tokens and time range."""
    defn = dd.definition(name)
    tokens = dd.default_tokens(defn)
    earliest, latest = dd.time_range(defn)
    return {ds_id: engine.search(dd.substitute(q, tokens), events, now=NOW, earliest=earliest, latest=latest)
            for ds_id, q in dd.queries(defn).items()}


def render(name: str, results: Mapping[str, Rows], out: Path) -> None:
    defn = dd.definition(name)
    layout = defn["layout"]
    total_w = layout["options"]["width"]
    total_h = max(i["position"]["y"] + i["position"]["h"] for i in layout["structure"]) + 60
    fig_w = 18.0
    fig = plt.figure(figsize=(fig_w, fig_w * total_h / total_w), dpi=90)
    fig.text(0.01, 1 - 25 / total_h, f"{defn['title']}  —  example with demo data (offline engine, not Splunk)",
             fontsize=14, fontweight="bold", va="center")
    for item in layout["structure"]:
        viz = defn["visualizations"][item["item"]]
        p = item["position"]
        pad_x, pad_top, pad_bottom = (12, 6, 6) if viz["type"] == "splunk.markdown" else (12, 34, 28)
        rect = ((p["x"] + pad_x) / total_w, 1 - (p["y"] + 60 + p["h"] - pad_bottom) / total_h,
                (p["w"] - 2 * pad_x) / total_w, (p["h"] - pad_top - pad_bottom) / total_h)
        ax = fig.add_axes(rect)
        if viz["type"] == "splunk.markdown":
            draw_markdown(ax, viz["options"]["markdown"], chars=int(p["w"] / 6.5))
            continue
        ax.set_title(viz.get("title", ""), fontsize=9, loc="left", fontweight="bold")
        box = ax.get_position()
        if viz["type"] in ("splunk.column", "splunk.line"):  # legend outside: keep room on the right
            ax.set_position((box.x0, box.y0, box.width * 0.84, box.height))
        elif viz["type"] == "splunk.bar":  # category labels inside the panel
            ax.set_position((box.x0 + box.width * 0.35, box.y0, box.width * 0.62, box.height))
        DRAW[viz["type"]](ax, results[viz["dataSources"]["primary"]], viz)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(out), dpi=90, facecolor="white")
    plt.close(fig)


def main(argv: Sequence[str] = ()) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(list(argv))
    engine = Engine(app_dir=str(dd.ROOT / "package"))
    data = demo.dataset(NOW)
    events = [engine.make_event(e.raw, sourcetype=e.sourcetype, source=e.source, index=e.index, host=e.host,
                                time=e.time) for kind in data.values() for e in kind]
    for name in dd.DASHBOARDS:
        out = args.out / f"{name}.png"
        render(name, panel_results(engine, events, name), out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
