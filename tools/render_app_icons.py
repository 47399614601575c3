"""Draw the app icons (``package/static/appIcon*.png``) at the sizes AppInspect checks.

appIcon.png / appIconAlt.png are 36x36, the ``_2x`` variants 72x72 (``check_app_icon`` family in AppInspect's
packaging checks). The main icon is a green tile with a white audit-log glyph; the Alt icon (used on dark
backgrounds) is the white glyph on a transparent background.
Needs matplotlib (``pip install -r tools/requirements-render.txt``); run ``python tools/render_app_icons.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

STATIC = Path(__file__).resolve().parent.parent / "package" / "static"
GREEN = "#10A37F"
SIZES = {"appIcon.png": (36, False), "appIcon_2x.png": (72, False),
         "appIconAlt.png": (36, True), "appIconAlt_2x.png": (72, True)}


def draw(path: Path, pixels: int, alt: bool) -> None:
    dpi = 72
    fig = plt.figure(figsize=(pixels / dpi, pixels / dpi), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    fig.patch.set_alpha(0)
    if not alt:
        ax.add_patch(FancyBboxPatch((0.04, 0.04), 0.92, 0.92, boxstyle="round,pad=0,rounding_size=0.18",
                                    facecolor=GREEN, edgecolor="none"))
    ink = "white"
    ax.text(0.5, 0.66, "AI", color=ink, ha="center", va="center", fontsize=pixels * 0.42,
            fontweight="bold", family="DejaVu Sans")
    for i, width in enumerate((0.56, 0.44, 0.5)):  # three "log lines"
        y = 0.36 - i * 0.11
        ax.plot([0.22, 0.22 + width], [y, y], color=ink, linewidth=pixels / 24, solid_capstyle="round")
    fig.savefig(str(path), dpi=dpi, transparent=True)
    plt.close(fig)


def main() -> int:
    for name, (pixels, alt) in SIZES.items():
        draw(STATIC / name, pixels, alt)
        print(f"wrote {STATIC / name} ({pixels}x{pixels})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
