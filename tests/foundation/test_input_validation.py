"""The built input script's external validation (splunkd runs `openai_audit.py --validate-arguments` with the
new input's parameters on stdin): bad values are refused with a message, good ones accepted."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

pytestmark = pytest.mark.build


def _validate(app: Path, params: dict) -> subprocess.CompletedProcess:
    items = "".join(f'<param name="{k}">{escape(v)}</param>' for k, v in params.items())
    xml = ("<items><server_host>h</server_host><server_uri>https://127.0.0.1:1</server_uri>"
           "<session_key>x</session_key><checkpoint_dir>/tmp</checkpoint_dir>"
           f'<item name="prod">{items}</item></items>')
    return subprocess.run([sys.executable, "-B", str(app / "bin" / "openai_audit.py"), "--validate-arguments"],
                          input=xml, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("params, message", [
    ({"account": "a", "interval": "300", "start_date": "2999-01-01"}, "in the future"),
    ({"account": "a", "interval": "300", "start_date": "last week"}, "ISO-8601"),
    ({"account": "a", "interval": "30"}, "from 60 to 86400"),
    ({"account": "a", "interval": "abc"}, "from 60 to 86400"),
])
def test_bad_values_are_refused_with_a_message(built_app: Path, params: dict, message: str) -> None:
    res = _validate(built_app, params)
    assert res.returncode != 0
    assert "<error><message>" in res.stdout and message in res.stdout, res.stdout + res.stderr[-1000:]


def test_good_values_are_accepted(built_app: Path) -> None:
    res = _validate(built_app, {"account": "a", "interval": "300", "start_date": "2026-01-01T00:00:00Z"})
    assert res.returncode == 0, res.stdout + res.stderr[-1000:]
    assert "<error>" not in res.stdout
