"""Run the built app's modular input script as a real process (XML on stdin, fake splunkd, simulator)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The built add-on (./build.sh); TA_OPENAI_AUDIT_APP may point at another built copy.
APP = Path(os.environ.get("TA_OPENAI_AUDIT_APP", str(ROOT / "output" / "TA-openai-audit")))
SCRIPT = APP / "bin" / "openai_audit.py"
COLLECTION = "ta_openai_audit_checkpoints"
EVENT_RE = re.compile(r"<event[^>]*>(.*?)</event>", re.S)
FIELD_RE = re.compile(r"<(time|source|sourcetype|index|data)>(.*?)</\1>", re.S)


def require_build() -> None:
    if not SCRIPT.is_file():
        pytest.skip(f"built add-on not found at {APP} (run ./build.sh)")


def parse_events(stdout: str) -> List[Dict[str, str]]:
    """Complete <event> elements of a (possibly cut) modular-input XML stream."""
    out = []
    for body in EVENT_RE.findall(stdout):
        out.append({k: unescape(v) for k, v in FIELD_RE.findall(body)})
    return out


class InputRunner:
    def __init__(self, fake: Any, home: Path, name: str = "in1") -> None:
        self.fake = fake
        self.home = home
        self.name = name
        (home / "var" / "log" / "splunk").mkdir(parents=True, exist_ok=True)
        self.checkpoint_dir = home / "var" / "lib" / "splunk" / "modinputs" / "openai_audit"
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)

    def xml(self, **params: Any) -> str:
        base = {"account": "acc", "index": "audit", "interval": "300"}
        base.update({k: str(v) for k, v in params.items()})
        return self.fake.modinput_xml(f"openai_audit://{self.name}", base, str(self.checkpoint_dir))

    def popen(self, **params: Any) -> "subprocess.Popen[bytes]":
        proc = subprocess.Popen([sys.executable, str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.fake.env(str(self.home)))
        assert proc.stdin is not None
        proc.stdin.write(self.xml(**params).encode())
        proc.stdin.close()
        return proc

    def run(self, timeout: float = 120, **params: Any) -> "subprocess.CompletedProcess[str]":
        return subprocess.run([sys.executable, str(SCRIPT)], input=self.xml(**params), capture_output=True,
                              text=True, env=self.fake.env(str(self.home)), timeout=timeout)

    @property
    def log_text(self) -> str:
        path = self.home / "var" / "log" / "splunk" / f"ta-openai-audit_{self.name}.log"
        return path.read_text() if path.exists() else ""

    def kv_state(self, key: str) -> Optional[Dict[str, Any]]:
        rec = self.fake.kvstore.get(COLLECTION, {}).get(key)
        return json.loads(rec["state"]) if rec else None

    def file_state(self, key: str) -> Optional[Dict[str, Any]]:
        path = self.checkpoint_dir / f"{key}.json"
        return json.loads(path.read_text()) if path.exists() else None
