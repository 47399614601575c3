"""Validation of an account (admin key) when it is saved in the setup UI: pure, testable without Splunk."""
from __future__ import annotations

from typing import Callable, Mapping, Optional

from .validation import DEFAULT_BASE_URL, validate_credentials

# What the UCC UI / splunktaucclib send back for an encrypted field that was not changed on edit.
MASKED_VALUES = ("", "******", "********")


def effective_key(submitted: Optional[str], stored: Callable[[], Optional[str]]) -> str:
    """The key to validate: the submitted one, or on edit (masked placeholder) the stored one."""
    if submitted is not None and submitted.strip() not in MASKED_VALUES:
        return submitted.strip()
    return (stored() or "").strip()


def check_account(payload: Mapping[str, str], *, stored_key: Callable[[], Optional[str]],
                  proxy_url: Optional[str]) -> None:
    """Raise oai_audit.errors.ConfigError (user-facing message, never the key) if the account cannot read
    the audit log; one ``limit=1`` request is made."""
    validate_credentials(
        payload.get("base_url") or DEFAULT_BASE_URL,
        effective_key(payload.get("api_key"), stored_key),
        proxy_url=proxy_url,
        verify=payload.get("ca_bundle") or True,
    )
