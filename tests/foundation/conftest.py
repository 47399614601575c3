from __future__ import annotations

import json
from pathlib import Path

import pytest

from foundation_support import APP, ROOT


def _version() -> str:
    return json.loads((ROOT / "globalConfig.json").read_text())["meta"]["version"]


@pytest.fixture(scope="session")
def spl_path() -> Path:
    spl = ROOT / "dist" / f"{APP}-{_version()}.spl"
    if not spl.is_file():
        pytest.fail(f"{spl.relative_to(ROOT)} is missing: run ./build.sh first")
    return spl


@pytest.fixture(scope="session")
def global_config() -> dict:
    return json.loads((ROOT / "globalConfig.json").read_text())
