"""Configuration checks with clear, user-facing messages (used by the account/input REST handlers,
the modular input and the CLI)."""
from __future__ import annotations

import re
import ssl
from datetime import datetime, timezone
from typing import Optional, Union
from urllib.parse import urlsplit, urlunsplit

import httpx

from .client import AuditLogClient, Query, make_verify
from .errors import (
    AuthError, ClientError, CollectorError, ConfigError, ForbiddenError, MalformedResponse, RateLimited,
    ScopeError, TlsError, TransientError,
)
from .redact import Redactor, redact_url
from .retry import RetryPolicy

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# The OpenAI API hosts the stored admin key may go to without the custom-URL setting. The Admin API is
# documented on api.openai.com only; the regional hosts of the data-residency guide (us./eu./au./in./jp.
# api.openai.com, https://developers.openai.com/api/docs/guides/data-residency) serve project-scoped customer
# content, and data residency "does not apply to system data" such as the audit log.
OFFICIAL_BASE_URLS = (DEFAULT_BASE_URL,)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
CUSTOM_URL_HELP = ("A custom base URL (a company gateway, a local simulator) must first be allowed under "
                   "Configuration > Advanced.")


def validate_base_url(url: Optional[str], allow_custom: bool = True) -> str:
    """Normalised base URL (no trailing slash). Without ``allow_custom`` only the official OpenAI API URL;
    with it any https URL, and http only on a loopback address. Messages never echo credentials."""
    text = (url or "").strip() or DEFAULT_BASE_URL
    shown = redact_url(text)[:300]
    try:
        parts = urlsplit(text)
        hostname, _ = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(f"Base URL '{shown}' is not a valid http(s) URL, e.g. {DEFAULT_BASE_URL}.") from None
    if parts.scheme not in ("https", "http") or not hostname:
        raise ConfigError(f"Base URL '{shown}' is not a valid http(s) URL, e.g. {DEFAULT_BASE_URL}.")
    if parts.username or parts.password:
        raise ConfigError(f"Base URL '{shown}' must not contain credentials.")
    if parts.query or parts.fragment:
        raise ConfigError("Base URL must not contain a query string or fragment.")
    normalised = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    if not allow_custom and normalised not in OFFICIAL_BASE_URLS:
        raise ConfigError(f"Base URL '{shown}' is not the OpenAI API ({DEFAULT_BASE_URL}). {CUSTOM_URL_HELP}")
    if parts.scheme == "http" and hostname not in LOCAL_HOSTS:
        raise ConfigError(f"Base URL must use https:// (plain http is only allowed for 127.0.0.1/localhost): "
                          f"'{shown}'.")
    return normalised


_EPOCH = re.compile(r"^\d{1,11}$")
_BASIC_DATE = re.compile(r"^\d{8}$")  # ISO-8601 basic format YYYYMMDD (20261101), not 1970 epoch seconds


def parse_start_date(value: Union[str, int, None], now: float) -> int:
    """Unix seconds of an ISO-8601 date/time (UTC if no offset; also the basic date form YYYYMMDD) or of
    epoch seconds (any other 1 to 11 digits); not in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError("Start date is required (ISO-8601, e.g. 2024-01-31 or 2024-01-31T00:00:00Z).")
    text = str(value).strip()
    if _BASIC_DATE.match(text):
        try:
            ts = int(datetime.strptime(text, "%Y%m%d").replace(tzinfo=timezone.utc).timestamp())
        except ValueError:
            raise ConfigError(f"Start date '{text}' is not a date (YYYYMMDD, or ISO-8601 such as "
                              f"2024-01-31).") from None
    elif _EPOCH.match(text) and text.isascii():
        ts = int(text)
    else:
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            raise ConfigError(f"Start date '{text}' is not ISO-8601 (e.g. 2024-01-31 or "
                              f"2024-01-31T00:00:00Z).") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        ts = int(parsed.timestamp())
    if ts > now:
        raise ConfigError(f"Start date '{text}' is in the future.")
    if ts < 0:
        raise ConfigError(f"Start date '{text}' is before 1970.")
    return ts


SETUP_TIMEOUT = 10.0  # seconds per connect / read while an account is saved
SETUP_DEADLINE = 15.0  # seconds for the whole validation request, whatever the remote does


_INDEX = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def validate_index(name: Optional[str]) -> str:
    """An index name Splunk accepts for a new index (indexes.conf: lowercase letters, digits, ``_`` and ``-``,
    not starting with ``_`` or ``-``, not containing ``kvstore``); empty means ``default``."""
    text = (name or "").strip() or "default"
    if not _INDEX.match(text) or "kvstore" in text:
        raise ConfigError(f"Index '{text}' is not a valid Splunk index name: use lowercase letters, digits, '_' "
                          f"and '-', starting with a letter or digit, without 'kvstore'.")
    return text


def parse_seconds(value: Union[str, int, None], name: str, low: int, high: int, default: int) -> int:
    """A whole number of seconds within [low, high] (empty: ``default``). The message quotes at most 40
    characters of a refused value."""
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ConfigError(f"{name} '{shown}' must be a whole number of seconds from {low} to {high} (default "
                          f"{default}).")
    return int(text)


def validate_credentials(base_url: str, api_key: str, *, proxy_url: Optional[str] = None,
                         verify: Union[bool, str, ssl.SSLContext] = True, timeout: float = SETUP_TIMEOUT,
                         deadline: float = SETUP_DEADLINE, allow_custom: bool = True,
                         redactor: Optional[Redactor] = None) -> None:
    """Make ONE ``limit=1`` request (bounded by ``deadline``); raise ConfigError with a clear message if it
    fails. Messages never quote a remote body unless it is an OpenAI error object."""
    url = validate_base_url(base_url, allow_custom)
    if not api_key or not api_key.strip():
        raise ConfigError("Admin API key is required.")
    tls = make_verify(True, verify) if isinstance(verify, str) else verify
    client = AuditLogClient(url, api_key.strip(), proxy=proxy_url, verify=tls,
                            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), deadline=deadline,
                            policy=RetryPolicy(max_attempts=1), redactor=redactor)
    try:
        client.fetch_once(Query().params(None, None, None, limit=1))
    except AuthError:
        raise ConfigError("The admin API key was rejected (HTTP 401): check that it is a valid, active "
                          "organization admin key.") from None
    except ScopeError:
        raise ConfigError("The admin API key lacks the 'api.audit_logs.read' scope (HTTP 403): create an admin "
                          "key that may read audit logs.") from None
    except ForbiddenError as exc:
        raise ConfigError(f"The admin API key may not read the audit log (HTTP 403). {exc}") from None
    except RateLimited:
        raise ConfigError("The API is rate limiting this key (HTTP 429): try again in a minute.") from None
    except TlsError as exc:
        raise ConfigError(f"Cannot verify the TLS certificate of {url}: set a CA bundle for this account if a "
                          f"proxy or gateway re-signs TLS. ({exc})") from None
    except TransientError as exc:
        raise ConfigError(f"Cannot reach the OpenAI API at {url}: {exc}. Check the base URL, proxy and "
                          f"network.") from None
    except (ClientError, MalformedResponse) as exc:
        raise ConfigError(f"Unexpected answer from {url}: {exc}. Check the base URL.") from None
    except CollectorError as exc:
        raise ConfigError(str(exc)) from None
    finally:
        client.close()
