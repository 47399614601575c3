"""ucc-gen build hook (runs after the add-on is assembled in output/): trims what must not ship."""
from __future__ import annotations

import shutil
from pathlib import Path

LICENSE_WORDS = ("licen", "copying", "notice", "authors")


def _is_license(path: Path) -> bool:
    return any(word in part.lower() for part in path.parts for word in LICENSE_WORDS)


def cleanup_output_files(output_path: str, ta_name: str) -> None:
    """Drop byte-code and the pip metadata of vendored packages (RECORD, METADATA, ...); their licence
    files stay. Keeps lib/ within its 1.5 MB gzipped budget (tests/foundation/test_package.py)."""
    app = Path(output_path) / ta_name
    for cache in list(app.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    for pyc in app.rglob("*.pyc"):
        pyc.unlink()
    for info in (app / "lib").glob("*.dist-info"):
        for path in sorted(info.rglob("*"), reverse=True):
            if path.is_file() and not _is_license(path.relative_to(info)):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(info.iterdir()):
            info.rmdir()
