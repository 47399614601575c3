"""Importing a few modules of a package without running the package's ``__init__``.

``splunklib.modularinput``'s ``__init__`` imports its Script class, and with it splunklib.client; the modular
inputs use its event, event writer, definition and scheme modules (openai_audit_modinput). Each run is a new
process, so the rest was paid on every run: peak RSS, and the compile time of the unused modules when no .pyc
exists (benchmarks/bench_collector.py parts [3] and [4]).

``skip_init("splunklib.modularinput")`` registers the package as a module built from its import spec
(``__path__``, ``__spec__``, no code run), so ``from splunklib.modularinput.event_writer import EventWriter`` loads
that module and what it imports, nothing else; the names the package ``__init__`` would have defined are not
there. It has no effect on a package already imported, and is only used by the modular input processes, never in
splunkd's REST handler process.
"""
from __future__ import annotations

import importlib.util
import sys


def skip_init(package: str) -> bool:
    """Register ``package`` without running its ``__init__``; False if it is already imported or not a package."""
    if package in sys.modules:
        return False
    spec = importlib.util.find_spec(package)
    if spec is None or spec.submodule_search_locations is None:
        return False
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return True


def skip_unused_inits() -> None:
    """What the modular inputs call before their first splunklib.modularinput import."""
    skip_init("splunklib.modularinput")
