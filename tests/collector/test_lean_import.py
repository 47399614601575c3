"""The modular inputs import only the solnlib modules they use (oai_audit/lean_import.py), in the built add-on:
solnlib 7's own ``__init__`` would import all 19 of its modules (sortedcontainers and urllib3's retry among them).
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


@pytest.mark.parametrize("helper", ["openai_audit_helper", "openai_inventory_helper"])
def test_an_input_helper_loads_the_solnlib_modules_it_uses_and_not_the_rest(helper: str) -> None:
    require_build()
    full = _loaded("import solnlib.log, solnlib.conf_manager, solnlib.modular_input.checkpointer")  # plain imports
    lean = _loaded(f"import {helper}")
    assert full["version"] and lean["version"] == full["version"]
    for module in ("solnlib.log", "solnlib.conf_manager", "solnlib.modular_input.checkpointer"):
        assert module in lean["modules"]
    skipped = {"sortedcontainers", "solnlib.timer_queue", "solnlib.hec_config", "solnlib.modular_input.modular_input"}
    assert skipped <= set(full["modules"])
    assert not skipped & set(lean["modules"])


def test_skip_init_leaves_an_imported_package_alone() -> None:
    from oai_audit.lean_import import skip_init

    assert skip_init("json") is False  # already imported: nothing replaced
    assert skip_init("oai_audit.lean_import") is False
    assert sys.modules["json"].dumps is not None
