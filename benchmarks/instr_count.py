#!/usr/bin/env python3
"""Instruction counts of one collection call (issue 16), deterministic where CPU seconds are not.

The collector and the bare floor each run in a fresh Python process under ``valgrind --tool=callgrind``,
with the simulator (tools/oai_sim) in another process. Instrumentation is off from process start; two
callgrind client requests (a tiny C library compiled here with ``cc``) switch counting on just before the
collection call and off just after it, so only that call is counted:

- collector: ``with AuditLogClient(...) as client: run(client, specs, store, sink, PollConfig(start))`` as
  ``openai_audit_helper`` calls it, the built add-on's bin/ and lib/ (its httpx), splunklib's EventWriter XML
  sink (EventWriterSink) to /dev/null, a file checkpoint (MirroredStore without KV store, fsync kept) that
  starts with the dedup map full: ``--seen`` ids inside the overlap, as an incremental run leaves it
  (600 s x 1.36 events/s ~ 816 ids, issue 16);
- floor: one ``httpx.Client``, GET every page, ``json.loads`` the body, ``json.dumps`` each event
  (bench_support.bare_loop).

Modules imported at the top of the collection code are imported before counting (process start to the first
request is measured separately, in CPU ms); whatever the call imports or builds lazily (httpcore, the SSL
context, ...) is counted. Per-event and fixed per-run costs are the slope and intercept of a least-squares
line over two or more run sizes. Fixed cost without .pyc: one run on a fresh copy of the add-on with
``python -B`` (the .spl ships no .pyc), minus the per-event cost; also with no .pyc at all (an empty
``PYTHONPYCACHEPREFIX``: the standard library compiled too).

    .venv/py3.13/bin/python benchmarks/instr_count.py [--sizes 1000 4000] [--seen 816]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import APP, KEY, ROOT, SimProcess  # noqa: E402

DEFAULT_SIZES = (1000, 4000)
DEFAULT_SEEN = 816  # ids in a full 600 s overlap at 1.36 events/s (issue 16)
SPAN = 2 * 86400  # the simulated backlog spans two days: one time slice
TARGET_PER_EVENT_RATIO = 1.3
TARGET_FIXED_NOPYC = 0.15e9

TOGGLE_C = r"""
#include <valgrind/callgrind.h>
void oai_bench_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void oai_bench_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_STOP_INSTRUMENTATION; }
int oai_bench_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
"""
TOTALS_RE = re.compile(r"^totals:\s+(\d+)", re.M)


class MissingTool(RuntimeError):
    pass


def build_toggle_lib(directory: str) -> str:
    """Compile the start/stop client requests into a shared library; fail loudly if a tool is missing."""
    for tool in ("valgrind", "cc"):
        if shutil.which(tool) is None:
            raise MissingTool(f"'{tool}' not found: the instruction-count benchmark needs valgrind (with its "
                              f"headers, Debian package 'valgrind') and a C compiler ('gcc')")
    src, lib = os.path.join(directory, "toggle.c"), os.path.join(directory, "liboaibench.so")
    Path(src).write_text(TOGGLE_C)
    proc = subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", lib, src], capture_output=True, text=True)
    if proc.returncode != 0:
        raise MissingTool("cannot compile the callgrind client requests (is valgrind/callgrind.h installed?): "
                          + proc.stderr.strip())
    return lib


# ---- the driver: runs in the measured process --------------------------------------------------------------
def seeded_seen(count: int, wall: int) -> Dict[str, int]:
    """``count`` ids inside the overlap (effective_at in the last few minutes), shaped like real ids."""
    return {"audit_log-%020x" % (0xbe0c0000000000000000 + i): wall - 30 - (i % 240) for i in range(count)}


def driver(args: argparse.Namespace) -> int:
    import ctypes

    sys.path[:0] = [str(Path(args.app) / "bin")]
    import openai_audit_helper  # noqa: F401  (import_declare_test puts the add-on's lib/ first, as in Splunk)
    import httpx  # noqa: F401  (the add-on's httpx; what it imports lazily is counted)
    from splunklib.modularinput.event_writer import EventWriter

    from bench_support import bare_loop
    from oai_audit import events  # noqa: F401  (bare_loop's json.dumps)
    from oai_audit.checkpoint import Checkpoint, FileStore, MirroredStore, State, checkpoint_key
    from oai_audit.client import AuditLogClient
    from oai_audit.poller import PollConfig, run, stream_specs
    from oai_audit.retry import RetryPolicy
    from openai_audit_helper import EventWriterSink

    lib = ctypes.CDLL(args.toggle) if args.toggle else None
    on_valgrind = bool(lib.oai_bench_on_valgrind()) if lib else False
    devnull = open(os.devnull, "w")
    out: Dict[str, object] = {"mode": args.mode, "on_valgrind": on_valgrind}
    if args.mode == "collector":
        store = MirroredStore(None, FileStore(args.ckpt))
        key = checkpoint_key("bench", "bench", "main")
        wall = int(time.time())
        Checkpoint(store, key, time.time).save(State(next_gte=args.start, seen=seeded_seen(args.seen, wall)))
        sink = EventWriterSink(EventWriter(output=devnull, error=devnull), "main", "openai_audit://bench")
        specs = stream_specs([], [], False)
        if lib:
            lib.oai_bench_start()
        with AuditLogClient(args.base_url, KEY, policy=RetryPolicy.for_interval(300)) as client:
            results = run(client, specs, store, sink, PollConfig(start=args.start), input_name="bench",
                          account="bench")
        if lib:
            lib.oai_bench_stop()
        out["events"] = sum(r.events for r in results)
        out["pages"] = sum(r.pages for r in results)
        out["errors"] = [str(r.error) for r in results if r.error is not None]
        out["seen_after"] = len(Checkpoint(store, key, time.time).load().seen)
    else:
        if lib:
            lib.oai_bench_start()
        count = bare_loop(args.base_url, args.start, args.end, devnull)
        if lib:
            lib.oai_bench_stop()
        out["events"] = count
    devnull.close()
    print(json.dumps(out))
    return 0


# ---- the harness -----------------------------------------------------------------------------------------
@dataclass
class Run:
    mode: str
    n: int
    variant: str  # "pyc", "nopyc-addon", "nopyc-all"
    instructions: int
    result: Dict[str, object]
    wall: float


def fit(points: Sequence[Tuple[int, int]]) -> Tuple[float, float]:
    """Least-squares line through (size, instructions): (per event, fixed per run)."""
    if len({n for n, _ in points}) < 2:
        raise ValueError("a fit needs two or more distinct run sizes")
    k = len(points)
    mx = sum(n for n, _ in points) / k
    my = sum(y for _, y in points) / k
    slope = sum((n - mx) * (y - my) for n, y in points) / sum((n - mx) ** 2 for n, _ in points)
    return slope, my - slope * mx


def copy_app(app: Path, dest: str, pyc: bool) -> str:
    """A copy of the built add-on: without any .pyc, or with bin/ and lib/ compiled as an import would."""
    target = os.path.join(dest, "TA-openai-audit")
    shutil.copytree(str(app), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if pyc:
        subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(target, "bin"),
                        os.path.join(target, "lib")], check=True, stdout=subprocess.DEVNULL)
    return target


class Harness:
    """Runs the driver under callgrind on copies of the built add-on (with and without .pyc)."""

    def __init__(self, workdir: str, app: Path = APP, seen: int = DEFAULT_SEEN) -> None:
        self.workdir = workdir
        self.seen = seen
        self.toggle = build_toggle_lib(workdir)
        self.app_pyc = copy_app(app, os.path.join(workdir, "pyc"), pyc=True)
        self.app_nopyc = copy_app(app, os.path.join(workdir, "nopyc"), pyc=False)
        self._seq = 0

    def run(self, mode: str, base_url: str, start: int, end: int, n: int, variant: str = "pyc") -> Run:
        self._seq += 1
        ckpt = os.path.join(self.workdir, "ckpt%d" % self._seq)
        outfile = os.path.join(self.workdir, "callgrind.%d.out" % self._seq)
        env = dict(os.environ, PYTHONHASHSEED="0")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        py = [sys.executable]
        if variant != "pyc":
            py.append("-B")
        if variant == "nopyc-all":
            env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="emptycache", dir=self.workdir)
        app = self.app_pyc if variant == "pyc" else self.app_nopyc
        cmd = py + [str(Path(__file__).resolve()), "driver", "--mode", mode, "--app", app, "--base-url", base_url,
                    "--start", str(start), "--end", str(end), "--seen", str(self.seen), "--ckpt", ckpt]
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--instr-atstart=no",
               "--callgrind-out-file=" + outfile, "--log-file=" + outfile + ".log"] + cmd + ["--toggle", self.toggle]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))
        if proc.returncode != 0:
            raise RuntimeError(f"{mode} driver failed ({proc.returncode}): {proc.stderr[-2000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        m = TOTALS_RE.search(Path(outfile).read_text())
        if not m:
            raise RuntimeError("no totals in " + outfile)
        instructions = int(m.group(1))
        if result.get("events") != n:
            raise RuntimeError(f"{mode} collected {result.get('events')} events, expected {n}: {result}")
        run = Run(mode, n, variant, instructions, result, time.perf_counter() - t0)
        return run


@dataclass
class Report:
    sizes: List[int]
    seen: int
    per_event: Dict[str, float] = field(default_factory=dict)
    fixed: Dict[str, float] = field(default_factory=dict)
    fixed_nopyc: Dict[str, float] = field(default_factory=dict)
    runs: List[Run] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.per_event["collector"] / self.per_event["floor"]

    def lines(self) -> List[str]:
        out = ["  callgrind instructions of the collection call only (simulator in another process; dedup map "
               "seeded with %d ids in the overlap)" % self.seen]
        for r in self.runs:
            out.append("    %-9s %7d events, %-11s %7.3f G  (%3.0f s)%s" % (
                r.mode, r.n, r.variant, r.instructions / 1e9, r.wall,
                ("  (dedup map after the run: %s ids)" % r.result.get("seen_after")) if "seen_after" in r.result
                else ""))
        for mode in ("collector", "floor"):
            out.append("  %-9s per event %6.1f k instructions, fixed per run %.3f G (with .pyc)"
                       % (mode, self.per_event[mode] / 1e3, self.fixed[mode] / 1e9))
        out.append("  per event collector/floor: %.2f (target <= %.1f)" % (self.ratio, TARGET_PER_EVENT_RATIO))
        if self.fixed_nopyc:
            out.append("  collector fixed per run without .pyc: add-on %.3f G (target <= %.2f G); none at all "
                       "(stdlib too) %.3f G" % (self.fixed_nopyc["nopyc-addon"] / 1e9, TARGET_FIXED_NOPYC / 1e9,
                                                self.fixed_nopyc["nopyc-all"] / 1e9))
        return out


def measure(sizes: Sequence[int] = DEFAULT_SIZES, seen: int = DEFAULT_SEEN, nopyc: bool = True,
            app: Path = APP) -> Report:
    report = Report(sizes=list(sizes), seen=seen)
    with tempfile.TemporaryDirectory(prefix="oai-instr-") as workdir:
        h = Harness(workdir, app=app, seen=seen)
        for n in sizes:
            wall = int(time.time())
            start, end = wall - SPAN, wall - 60
            with SimProcess(n, start, end, cache=False) as sim:
                for mode in ("collector", "floor"):
                    report.runs.append(h.run(mode, sim.base_url, start, end, n))
                if nopyc and n == sizes[0]:
                    for variant in ("nopyc-addon", "nopyc-all"):
                        report.runs.append(h.run("collector", sim.base_url, start, end, n, variant=variant))
    for mode in ("collector", "floor"):
        pts = [(r.n, r.instructions) for r in report.runs if r.mode == mode and r.variant == "pyc"]
        report.per_event[mode], report.fixed[mode] = fit(pts)
    for r in report.runs:
        if r.variant != "pyc":
            report.fixed_nopyc[r.variant] = r.instructions - report.per_event["collector"] * r.n
    return report


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")
    d = sub.add_parser("driver", help="(internal) one collection call, counted when --toggle is given")
    d.add_argument("--mode", choices=["collector", "floor"], required=True)
    d.add_argument("--app", required=True)
    d.add_argument("--base-url", required=True)
    d.add_argument("--start", type=int, required=True)
    d.add_argument("--end", type=int, required=True)
    d.add_argument("--seen", type=int, default=DEFAULT_SEEN)
    d.add_argument("--ckpt", required=True)
    d.add_argument("--toggle")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument("--seen", type=int, default=DEFAULT_SEEN, help="ids in the dedup map when the run starts")
    ap.add_argument("--no-nopyc", action="store_true", help="skip the two runs without .pyc files")
    args = ap.parse_args(argv)
    if args.cmd == "driver":
        return driver(args)
    print("\n[5] instructions per collection call, Python %s" % sys.version.split()[0])
    report = measure(args.sizes, args.seen, nopyc=not args.no_nopyc)
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
