"""Command line: poll the Audit Log API without Splunk and print every event as one JSON line."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Any, Optional, Sequence, TextIO
from urllib.parse import unquote, urlsplit

from . import __version__, redact
from .checkpoint import MemoryStore, SingleFileStore, Store
from .client import AuditLogClient, make_verify
from .errors import (
    AuthError, CheckpointError, CollectorError, ConfigError, ForbiddenError, ProtocolError, RetryBudgetExhausted,
    TlsError,
)
from .events import to_raw
from .poller import (
    DEFAULT_LAG, DEFAULT_OVERLAP, DEFAULT_SLICE, MAX_OVERLAP, MIN_OVERLAP, PollConfig, run, stream_specs,
)
from .redact import Redactor, redact_url
from .retry import RetryPolicy
from .shutdown import stop_on_sigterm
from .validation import parse_seconds, parse_start_date, validate_base_url

LOG = logging.getLogger("oai_audit.cli")

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_AUTH, EXIT_PROTOCOL, EXIT_UNAVAILABLE = 0, 1, 2, 3, 4, 5
DEFAULT_SINCE = 86400  # seconds before now when neither --since nor a checkpoint says otherwise
DEFAULT_MAX_SECONDS = 3600.0


class StdoutSink:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, obj: Any, time: Optional[int] = None) -> None:
        self.out.write(to_raw(obj) + "\n")

    def flush(self) -> None:
        self.out.flush()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="openai_audit_cli.py", description=(
        "Poll the OpenAI Audit Log API and print each audit event as one JSON line on stdout (logs on "
        "stderr). The admin key comes from --key or the OPENAI_ADMIN_KEY environment variable."))
    p.add_argument("--base-url", required=True, help="API base URL, e.g. https://api.openai.com/v1")
    p.add_argument("--key", help="admin API key (prefer the OPENAI_ADMIN_KEY environment variable)")
    p.add_argument("--since", help="start: ISO-8601 or epoch seconds (default: 24 hours ago; a checkpoint wins)")
    p.add_argument("--until", help="end: ISO-8601 or epoch seconds (default: now)")
    p.add_argument("--tenant", action="store_true", help="also poll tenant-scoped events (tenant_only=true)")
    p.add_argument("--event-type", action="append", default=[], metavar="TYPE", help="filter (repeatable)")
    p.add_argument("--project-id", action="append", default=[], metavar="ID", help="filter (repeatable)")
    p.add_argument("--ca-bundle", help="PEM file of CA certificates to verify the API's TLS certificate")
    p.add_argument("--proxy", help="proxy URL, e.g. http://user:pass@proxy:3128")
    p.add_argument("--checkpoint-file", help="resume from / save progress to this file (tenant: <file>.tenant)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    p.add_argument("--lag", type=int, default=DEFAULT_LAG, help="seconds behind now to stop at (default 0)")
    p.add_argument("--overlap", default=str(DEFAULT_OVERLAP),
                   help=f"seconds re-read below the newest collected event for late events "
                        f"({MIN_OVERLAP}-{MAX_OVERLAP}, default {DEFAULT_OVERLAP})")
    p.add_argument("--slice-seconds", type=int, default=DEFAULT_SLICE, help="maximum time slice width")
    p.add_argument("--retry-budget", type=float, default=120.0, help="seconds of retrying per request")
    p.add_argument("--max-pages", type=int, help="run bound: stop each stream at a page boundary after this many "
                                                "pages (checkpoint saved; the next run continues)")
    p.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS,
                   help=f"run bound: stop each stream at a page boundary after this many seconds (default "
                        f"{DEFAULT_MAX_SECONDS:.0f})")
    p.add_argument("--version", action="version", version=f"TA-openai-audit {__version__}")
    return p


def _setup_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if level != "DEBUG":
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)


def _proxy_password(url: Optional[str]) -> Optional[str]:
    try:
        password = urlsplit(url).password if url else None
    except ValueError:
        return None
    return unquote(password) if password else None


def exit_code_for(error: CollectorError) -> int:
    if isinstance(error, (AuthError, ForbiddenError)):
        return EXIT_AUTH
    if isinstance(error, (ProtocolError, CheckpointError)):
        return EXIT_PROTOCOL
    if isinstance(error, RetryBudgetExhausted):
        return EXIT_UNAVAILABLE
    if isinstance(error, (ConfigError, TlsError)):
        return EXIT_CONFIG
    return EXIT_ERROR


def main(argv: Optional[Sequence[str]] = None, out: Optional[TextIO] = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.log_level)
    secrets = Redactor([args.key or os.environ.get("OPENAI_ADMIN_KEY", ""), _proxy_password(args.proxy)])
    redact.install(logging.getLogger().handlers, secrets)
    out = out if out is not None else sys.stdout
    now = time.time()
    try:
        base_url = validate_base_url(args.base_url)
        key = args.key or os.environ.get("OPENAI_ADMIN_KEY", "")
        if not key.strip():
            raise ConfigError("No admin key: pass --key or set OPENAI_ADMIN_KEY.")
        start = parse_start_date(args.since, now) if args.since else int(now) - DEFAULT_SINCE
        until = parse_start_date(args.until, now + 86400 * 365 * 100) if args.until else None
        if until is not None and until < start:
            raise ConfigError("--until is before --since.")
        overlap = parse_seconds(args.overlap, "--overlap", MIN_OVERLAP, MAX_OVERLAP, DEFAULT_OVERLAP)
        if args.max_pages is not None and args.max_pages < 1 or args.max_seconds <= 0:
            raise ConfigError("--max-pages and --max-seconds must be positive.")
        verify = make_verify(True, args.ca_bundle) if args.ca_bundle else True
    except ConfigError as exc:
        LOG.error("%s", exc)
        return EXIT_CONFIG
    store: Store = SingleFileStore(args.checkpoint_file) if args.checkpoint_file else MemoryStore()
    cfg = PollConfig(start=start, lag=args.lag, overlap=overlap, slice_seconds=args.slice_seconds, until=until,
                     max_pages=args.max_pages, max_seconds=args.max_seconds)
    specs = stream_specs(args.event_type, args.project_id, args.tenant)
    LOG.info("polling %s (proxy=%s) from %d%s", base_url, redact_url(args.proxy) or "none", start,
             f" to {until}" if until is not None else "")
    policy = RetryPolicy(budget=args.retry_budget)
    with AuditLogClient(base_url, key.strip(), proxy=args.proxy, verify=verify, policy=policy,
                        redactor=secrets) as client, stop_on_sigterm() as stop:
        try:
            results = run(client, specs, store, StdoutSink(out), cfg, input_name="cli", account="cli", stop=stop)
        except BrokenPipeError:  # e.g. piped into `head`: stop quietly, checkpoint at the last full page
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno() if hasattr(out, "fileno") else 1)
            LOG.info("stdout was closed; stopping (checkpoint kept at the last completed page)")
            return EXIT_OK
    code = EXIT_OK
    for res in results:
        LOG.info("%s", res.summary())
        if res.warning:
            LOG.warning("%s", res.warning)
        if res.error is not None:
            LOG.error("stream %s stopped: %s", res.stream, res.error)
            code = code or exit_code_for(res.error)
    return code
