"""The add-on's log files and its monitoring messages, as solnlib 7's ``solnlib.log`` writes them, without importing
``solnlib.log``: that module imports ``solnlib.splunkenv`` for one path, and with it subprocess, configparser and,
inside Splunk, Splunk's own ``splunk.rest`` (lxml among what that imports), in every input process.

Same file (``$SPLUNK_HOME/var/log/splunk/<name>.log``, rotated at 25 MB, 5 kept), same line format, same messages
(``action=started``, ``action=events_ingested ...``, ``exc_l="<label>" ...``, which UCC's monitoring dashboard
reads). tests/collector/test_log_format.py writes every one through solnlib.log and through this module and
compares the lines."""
from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from typing import Any, Dict, Optional

LOG_FORMAT = ("%(asctime)s log_level=%(levelname)s pid=%(process)d tid=%(threadName)s "
              "file=%(filename)s:%(funcName)s:%(lineno)d | %(message)s")
MAX_BYTES = 25000000
BACKUP_COUNT = 5


def log_file(name: str) -> str:
    """Where the logger ``name`` writes: Splunk's log directory (a clear error outside Splunk)."""
    home = os.environ.get("SPLUNK_HOME")
    if not home:
        raise RuntimeError("SPLUNK_HOME is not set: the add-on's logs go to $SPLUNK_HOME/var/log/splunk")
    return os.path.join(home, "var", "log", "splunk", f"{name}.log")


def get_logger(name: str) -> logging.Logger:
    """The logger writing to ``log_file(name)``, with its rotating file handler (added once), level INFO until
    the add-on's log level is set, not propagating to the root logger."""
    path = log_file(name)
    logger = logging.getLogger(path)
    if not any(getattr(h, "baseFilename", None) == path for h in logger.handlers):
        handler = logging.handlers.RotatingFileHandler(path, mode="a", maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log_event(logger: logging.Logger, key_values: Dict[str, Any], log_level: int = logging.INFO) -> None:
    logger.log(log_level, " ".join(f"{k}={v}" for k, v in key_values.items()))


def modular_input_start(logger: logging.Logger, modular_input_name: str) -> None:
    log_event(logger, {"action": "started", "modular_input_name": modular_input_name})


def modular_input_end(logger: logging.Logger, modular_input_name: str) -> None:
    log_event(logger, {"action": "ended", "modular_input_name": modular_input_name})


def events_ingested(logger: logging.Logger, modular_input_name: str, sourcetype: str, n_events: int, index: str,
                    account: Optional[str] = None) -> None:
    """``modular_input_name``: ``<scheme>://<name>`` (ValueError otherwise, as in solnlib)."""
    if "://" not in modular_input_name:
        raise ValueError(f"Invalid modular input name: {modular_input_name}. "
                         f"It should be in format <input_type>://<input_name>")
    fields: Dict[str, Any] = {"action": "events_ingested", "modular_input_name": modular_input_name,
                              "sourcetype_ingested": sourcetype, "n_events": n_events,
                              "event_input": modular_input_name.split("/")[-1], "event_index": index}
    if account:
        fields["event_account"] = account
    log_event(logger, fields)


def log_exception(logger: logging.Logger, exc: BaseException, exc_label: str, full_msg: bool = True,
                  msg_before: Optional[str] = None, msg_after: Optional[str] = None,
                  log_level: int = logging.ERROR) -> None:
    """``exc_l="<label>" <msg_before>\\n<the exception, with its traceback if full_msg>\\n<msg_after>``."""
    if full_msg:
        error = traceback.format_exception(type(exc), exc, exc.__traceback__)
    else:
        error = traceback.format_exception_only(type(exc), exc)
    before = msg_before if msg_before is not None else ""
    after = msg_after if msg_after is not None else ""
    message = f"{before}\n{''.join(error)}\n{after}"
    logger.log(log_level, f'exc_l="{exc_label}" {message}')


def _labelled(label: str) -> Any:
    def log_error(logger: logging.Logger, exc: BaseException, full_msg: bool = True, msg_before: Optional[str] = None,
                  msg_after: Optional[str] = None) -> None:
        log_exception(logger, exc, label, full_msg=full_msg, msg_before=msg_before, msg_after=msg_after)
    return log_error


log_connection_error = _labelled("Connection Error")
log_configuration_error = _labelled("Configuration Error")
log_permission_error = _labelled("Permission Error")
log_authentication_error = _labelled("Authentication Error")
log_server_error = _labelled("Server Error")
