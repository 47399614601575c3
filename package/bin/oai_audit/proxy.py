"""Proxy URL from the add-on's proxy settings stanza (solnlib get_proxy_dict output)."""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional
from urllib.parse import quote

from .errors import ConfigError
from .redact import redact_url  # noqa: F401  (re-exported: the proxy URL as logged)

TRUE = {"1", "true", "yes", "on", "t", "y"}
# The proxy tab's own rule (globalConfig.json): a host name or IPv4 address, or a bracketed IPv6 address.
_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\]")


def is_true(value: Any) -> bool:
    return str(value).strip().lower() in TRUE


def proxy_url_from_settings(settings: Optional[Mapping[str, Any]]) -> Optional[str]:
    """``type://user:pass@host:port`` (credentials URL-quoted) or None when the proxy is off."""
    if not settings or not is_true(settings.get("proxy_enabled", "0")):
        return None
    host = str(settings.get("proxy_url") or "").strip()
    port = str(settings.get("proxy_port") or "").strip()
    scheme = str(settings.get("proxy_type") or "http").strip().lower()
    if scheme not in ("http", "https"):
        raise ConfigError(f"Proxy type '{scheme}' is not supported (use http or https).")
    if not host:
        raise ConfigError("Proxy is enabled but no proxy host is set.")
    if not _HOST.fullmatch(host):
        raise ConfigError("The proxy host must be a host name or IP address only (no scheme, port, path, "
                          "credentials or spaces), e.g. proxy.example.com.")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"Proxy port '{port}' is not a valid port number.")
    user = str(settings.get("proxy_username") or "")
    password = str(settings.get("proxy_password") or "")
    auth = ""
    if user:
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "") + "@"
    return f"{scheme}://{auth}{host}:{port}"
