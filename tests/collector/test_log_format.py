"""openai_audit_log writes what solnlib 7.0.0's solnlib.log writes (third-party code as the oracle): the same log
file, rotation and line format for a logger, and the same message for every helper the inputs call. UCC's
monitoring dashboard and the README's log searches read these lines (``action=...``, ``exc_l="..."``)."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, List, Tuple

import pytest
from solnlib import log as solnlib_log

import openai_audit_log as ours
from fake_splunkd.server import SHIM_DIR

ROOT = Path(__file__).resolve().parents[2]

# One process per library: both name the logger after its file, so in one process the second would find the first's.
LOGGER_PROBE = """
import json, sys
if sys.argv[1] == "solnlib":
    from solnlib import log
    logger = log.Logs().get_logger("ta-openai-audit_x")
else:
    import openai_audit_log
    logger = openai_audit_log.get_logger("ta-openai-audit_x")
(h,) = logger.handlers
print(json.dumps({"file": h.baseFilename, "format": h.formatter._fmt, "max_bytes": h.maxBytes,
                  "backups": h.backupCount, "mode": h.mode, "level": logger.level, "propagate": logger.propagate,
                  "name": logger.name}))
"""


def test_a_logger_is_the_file_and_format_solnlib_makes(tmp_path: Path) -> None:
    """In a process of its own, as an input runs: SPLUNK_HOME set and the `splunk` package importable (the test
    shim of Splunk's make_splunkhome_path, which solnlib calls)."""
    (tmp_path / "var" / "log" / "splunk").mkdir(parents=True)
    env = dict(os.environ, SPLUNK_HOME=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(SHIM_DIR), str(ROOT / "package" / "bin")]))
    theirs, mine = (json.loads(subprocess.run([sys.executable, "-c", LOGGER_PROBE, which], env=env,
                                              capture_output=True, text=True, timeout=60, check=True).stdout)
                    for which in ("solnlib", "ours"))
    assert mine == theirs
    assert mine["file"] == str(tmp_path / "var" / "log" / "splunk" / "ta-openai-audit_x.log")


def test_no_splunk_home_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPLUNK_HOME", raising=False)
    with pytest.raises(RuntimeError, match="SPLUNK_HOME"):
        ours.log_file("x")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: List[Tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def _raised() -> ValueError:
    try:
        raise ValueError("bad <value> & \"quote\"")
    except ValueError as exc:
        return exc


CALLS: List[Tuple[str, Callable[..., None]]] = [
    ("start", lambda m, lg: m.modular_input_start(lg, "openai_audit://prod")),
    ("end", lambda m, lg: m.modular_input_end(lg, "openai_audit://prod")),
    ("ingested", lambda m, lg: m.events_ingested(lg, "openai_audit://prod", "openai:audit", 42, "audit",
                                                 account="acc")),
    ("ingested, no account", lambda m, lg: m.events_ingested(lg, "openai_inventory://inv", "openai:inventory", 0,
                                                             "main")),
    ("exception, traceback", lambda m, lg: m.log_exception(lg, _raised(), "IngestionError", msg_before="input=x:")),
    ("exception, short", lambda m, lg: m.log_exception(lg, _raised(), "IngestionError", full_msg=False)),
    ("connection", lambda m, lg: m.log_connection_error(lg, _raised(), full_msg=False, msg_before="b")),
    ("configuration", lambda m, lg: m.log_configuration_error(lg, _raised(), full_msg=False, msg_before="b")),
    ("permission", lambda m, lg: m.log_permission_error(lg, _raised(), full_msg=False, msg_after="a")),
    ("authentication", lambda m, lg: m.log_authentication_error(lg, _raised(), full_msg=False)),
    ("server", lambda m, lg: m.log_server_error(lg, _raised(), full_msg=True, msg_before="b", msg_after="a")),
]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_every_message_is_solnlibs(name: str, call: Callable[..., None]) -> None:
    lines = []
    for module in (solnlib_log, ours):
        logger = logging.getLogger(f"test_log_format.{name}.{module.__name__}")
        capture = _Capture()
        logger.handlers, logger.propagate = [capture], False
        logger.setLevel(logging.DEBUG)
        call(module, logger)
        lines.append(capture.lines)
    assert lines[1] == lines[0] and lines[0]


def test_an_input_name_without_scheme_is_refused_as_by_solnlib() -> None:
    logger = logging.getLogger("test_log_format.refused")
    for module in (solnlib_log, ours):
        with pytest.raises(ValueError, match="Invalid modular input name"):
            module.events_ingested(logger, "prod", "openai:audit", 1, "main")
