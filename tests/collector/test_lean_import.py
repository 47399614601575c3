"""The modular inputs import only the solnlib and splunklib modules they use (oai_audit/lean_import.py), in the built
add-on: solnlib 7's own ``__init__`` would import all 19 of its modules (sortedcontainers and urllib3's retry among
them), splunklib.modularinput's would import splunklib.client.
The real input runs end to end in test_modinput.py; this checks what it loads and that solnlib still sees its
``__version__`` (its REST client puts it in the User-Agent)."""
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
import solnlib
print(json.dumps({{"modules": sorted(sys.modules), "version": getattr(solnlib, "__version__", None)}}))
"""


def _loaded(imports: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(bin=str(APP / "bin"), imports=imports)],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


# What a modular input process no longer loads: splunklib.client (splunklib's Script imports it; the inputs reach
# splunkd through openai_audit_splunkd over splunklib.binding), solnlib's REST client, conf manager, credentials and
# checkpointer, and urllib3, which solnlib's REST client imports for its retry policy.
NOT_LOADED = {"splunklib.client", "splunklib.modularinput.script", "solnlib.conf_manager", "solnlib.credentials",
              "solnlib.splunk_rest_client", "solnlib.modular_input.checkpointer", "urllib3", "sortedcontainers",
              "solnlib.timer_queue"}


@pytest.mark.parametrize("helper", ["openai_audit_helper", "openai_inventory_helper"])
def test_an_input_helper_loads_the_modules_it_uses_and_not_the_rest(helper: str) -> None:
    require_build()
    full = _loaded("import solnlib.conf_manager, solnlib.modular_input.checkpointer, splunklib.modularinput")
    lean = _loaded(f"import {helper}")
    assert full["version"] and lean["version"] == full["version"]
    for module in ("solnlib.log", "splunklib.binding", "splunklib.data", "splunklib.modularinput.event_writer",
                   "splunklib.modularinput.input_definition", "httpx"):
        assert module in lean["modules"], module
    assert NOT_LOADED <= set(full["modules"])  # what the plain imports pull in ...
    assert not NOT_LOADED & set(lean["modules"])  # ... and an input does not


def test_skip_init_leaves_an_imported_package_alone() -> None:
    from oai_audit.lean_import import skip_init

    assert skip_init("json") is False  # already imported: nothing replaced
    assert skip_init("oai_audit.lean_import") is False
    assert sys.modules["json"].dumps is not None
