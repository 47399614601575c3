"""Redaction of secrets from anything the add-on writes (log lines, errors, events, checkpoints).

Two rules, both applied: the configured secrets themselves (admin key, proxy password; raw, URL-quoted and
base64, including the ``user:password`` of a proxy Basic header), and the shape rule for text that merely
looks like an API key (``sk-...``, ``key_...``), which also catches keys that were never configured here.
"""
from __future__ import annotations

import base64
import logging
import re
from typing import Iterable, List, Optional, Sequence
from urllib.parse import quote, urlsplit, urlunsplit

REDACTED = "<redacted>"
MIN_SECRET = 6  # shorter values (a 1-character password...) would redact ordinary text; they are refused
# a key-shaped token: sk-/key_ at a word start, or glued to other text (xsk-..., token_sk-...) when long
_KEYLIKE = re.compile(r"(?<![A-Za-z0-9])(?:sk|key)[-_][A-Za-z0-9_*\-]+|(?:sk|key)[-_][A-Za-z0-9_*\-]{16,}")


def _b64_forms(value: bytes) -> List[str]:
    """Base64 copies of ``value`` wherever it starts in a longer encoded string (three alignments), without
    the edge characters that depend on the neighbouring bytes."""
    out = []
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + value).decode("ascii")
        lead = 4 * ((pad + 2) // 3)  # characters touched by the padding bytes
        body = enc[lead:].rstrip("=")
        if len(body) > 2:
            body = body[:-2]  # the last characters also depend on what follows
        if len(body) >= MIN_SECRET:
            out.append(body)
            out.append(body.replace("+", "-").replace("/", "_"))
    return out


class Redactor:
    """Replaces every configured secret (and its encoded forms) and every key-shaped token by REDACTED."""

    def __init__(self, secrets: Iterable[Optional[str]] = (), user: Optional[str] = None) -> None:
        forms = set()
        for secret in secrets:
            if not secret or len(secret) < MIN_SECRET:
                continue
            forms.update({secret, quote(secret, safe=""), quote(secret)})
            forms.update(_b64_forms(secret.encode("utf-8")))
            if user:
                forms.update(_b64_forms(f"{user}:{secret}".encode("utf-8")))
        self.forms: Sequence[str] = sorted(forms, key=len, reverse=True)  # longest first
        self._bytes = [f.encode("utf-8") for f in self.forms]

    def __call__(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return scrub(text)

    def in_text(self, text: str) -> bool:
        """Whether a configured secret (any form) occurs in ``text``."""
        return any(f in text for f in self.forms)

    def in_bytes(self, data: bytes) -> bool:
        """Whether a configured secret (any form) occurs in ``data`` (a fast substring search)."""
        return any(b in data for b in self._bytes)

    def bytes(self, data: bytes) -> bytes:
        for form in self._bytes:
            data = data.replace(form, REDACTED.encode("ascii"))
        return data


def scrub(text: str) -> str:
    """The shape rule: anything that looks like an API key, even a masked prefix."""
    return _KEYLIKE.sub(REDACTED, text)


def redact_url(url: Optional[str]) -> str:
    """The URL with any user name and password removed, safe for logs and messages."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return REDACTED
    return urlunsplit((parts.scheme, f"{REDACTED}@{netloc}", parts.path, parts.query, parts.fragment))


class RedactingFilter(logging.Filter):
    """A handler filter: the record's final message passes through the redactor (args are merged first)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = self.redactor(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        return True


def install(handlers: Iterable[logging.Handler], redactor: Redactor) -> None:
    """Put one RedactingFilter on each handler (replacing an earlier one)."""
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactingFilter(redactor))
