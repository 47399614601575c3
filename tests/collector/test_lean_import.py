"""What a modular input process imports, in the built add-on: not splunklib.client (splunklib's Script imports it;
the inputs reach splunkd through openai_audit_splunkd over splunklib.binding, oai_audit/lean_import.py keeps
splunklib.modularinput's ``__init__`` from running), and no solnlib module at all: not its REST client, conf
manager, credentials or checkpointer (nor urllib3, which that REST client imports), and not solnlib.log, whose
solnlib.splunkenv imports subprocess, configparser and, inside Splunk, Splunk's splunk.rest (openai_audit_log writes
the same lines). The real input runs end to end in test_modinput.py; this checks what it loads."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from modinput_support import APP, require_build

PROBE = """
import json, sys
sys.path.insert(0, {bin!r})
import import_declare_test
{imports}
print(json.dumps({{"modules": sorted(sys.modules)}}))
"""

NOT_LOADED = {"splunklib.client", "splunklib.modularinput.script", "solnlib", "solnlib.log", "solnlib.splunkenv",
              "solnlib.conf_manager", "solnlib.credentials", "solnlib.splunk_rest_client",
              "solnlib.modular_input.checkpointer", "urllib3", "sortedcontainers", "configparser"}


def _loaded(imports: str) -> set:
    out = subprocess.run([sys.executable, "-c", PROBE.format(bin=str(APP / "bin"), imports=imports)],
                         capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(out.stdout)["modules"])


@pytest.mark.parametrize("entry, helper", [("openai_audit_modinput", "openai_audit_helper"),
                                           ("openai_audit_modinput", "openai_inventory_helper")])
def test_an_input_process_loads_the_modules_it_uses_and_not_the_rest(entry: str, helper: str) -> None:
    require_build()
    full = _loaded("import solnlib.log, solnlib.conf_manager, solnlib.modular_input.checkpointer, "
                   "splunklib.modularinput")  # what the plain imports pull in ...
    lean = _loaded(f"import {entry}, {helper}")  # ... and what an entry script's imports do
    for module in ("openai_audit_log", "splunklib.binding", "splunklib.data", "splunklib.modularinput.event_writer",
                   "splunklib.modularinput.input_definition", "httpx", "logging.handlers"):
        assert module in lean, module
    assert NOT_LOADED <= full
    assert not NOT_LOADED & lean, sorted(NOT_LOADED & lean)


def test_skip_init_leaves_an_imported_package_alone() -> None:
    from oai_audit.lean_import import skip_init

    assert skip_init("json") is False  # already imported: nothing replaced
    assert skip_init("oai_audit.lean_import") is False
    assert sys.modules["json"].dumps is not None
