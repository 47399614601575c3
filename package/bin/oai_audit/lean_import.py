"""Importing a few modules of a package without running the package's ``__init__``.

solnlib 7's ``__init__`` imports all 19 of its modules (with them urllib3's retry machinery, sortedcontainers and
a timer queue); a modular input run uses one of them (log). ``splunklib.modularinput``'s ``__init__`` imports its
Script class, and with it splunklib.client; the inputs use its event, event writer, definition and scheme modules
(openai_audit_modinput). Each run is a new process, so the rest was paid on every run: peak RSS, and the compile
time of the unused modules when no .pyc exists (benchmarks/bench_collector.py parts [3] and [4]).

``skip_init("solnlib")`` registers the package as a module built from its import spec (``__path__``, ``__spec__``,
no code run), so ``from solnlib import log`` loads solnlib/log.py and what that imports, nothing else. Names the
package ``__init__`` would have defined are not there, except ``__version__`` (solnlib's REST client puts it in
its User-Agent), read from the ``__version__ = "..."`` line of the ``__init__`` source without running it. It has no effect on a package already imported, and is only used by the modular input
entry points (a process of their own), never in splunkd's REST handler process.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from typing import Optional

_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)


def source_version(init_path: Optional[str]) -> Optional[str]:
    """The ``__version__ = "..."`` string of a package ``__init__`` source file, without running it."""
    if not init_path:
        return None
    try:
        with open(init_path, encoding="utf-8") as fh:
            match = _VERSION.search(fh.read())
    except OSError:
        return None
    return match.group(1) if match else None


def skip_init(package: str) -> bool:
    """Register ``package`` without running its ``__init__``; False if it is already imported or not a package."""
    if package in sys.modules:
        return False
    spec = importlib.util.find_spec(package)
    if spec is None or spec.submodule_search_locations is None:
        return False
    module = importlib.util.module_from_spec(spec)
    version = source_version(spec.origin)
    if version is not None:
        module.__version__ = version  # type: ignore[attr-defined]
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return True


def skip_unused_inits() -> None:
    """What the modular inputs call before their first solnlib or splunklib.modularinput import."""
    skip_init("solnlib")
    skip_init("splunklib.modularinput")  # its __init__ imports splunklib's Script, which imports splunklib.client
