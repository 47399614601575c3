#!/usr/bin/env python3
"""Inventory benchmark (issue 15): one organization snapshot of 5,000 users, 200 projects and 2,000 project keys
from the local simulator on 127.0.0.1. Prints numbers; not a test.

    .venv/py3.13/bin/python benchmarks/bench_inventory.py [--users 5000] [--projects 200] [--keys 2000]

1. requests and time of ``oai_audit.inventory.collect`` (the input's lists, in process), against the expected
   request count (ceil(n/100) per list, 3 per active project);
2. the built add-on's real ``openai_inventory`` input process end to end (collect, merge, events, KV batch_save
   into the fake splunkd), first snapshot and a second one (merge against 5,000+ previous records).
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "package" / "bin"), str(ROOT / "tools"), str(ROOT / "tests" / "collector"),
                str(ROOT / "tests" / "inventory")]

from fake_splunkd import FakeSplunkd  # noqa: E402
from oai_audit.client import ApiClient  # noqa: E402
from oai_audit.inventory import collect  # noqa: E402
from oai_sim.inventory import Inventory  # noqa: E402
from oai_sim.server import Simulator  # noqa: E402

KEY = "sk-admin-bench-inventory"


def expected_requests(inv: Inventory) -> int:
    active = [p for p in inv.projects if p["status"] == "active"]
    per_project = sum(max(1, math.ceil(len(src[p["id"]]) / 100))
                      for p in active for src in (inv.project_users, inv.service_accounts, inv.project_keys))
    return (math.ceil(len(inv.users) / 100) + math.ceil(len(inv.projects) / 100) + per_project
            + max(1, math.ceil(len(inv.admin_keys) / 100)) + max(1, math.ceil(len(inv.invites) / 100)))


def bench_collect(inv: Inventory) -> None:
    with Simulator([], admin_key=KEY, inventory=inv) as sim, ApiClient(sim.base_url, KEY) as api:
        started = time.perf_counter()
        results = collect(api)
        took = time.perf_counter() - started
        objects = sum(len(r.objects) for r in results.values())
        assert all(r.complete for r in results.values())
        print(f"collect: {api.stats.requests} requests (expected {expected_requests(inv)}), {objects} objects, "
              f"{took:.2f} s ({api.stats.requests / took:.0f} requests/s, {took / api.stats.requests * 1000:.1f} "
              f"ms/request incl. the simulator on the same machine)")


def bench_input(inv: Inventory) -> None:
    from inventory_support import InventoryRunner, SCRIPT  # the test runner of the real input process
    if not SCRIPT.is_file():
        print("input: skipped (run ./build.sh first)")
        return
    with Simulator([], admin_key=KEY, inventory=inv) as sim, FakeSplunkd() as fake, \
            tempfile.TemporaryDirectory() as home:
        fake.set_account("acc", encrypted={"api_key": KEY}, base_url=sim.base_url)
        fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
        runner = InventoryRunner(fake, Path(home))
        for label in ("first snapshot", "second snapshot"):
            started = time.perf_counter()
            proc = runner.run(timeout=600)
            took = time.perf_counter() - started
            assert proc.returncode == 0, proc.stderr
            events = proc.stdout.count("<event")
            assert events, "the input wrote no event (see its log in the runner's home)"
            records = sum(len(fake.kvstore.get(c, {})) for c in fake.kvstore)
            print(f"input process, {label}: {took:.2f} s wall, {events} events, {records} KV records, "
                  f"{len(sim.requests)} API requests so far")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=5000)
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--keys", type=int, default=2000)
    args = ap.parse_args()
    inv = Inventory.from_population(users=args.users, projects=args.projects, keys=args.keys)
    print(f"organization: {inv.sizes}")
    bench_collect(inv)
    bench_input(inv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
