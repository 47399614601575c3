"""Fixtures every test directory shares."""
from __future__ import annotations

from pathlib import Path

import pytest

BUILT_APP = Path(__file__).resolve().parents[1] / "output" / "TA-openai-audit"


@pytest.fixture(scope="session")
def built_app() -> Path:
    """The add-on as ./build.sh leaves it; a test that needs it fails, naming the command, when it is missing."""
    if not (BUILT_APP / "app.manifest").is_file():
        pytest.fail("output/TA-openai-audit is missing: run ./build.sh first (scripts/test.sh does)")
    return BUILT_APP
