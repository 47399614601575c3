"""Run the built app's openai_inventory modular input as a real process against the simulator and the fake
splunkd's KV store (collections created from the built app's collections.conf, as at install)."""
from __future__ import annotations

import configparser
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

from modinput_support import APP, parse_events

SCRIPT = APP / "bin" / "openai_inventory.py"
KEY = "sk-admin-inventory-test-0123456789"


def app_collections() -> List[str]:
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(APP / "default" / "collections.conf")
    return cp.sections()


class InventoryRunner:
    def __init__(self, fake: Any, home: Path, name: str = "inv1") -> None:
        self.fake, self.home, self.name = fake, home, name
        for coll in app_collections():
            fake.create_collection(coll)
        (home / "var" / "log" / "splunk").mkdir(parents=True, exist_ok=True)
        self.checkpoint_dir = home / "var" / "lib" / "splunk" / "modinputs" / "openai_inventory"
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)

    def run(self, timeout: float = 120, **params: Any) -> "subprocess.CompletedProcess[str]":
        base = {"account": "acc", "index": "inventory", "interval": "3600"}
        base.update({k: str(v) for k, v in params.items()})
        xml = self.fake.modinput_xml(f"openai_inventory://{self.name}", base, str(self.checkpoint_dir))
        return subprocess.run([sys.executable, str(SCRIPT)], input=xml, capture_output=True, text=True,
                              env=self.fake.env(str(self.home)), timeout=timeout)

    def events(self, proc: "subprocess.CompletedProcess[str]") -> List[Dict[str, Any]]:
        out = []
        for ev in parse_events(proc.stdout):
            assert ev["sourcetype"] == "openai:inventory" and ev["source"] == f"openai_inventory://{self.name}"
            out.append(dict(json.loads(ev["data"]), _time=ev["time"], _index=ev["index"]))
        return out

    def records(self, collection: str) -> Dict[str, Dict[str, Any]]:
        return dict(self.fake.kvstore.get("openai_audit_" + collection, {}))

    @property
    def log_text(self) -> str:
        path = self.home / "var" / "log" / "splunk" / f"ta-openai-audit_inventory_{self.name}.log"
        return path.read_text() if path.exists() else ""
