#!/usr/bin/env python3
"""Collector benchmark (issue 4, point 8) against the local simulator on 127.0.0.1. Prints numbers; not a test.

    .venv/py3.13/bin/python benchmarks/bench_collector.py [--n 10000] [--big 1000000] [--skip-big] [--only PART]

1. requests: HTTP requests of an N-event backfill (plus tenant events) vs ceil(N/100) (+ ceil(T/100));
2. throughput: collector end to end (poller -> splunklib EventWriter XML) vs a bare httpx fetch-and-dump loop
   over the same cached pages, same run; wall-clock and client-CPU ratios;
3. memory: peak RSS (ru_maxrss) of the built add-on's real modular input process for 10k vs 1M events;
4. cold start: input process start -> first API request (wall ms and the input's CPU ms) and the whole run's
   instructions (callgrind), next to the same for a bare httpx client's first request; ``python -X importtime``
   of the same run split into third-party libraries (the add-on's lib/), our modules (its bin/), the standard
   library;
5. instructions (callgrind, instr_count.py): per-event and fixed per-run instructions of the collection call
   vs the bare httpx + json floor, dedup map full; fixed cost without .pyc.
Targets (issues 10 and 16) are printed next to each number. The full run takes about 10 minutes.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import instr_count  # noqa: E402
from bench_support import APP, KEY, ROOT, SimProcess, bare_loop  # noqa: E402

sys.path[:0] = [str(ROOT / "package" / "bin"), str(ROOT / "tools")]

from splunklib.modularinput.event_writer import EventWriter  # noqa: E402

from fake_splunkd import FakeSplunkd  # noqa: E402
from oai_audit.checkpoint import MemoryStore  # noqa: E402
from oai_audit.client import AuditLogClient  # noqa: E402
from oai_audit.poller import PollConfig, run, stream_specs  # noqa: E402
from oai_sim.generator import Dataset  # noqa: E402
from oai_sim.server import Simulator  # noqa: E402
from openai_audit_helper import EventWriterSink  # noqa: E402

INPUT_SCRIPT = APP / "bin" / "openai_audit.py"
TARGET_RSS_MIB = 30  # issue 16
TARGET_1M_WALL = 131  # s, issue 16: no worse than before
TARGET_FIRST_REQUEST_CPU_MS = 150  # issue 16, Python 3.13
SUMMARY_RE = re.compile(r"run summary stream=(\w+) status=(\w+) pages=(\d+) events=(\d+)")


class NullSink:
    def __init__(self) -> None:
        self.count = 0

    def write(self, obj: Any) -> None:
        self.count += 1

    def flush(self) -> None:
        pass


def poll_once(base_url: str, start: int, sink: Any, tenant: bool = False, until: Optional[int] = None) -> List[Any]:
    with AuditLogClient(base_url, KEY) as client:
        return run(client, stream_specs([], [], tenant), MemoryStore(), sink, PollConfig(start=start, until=until),
                   input_name="bench", account="bench")


# 1. requests ----------------------------------------------------------------------------------------------
def bench_requests(n: int, tenant_n: int) -> None:
    now = int(time.time())
    cases = [("one window (3 days)", 3), ("backfill over 30 days, 7-day slices", 30)]
    print("\n[1] HTTP requests for a backfill (limit=100)")
    for label, days in cases:
        start = now - days * 86400
        with Simulator(Dataset(n, 1, start, now - 60, tenant=False), admin_key=KEY) as sim:
            sim.add_events(Dataset(tenant_n, 2, start, now - 60, tenant=True))
            sink = NullSink()
            results = poll_once(sim.base_url, start, sink, tenant=True)
            main = sum(1 for r in sim.requests if "tenant_only" not in r.query)
            ten = len(sim.requests) - main
        if sink.count != n + tenant_n:
            print("  WARNING: %d events collected, expected %d" % (sink.count, n + tenant_n))
        print("  %-38s main: %d requests for %d events (ceil(N/100) = %d); tenant: %d for %d (ceil = %d); "
              "errors: %s" % (label, main, n, math.ceil(n / 100), ten, tenant_n, math.ceil(tenant_n / 100),
                              [str(r.error) for r in results if r.error] or "none"))


# 2. throughput --------------------------------------------------------------------------------------------
def _timed(fn: Callable[[], int]) -> Tuple[int, float, float]:
    w, c = time.perf_counter(), time.process_time()
    n = fn()
    return n, time.perf_counter() - w, time.process_time() - c


def bench_throughput(n: int) -> None:
    now = int(time.time())
    start, end = now - 2 * 86400, now - 60  # a fixed window: both clients send identical, cached requests
    sim = SimProcess(n, start, end, cache=True)
    devnull = open(os.devnull, "w")

    def collector() -> int:
        sink = EventWriterSink(EventWriter(output=devnull, error=devnull), "main", "openai_audit://bench")
        res = poll_once(sim.base_url, start, sink, until=end)
        return sum(r.events for r in res)

    try:
        bare_loop(sim.base_url, start, end, devnull)  # warm the page cache for both request shapes
        collector()
        best: Dict[str, Tuple[int, float, float]] = {}
        for _ in range(3):
            for name, fn in (("bare", lambda: bare_loop(sim.base_url, start, end, devnull)), ("collector", collector)):
                got = _timed(fn)
                assert got[0] == n, (name, got[0], n)
                if name not in best or got[1] < best[name][1]:
                    best[name] = got
    finally:
        sim.stop()
        devnull.close()
    (_, bw, bc), (_, cw, cc) = best["bare"], best["collector"]
    print("\n[2] throughput, %d events, cached pages from a simulator process (best of 3)" % n)
    print("  bare httpx fetch + json dump : %8.0f events/s wall, %8.0f events/s per client CPU-second"
          % (n / bw, n / bc))
    print("  collector end to end (XML)   : %8.0f events/s wall, %8.0f events/s per client CPU-second"
          % (n / cw, n / cc))
    print("  ratio collector/bare         : %.2f wall, %.2f CPU (issue 10: within 5%% of 0.88, i.e. >= 0.84)"
          % (bw / cw, bc / cc))


# 3 + 4: the real modular input process ------------------------------------------------------------------
def _input_setup(fake: FakeSplunkd, base_url: str) -> None:
    fake.set_account("bench", encrypted={"api_key": KEY}, base_url=base_url)
    fake.set_conf("ta_openai_audit_settings", "advanced", {"allow_custom_base_url": "1"})  # loopback simulator
    fake.set_conf("ta_openai_audit_settings", "logging", {"loglevel": "INFO"})


# Linux carries a process's RSS high-water mark across fork+exec, so a child forked straight from this (large)
# benchmark process would report at least our own peak. A small wrapper process forks the input instead and
# reports the input's own ru_maxrss.
_RSS_WRAPPER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "sys.stderr.write('\\n@@cpu=%.3f' % (usage.ru_utime + usage.ru_stime))\n"
    "sys.stderr.write('\\n@@maxrss=%d\\n' % usage.ru_maxrss)\n"
    "sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)\n"
)


def _run_input(fake: FakeSplunkd, home: str, name: str, start: int, extra_args: Tuple[str, ...] = (),
               wrap_rss: bool = True, on_start: Callable[[int], None] = lambda pid: None,
               script: Path = INPUT_SCRIPT, launcher: Tuple[str, ...] = ()) -> Tuple[int, str, float]:
    """Run the input once (under ``launcher``, e.g. valgrind, if given); returns (its peak RSS KiB, or 0
    without the wrapper; stderr; wall seconds). ``on_start`` gets the input's pid (only without the wrapper)
    once it is started."""
    ckpt = os.path.join(home, "var", "lib", "splunk", "modinputs", "openai_audit")
    os.makedirs(ckpt, exist_ok=True)
    xml = fake.modinput_xml("openai_audit://" + name, {"account": "bench", "index": "main", "interval": "300",
                                                       "start_date": str(start)}, ckpt)
    cmd = [*launcher, sys.executable, *extra_args, str(script)]
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _RSS_WRAPPER] + cmd if wrap_rss else cmd,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=fake.env(home))
    if not wrap_rss:
        on_start(proc.pid)
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(xml.encode())
    proc.stdin.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait()
    if not wrap_rss:
        return 0, err, time.perf_counter() - t0
    err, _, rss = err.rpartition("\n@@maxrss=")
    return int(rss.strip() or 0), err, time.perf_counter() - t0


def _input_cpu(err: str) -> float:
    """The input's CPU seconds (user + system) the RSS wrapper reported at the end of its stderr."""
    return float(err.rpartition("\n@@cpu=")[2] or 0)


def _summary(home: str, name: str) -> Dict[str, int]:
    path = Path(home, "var", "log", "splunk", "ta-openai-audit_%s.log" % name)
    text = path.read_text() if path.exists() else ""
    return {m.group(1): int(m.group(4)) for m in SUMMARY_RE.finditer(text)}


def bench_memory(sizes: List[int]) -> None:
    """Peak RSS, CPU and wall of the real input for each size, on a copy of the add-on without .pyc run with
    ``python -B`` (a fresh install: the .spl ships none; the worst case), and on a copy with .pyc (what later runs load
    wherever Python may write __pycache__ next to the modules)."""
    print("\n[3] peak RSS of the real modular input process (built app: %s)" % APP)
    rss: Dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        apps = {"without": Path(instr_count.copy_app(APP, os.path.join(tmp, "nopyc"), pyc=False)),
                "with": Path(instr_count.copy_app(APP, os.path.join(tmp, "pyc"), pyc=True))}
        runs = [(n, pyc) for pyc in ("without", "with") for n in sizes]
        for n, pyc in runs:
            now = int(time.time())
            start = now - 30 * 86400
            sim = SimProcess(n, start, now - 60, cache=False, prefetch=True)
            with FakeSplunkd() as fake, tempfile.TemporaryDirectory() as home:
                _input_setup(fake, sim.base_url)
                peak, err, wall = _run_input(fake, home, "mem%d" % n, start, script=apps[pyc] / "bin" / "openai_audit.py",
                                             extra_args=("-B",) if pyc == "without" else ())
                got = _summary(home, "mem%d" % n)
                kv_saves = sum(1 for m, path, _ in fake.requests if m == "POST" and path.endswith("/batch_save"))
            sim_rss = sim.stop()
            if pyc == "without":
                rss[n] = peak
            print("  %8d events, %-7s .pyc: input peak RSS %5.1f MiB (target <= %d MiB), events written %s, "
                  "input CPU %.1f s, %.0f s wall (%.0f events/s)%s, %d KV checkpoint saves; simulator RSS %.1f MiB"
                  % (n, pyc, peak / 1024, TARGET_RSS_MIB, got.get("main", "?"), _input_cpu(err), wall, n / wall,
                     " (1M backfill target <= %d s)" % TARGET_1M_WALL if n == 1000000 else "", kv_saves,
                     sim_rss / 1024))
            if got.get("main") != n:
                print("    WARNING: expected %d events; stderr tail: %s" % (n, err[-500:]))
    if len(sizes) == 2:
        a, b = (rss[s] for s in sizes)
        print("  RSS(%d)/RSS(%d) = %.3f (target <= 1.2)" % (sizes[1], sizes[0], b / a))
    print("  wall: the simulator renders each next page while the input reads one (--prefetch); the input still "
          "waits when the simulator is slower")


IMPORT_RE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def classify_imports(stderr: str) -> Dict[str, float]:
    """Sum ``-X importtime`` self times (ms) by where each module's top-level package lives."""
    lib_names = {p.name.split(".")[0] for p in (APP / "lib").iterdir()}
    ours = {p.name.split(".")[0] for p in (APP / "bin").iterdir()}
    out = {"third-party (lib/)": 0.0, "ours (bin/)": 0.0, "stdlib": 0.0, "test shim (splunk)": 0.0}
    for line in stderr.splitlines():
        m = IMPORT_RE.match(line)
        if not m:
            continue
        top = m.group(4).split(".")[0]
        ms = int(m.group(1)) / 1000.0
        if top in ours:
            out["ours (bin/)"] += ms
        elif top in lib_names:
            out["third-party (lib/)"] += ms
        elif top == "splunk":
            out["test shim (splunk)"] += ms
        else:
            out["stdlib"] += ms
    return out


def process_cpu_ns(pid: int) -> int:
    """CPU time (user + system) a live process has used so far, in ns, summed over its threads."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as fh:
            total += int(fh.read().split()[0])
    return total


class _CpuAtFirstRequest(Simulator):
    """The simulator, noting the input process's CPU time when its first request arrives (the input then
    waits for the answer, so its counter stands still)."""

    pid = 0
    cpu_ns: Optional[int] = None

    def _record(self, req: Any) -> None:
        if self.pid and self.cpu_ns is None:
            self.cpu_ns = process_cpu_ns(self.pid)
        super()._record(req)


def _first_request_cpu(runs: int, script_for: Callable[[str], Path],
                       extra_args: Tuple[str, ...]) -> Tuple[List[float], List[float]]:
    """(wall ms, CPU ms) from process start to the first API request, per run; ``script_for(base_url)``: the
    script to run against the simulator at base_url."""
    now = int(time.time())
    walls: List[float] = []
    cpus: List[float] = []
    with _CpuAtFirstRequest(Dataset(50, 4, now - 3600, now - 60, tenant=False), admin_key=KEY) as sim, \
            FakeSplunkd() as fake, tempfile.TemporaryDirectory() as home:
        _input_setup(fake, sim.base_url)
        script = script_for(sim.base_url)
        for i in range(runs):
            sim.clear_requests()
            sim.pid, sim.cpu_ns = 0, None
            t0 = time.time()
            _run_input(fake, home, "cold%d" % i, now - 3600, extra_args=extra_args, wrap_rss=False, script=script,
                       on_start=lambda pid: setattr(sim, "pid", pid))
            reqs = sim.requests
            if reqs and sim.cpu_ns is not None:
                walls.append(1000 * (reqs[0].at - t0))
                cpus.append(sim.cpu_ns / 1e6)
    return walls, cpus


BARE_FIRST_REQUEST = """import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import httpx
httpx.Client(headers={"Authorization": "Bearer %s"}, timeout=30).get("%s/organization/audit_logs",
                                                                     params={"limit": "100"})
"""


def _bare_first_request(app: Path, base_url: str) -> Path:
    """The floor of [4]: a script that imports the add-on's httpx (lib/) and sends one request with a default
    httpx client (certifi's CA bundle), nothing else."""
    script = app / "bin" / "bare_first_request.py"
    script.write_text(BARE_FIRST_REQUEST % (KEY, base_url))
    return script


CALLGRIND_TOTAL = re.compile(r"Collected : (\d+)")


def _whole_run_instructions(script_for: Callable[[str], Path], extra_args: Tuple[str, ...]) -> float:
    """Instructions (callgrind, whole process: start-up, the 50-event run, exit) of one run, in millions."""
    now = int(time.time())
    with Simulator(Dataset(50, 4, now - 3600, now - 60, tenant=False), admin_key=KEY) as sim, \
            FakeSplunkd() as fake, tempfile.TemporaryDirectory() as home:
        _input_setup(fake, sim.base_url)
        _, err, _ = _run_input(fake, home, "vg", now - 3600, extra_args=extra_args, wrap_rss=False,
                               script=script_for(sim.base_url),
                               launcher=("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"))
    match = CALLGRIND_TOTAL.search(err)
    if not match:
        raise RuntimeError("callgrind printed no total: " + err[-500:])
    return int(match.group(1)) / 1e6


def bench_cold_start(runs: int = 5) -> None:
    print("\n[4] cold start of the input (process start -> first API request), %d runs, Python %s"
          % (runs, sys.version.split()[0]))
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {}
        for label in ("without", "with"):
            app = Path(instr_count.copy_app(APP, os.path.join(tmp, label), pyc=label == "with"))
            scripts[label] = app / "bin" / "openai_audit.py"
            args = ("-B",) if label == "without" else ()
            for what, script_for in (("input", lambda url: scripts[label]),
                                     ("floor", lambda url: _bare_first_request(app, url))):
                walls, cpus = _first_request_cpu(runs, script_for, args)
                print("  %s, add-on %-7s .pyc: CPU %4.0f ms (median; min %.0f, max %.0f)%s; wall %.0f ms; "
                      "whole run %.0f M instructions"
                      % (what, label, statistics.median(cpus), min(cpus), max(cpus),
                         " (target <= %d ms on 3.13)" % TARGET_FIRST_REQUEST_CPU_MS if what == "input" else "",
                         statistics.median(walls), _whole_run_instructions(script_for, args)))
        print("  floor: a script that imports httpx and sends one GET with a default httpx.Client (no event "
              "written); whole run: process start to exit (callgrind), the input's with its 50 events")
        now = int(time.time())
        with Simulator(Dataset(50, 4, now - 3600, now - 60, tenant=False), admin_key=KEY) as sim, \
                FakeSplunkd() as fake, tempfile.TemporaryDirectory() as home:
            _input_setup(fake, sim.base_url)
            _, err, _ = _run_input(fake, home, "imp", now - 3600, extra_args=("-B", "-X", "importtime"),
                                   script=scripts["without"])
    split = classify_imports(err)
    total = sum(split.values())
    print("  -X importtime self time (add-on without .pyc): total %.0f ms" % total)
    for name, ms in split.items():
        print("    %-22s %7.1f ms  %5.1f%%" % (name, ms, 100 * ms / total if total else 0))
    print("  our modules: %.1f%% of import time (target <= 10%%)" % (100 * split["ours (bin/)"] / total))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000, help="events for the request and throughput parts")
    ap.add_argument("--tenant", type=int, default=1000, help="tenant-scoped events in the request part")
    ap.add_argument("--small", type=int, default=10000, help="small size of the RSS comparison")
    ap.add_argument("--big", type=int, default=1000000, help="big size of the RSS comparison")
    ap.add_argument("--skip-big", action="store_true", help="skip the RSS comparison")
    ap.add_argument("--instr-sizes", type=int, nargs="+", default=list(instr_count.DEFAULT_SIZES),
                    help="run sizes (events) of the instruction-count fit")
    ap.add_argument("--only", choices=["requests", "throughput", "memory", "cold", "instructions"],
                    help="run one part")
    args = ap.parse_args()
    if not INPUT_SCRIPT.is_file() and args.only in (None, "memory", "cold", "instructions"):
        print("built add-on not found at %s: run ./build.sh (or set TA_OPENAI_AUDIT_APP)" % APP)
        return 2
    print("Python %s on %s, %d CPUs, load %.2f" % (sys.version.split()[0], sys.platform, os.cpu_count() or 0,
                                                  os.getloadavg()[0]))
    if args.only in (None, "requests"):
        bench_requests(args.n, args.tenant)
    if args.only in (None, "throughput"):
        bench_throughput(args.n)
    if args.only in (None, "memory") and not args.skip_big:
        bench_memory([args.small, args.big])
    if args.only in (None, "cold"):
        bench_cold_start()
    if args.only in (None, "instructions"):
        print("\n[5] instructions per collection call (callgrind), Python %s" % sys.version.split()[0])
        print("\n".join(instr_count.measure(args.instr_sizes).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
