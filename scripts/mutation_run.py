"""Run cosmic-ray over the collector modules one at a time (called by scripts/mutation.sh, inside .venv/mutation).

For each module: ``cosmic-ray init`` -> filter the operators listed in EXCLUDED_OPERATORS -> ``cosmic-ray exec``
bounded by ``--budget`` seconds -> score from ``cosmic-ray dump``. The mutated tree is a scratch copy; the
module is restored from the work tree after each run, whatever happened.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

MODULES = ("poller", "pagination", "checkpoint", "dedup", "retry", "client", "events", "validation")
# The tests run against each module's mutants: the ones that exercise it (CLI subprocess and TLS tests are left
# out for time), this project's mutant-killing tests first so that -x stops early. A mutant another test would
# kill may be reported as a survivor: the score is a lower bound.
C = "tests/collector/"
TESTS: Dict[str, Tuple[str, ...]] = {
    "poller": (C + "test_poller.py", C + "test_tenant.py", C + "test_faults.py", C + "test_checkpoint.py"),
    "pagination": (C + "test_faults.py",),
    "checkpoint": (C + "test_checkpoint.py", C + "test_splunk_io.py"),
    "dedup": (C + "test_checkpoint.py", C + "test_poller.py"),
    "retry": (C + "test_retry.py",),
    "client": (C + "test_faults.py", C + "test_retry.py", C + "test_tenant.py",
               "tests/foundation/test_account_validation.py"),
    "events": (C + "test_event_writer_sink.py",),
    "validation": (C + "test_validation.py", "tests/foundation/test_account_validation.py"),
}
PYTEST = ".venv/py3.13/bin/python -m pytest -x -q -p no:cacheprovider -m 'not slow and not build' "
PER_MUTANT_TIMEOUT = 120.0
# Operators whose mutants are nearly all equivalent or absurd for this code (bit/shift/power arithmetic on
# strings and counters, identity comparisons of ints, replacing variables by other variables) and would
# triple the run time.
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_.*_(Pow|RShift|LShift|BitOr|BitAnd|BitXor|Mod|FloorDiv)$",
    r"core/ReplaceBinaryOperator_(Pow|RShift|LShift|BitOr|BitAnd|BitXor|Mod|FloorDiv)_",
    r"core/ReplaceComparisonOperator_(Eq|NotEq|Lt|LtE|Gt|GtE)_(In|NotIn|Is|IsNot)$",
    r"core/ReplaceComparisonOperator_(In|NotIn|Is|IsNot)_(Eq|NotEq|Lt|LtE|Gt|GtE)$",
    r"core/ReplaceUnaryOperator_.*(Invert|UAdd)",
    r"core/VariableReplacer",
    r"core/VariableInserter",
    r"core/NoOp",
]


def test_command(module: str, root: Path) -> str:
    ours = sorted(str(p.relative_to(root)) for p in (root / "tests" / "collector").glob(f"test_{module}_mutants*.py"))
    return PYTEST + " ".join(ours + list(TESTS[module]))


def config_text(module: str, command: str) -> str:
    lines = [
        "[cosmic-ray]",
        f'module-path = "package/bin/oai_audit/{module}.py"',
        f"timeout = {PER_MUTANT_TIMEOUT}",
        "excluded-modules = []",
        f'test-command = "{command}"',
        "",
        "[cosmic-ray.distributor]",
        'name = "local"',
        "",
        "[cosmic-ray.filters.operators-filter]",
        "exclude-operators = [" + ", ".join(json.dumps(p) for p in EXCLUDED_OPERATORS) + "]",
        "",
    ]
    return "\n".join(lines)


def tally(dump: str) -> Tuple[Dict[str, int], List[Tuple[dict, dict]]]:
    """Counts of killed / survived / incompetent / skipped / not run, and the survivors."""
    counts = {"killed": 0, "survived": 0, "incompetent": 0, "skipped": 0, "not run": 0}
    survivors: List[Tuple[dict, dict]] = []
    for line in dump.splitlines():
        if not line.strip():
            continue
        item, result = json.loads(line)
        if result is None:
            counts["not run"] += 1
        elif result.get("worker_outcome") == "skipped":
            counts["skipped"] += 1
        elif result.get("test_outcome") == "survived":
            counts["survived"] += 1
            survivors.append((item, result))
        elif result.get("test_outcome") == "incompetent":
            counts["incompetent"] += 1
        else:
            counts["killed"] += 1
    return counts, survivors


def run_module(module: str, scratch: Path, root: Path, out: Path, budget: float, bin_dir: Path) -> Dict[str, int]:
    cfg, session = scratch / f"mutation-{module}.toml", scratch / f"mutation-{module}.sqlite"
    command = test_command(module, scratch)
    cfg.write_text(config_text(module, command))
    baseline = subprocess.run(command, shell=True, cwd=scratch, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if baseline.returncode != 0:  # every mutant would count as killed
        raise SystemExit(f"[mutation] the tests fail without any mutant ({command}); fix them first")
    session.unlink(missing_ok=True)
    rel = Path("package/bin/oai_audit") / f"{module}.py"
    subprocess.run([str(bin_dir / "cosmic-ray"), "init", str(cfg), str(session)], cwd=scratch, check=True)
    subprocess.run([str(bin_dir / "cr-filter-operators"), str(session), str(cfg)], cwd=scratch, check=True,
                   stderr=subprocess.DEVNULL)
    proc = subprocess.Popen([str(bin_dir / "cosmic-ray"), "exec", str(cfg), str(session)], cwd=scratch,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
    finally:
        shutil.copyfile(root / rel, scratch / rel)  # a killed exec may leave the module mutated
    dump = subprocess.run([str(bin_dir / "cosmic-ray"), "dump", str(session)], cwd=scratch, check=True,
                          capture_output=True, text=True).stdout
    counts, survivors = tally(dump)
    with open(out / f"{module}.survivors.txt", "w") as fh:
        for item, result in survivors:
            for m in item["mutations"]:
                fh.write(f"### {m['operator_name']} occurrence {m['occurrence']} at line {m['start_pos'][0]}\n")
            fh.write((result.get("diff") or "") + "\n")
    return counts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget", type=float, default=900.0, help="seconds per module")
    ap.add_argument("modules", nargs="*", default=list(MODULES))
    args = ap.parse_args()
    scratch, out = Path(args.scratch), Path(args.out)
    root = Path(__file__).resolve().parents[1]
    bin_dir = Path(sys.executable).parent
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        print(f"unknown module(s) {unknown}; choose from {', '.join(MODULES)}", file=sys.stderr)
        return 2
    print("%-11s %7s %7s %8s %11s %7s %7s  %s" % ("module", "mutants", "killed", "survived", "incompetent",
                                                  "not run", "score", "(skipped operators)"))
    total = {"killed": 0, "survived": 0}
    for module in args.modules:
        print(f"[mutation] {module}: {test_command(module, scratch)}", flush=True)
        c = run_module(module, scratch, root, out, args.budget, bin_dir)
        done = c["killed"] + c["survived"]
        total["killed"] += c["killed"]
        total["survived"] += c["survived"]
        print("%-11s %7d %7d %8d %11d %7d %6.1f%%  (%d)" % (
            module, done + c["incompetent"] + c["not run"], c["killed"], c["survived"], c["incompetent"],
            c["not run"], 100.0 * c["killed"] / done if done else 0.0, c["skipped"]), flush=True)
    done = total["killed"] + total["survived"]
    print("%-11s %7s %7d %8d %11s %7s %6.1f%%" % ("all", "", total["killed"], total["survived"], "", "",
                                                   100.0 * total["killed"] / done if done else 0.0))
    print(f"[mutation] survivors' diffs: {out}/<module>.survivors.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
