"""AppInspect (precert, cloud tags) on the built .spl: 0 failure, 0 error, 0 future_failure,
and every remaining warning explained in README.md."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from foundation_support import ROOT

pytestmark = [pytest.mark.build, pytest.mark.appinspect]
APPINSPECT = ROOT / ".venv" / "build" / "bin" / "splunk-appinspect"


@pytest.fixture(scope="module")
def report(spl_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not APPINSPECT.exists():
        pytest.fail("splunk-appinspect missing: ./build.sh installs it into .venv/build")
    out = tmp_path_factory.mktemp("appinspect") / "report.json"
    res = subprocess.run(
        [str(APPINSPECT), "inspect", str(spl_path), "--mode", "precert", "--included-tags", "cloud",
         "--data-format", "json", "--output-file", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert out.is_file(), res.stdout[-2000:] + res.stderr[-2000:]
    return json.loads(out.read_text())


def _checks(report: dict, result: str) -> list[str]:
    return [c["name"] for r in report["reports"] for g in r["groups"] for c in g["checks"] if c["result"] == result]


def test_no_failures_errors_or_future_failures(report: dict) -> None:
    summary = report["summary"]
    print("AppInspect summary:", summary)
    bad = {k: _checks(report, k) for k in ("failure", "error", "future_failure")}
    assert summary["failure"] == 0 and summary["error"] == 0 and summary["future_failure"] == 0, bad


def test_every_warning_is_explained_in_readme(report: dict) -> None:
    readme = (ROOT / "README.md").read_text()
    unexplained = [name for name in _checks(report, "warning") if f"`{name}`" not in readme]
    assert unexplained == [], f"AppInspect warnings not explained in README.md: {unexplained}"
