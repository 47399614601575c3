"""Copy the admin's guide from README.md (its ``admin-guide`` marker block) to ``package/README.txt``.

README.md is the one place the guide is edited; ``package/README.txt`` is the copy that ships inside the
add-on (``app.manifest`` names it as the release notes, Splunk shows it with the app).
Usage: ``python tools/sync_admin_guide.py`` (write) or ``--check`` (exit 1 if the copy is stale).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TARGET = ROOT / "package" / "README.txt"
BEGIN, END = "<!-- BEGIN admin-guide -->", "<!-- END admin-guide -->"
HEADER = ("OpenAI Audit Add-on for Splunk (TA-openai-audit): admin's guide\n"
          "(copied from README.md by tools/sync_admin_guide.py; Markdown)\n\n")


def guide_block(readme_text: str) -> str:
    start = readme_text.index(BEGIN) + len(BEGIN)
    return readme_text[start:readme_text.index(END, start)].strip() + "\n"


def rendered() -> str:
    return HEADER + guide_block(README.read_text(encoding="utf-8"))


def main(argv: "list[str] | None" = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="only compare, exit 1 when stale")
    args = ap.parse_args(argv)
    text = rendered()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else None
    if args.check:
        if current != text:
            print(f"{TARGET} is stale: run python tools/sync_admin_guide.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
