"""Our modular input entry scripts (package/bin/openai_audit.py, openai_inventory.py, run by
openai_audit_modinput.main) against the ones ucc-gen would have generated: UCC's own generator
(``splunk_add_on_ucc_framework.commands.build._add_modular_input``, third-party code, run in the build venv) writes
its scripts from our globalConfig.json into a copy of the built add-on, and both versions answer splunkd's three
invocations (``--scheme``, ``--validate-arguments``, an unknown argument) byte for byte the same. Streaming is
covered by the real input runs (tests/collector/test_modinput.py, tests/inventory)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest

from fake_splunkd.modinput import validation_xml

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
BUILD_PY = ROOT / ".venv" / "build" / "bin" / "python"
INPUTS = ("openai_audit", "openai_inventory")
GENERATE = """
import sys
from splunk_add_on_ucc_framework import global_config as gc_lib
from splunk_add_on_ucc_framework.commands.build import _add_modular_input
gc_path, out = sys.argv[1], sys.argv[2]
config = gc_lib.GlobalConfig.from_file(gc_path)
config.expand()
_add_modular_input(config.product, config, out, gc_path)
"""


@pytest.fixture(scope="module")
def ucc_app(built_app: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built add-on whose entry scripts are the ones ucc-gen generates."""
    if not BUILD_PY.is_file():
        pytest.fail(f"{BUILD_PY} missing: ./build.sh creates the build venv with ucc-gen")
    generated = tmp_path_factory.mktemp("generated")
    (generated / built_app.name / "bin").mkdir(parents=True)
    # it also writes a stub of each input's helper module, which the build's copy of package/ then replaces
    subprocess.run([str(BUILD_PY), "-c", GENERATE, str(ROOT / "globalConfig.json"), str(generated)], check=True,
                   capture_output=True, text=True, timeout=120)
    app = tmp_path_factory.mktemp("ucc") / built_app.name
    shutil.copytree(built_app, app)
    for name in INPUTS:
        script = generated / built_app.name / "bin" / f"{name}.py"
        assert "smi.Script" in script.read_text(), "ucc-gen's template changed"
        shutil.copyfile(script, app / "bin" / f"{name}.py")
    return app


def _run(app: Path, name: str, *args: str, stdin: str = "") -> Tuple[int, str]:
    res = subprocess.run([sys.executable, "-B", str(app / "bin" / f"{name}.py"), *args], input=stdin,
                         capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout


@pytest.mark.parametrize("name", INPUTS)
def test_scheme_is_the_one_ucc_gen_generates(built_app: Path, ucc_app: Path, name: str) -> None:
    ours, theirs = _run(built_app, name, "--scheme"), _run(ucc_app, name, "--scheme")
    assert theirs[0] == 0 and "<scheme>" in theirs[1]
    assert ours == theirs


@pytest.mark.parametrize("name", INPUTS)
@pytest.mark.parametrize("params", [
    {"account": "a", "interval": "300"},  # accepted
    {"account": "a", "interval": "30"},  # refused: below the minimum
    {"account": "a", "interval": "0 * * * *"},  # refused: a cron schedule
])
def test_validation_answers_as_the_generated_script(built_app: Path, ucc_app: Path, name: str,
                                                    params: Dict[str, str]) -> None:
    xml = validation_xml("prod", params, server_uri="https://127.0.0.1:1", session_key="x", checkpoint_dir="/tmp")
    ours, theirs = _run(built_app, name, "--validate-arguments", stdin=xml), \
        _run(ucc_app, name, "--validate-arguments", stdin=xml)
    assert ours == theirs
    assert (theirs[0] == 0) == (params["interval"] == "300"), theirs


def test_unknown_arguments_fail_as_in_the_generated_script(built_app: Path, ucc_app: Path) -> None:
    ours, theirs = _run(built_app, "openai_audit", "--nonsense"), _run(ucc_app, "openai_audit", "--nonsense")
    assert ours == theirs and theirs[0] == 1
