"""Validation of an account (admin key) when it is saved in the setup UI: pure, testable without Splunk.

The stored key only ever goes to the base URL it was saved with: an edit that changes the base URL must carry
the key again, and an edit without a new key is validated against the saved URL. Every field is checked
before any request is made."""
from __future__ import annotations

from typing import Callable, Mapping, Optional

from .errors import ConfigError
from .proxy import is_true
from .redact import Redactor
from .validation import DEFAULT_BASE_URL, validate_base_url, validate_credentials

ADVANCED_STANZA = "advanced"  # ta_openai_audit_settings.conf, Configuration > Advanced
ALLOW_CUSTOM_FIELD = "allow_custom_base_url"

# What the UCC UI / splunktaucclib send back for an encrypted field that was not changed on edit.
MASKED_VALUES = ("", "******", "********")
NEW_URL_NEEDS_KEY = ("Changing the base URL requires entering the admin key again: the saved key is only ever "
                     "sent to the base URL it was saved with.")


def custom_url_allowed(advanced: Optional[Mapping[str, str]]) -> bool:
    """The admin setting that allows a base URL other than the official OpenAI API (off by default)."""
    return is_true((advanced or {}).get(ALLOW_CUSTOM_FIELD, "0"))


def is_new_key(submitted: Optional[str]) -> bool:
    return submitted is not None and submitted.strip() not in MASKED_VALUES


def effective_key(submitted: Optional[str], stored: Callable[[], Optional[str]]) -> str:
    """The key to validate: the submitted one, or on edit (masked placeholder) the stored one."""
    if is_new_key(submitted):
        return str(submitted).strip()
    return (stored() or "").strip()


def _field(payload: Mapping[str, str], saved: Mapping[str, str], name: str) -> str:
    """A field as it will be saved: the submitted value, or on edit (field omitted) the saved one."""
    value = payload.get(name)
    return str(saved.get(name) or "" if value is None else value).strip()


def check_account(payload: Mapping[str, str], *, saved: Optional[Mapping[str, str]], proxy_url: Optional[str],
                  allow_custom: bool = False, proxy_password: Optional[str] = None) -> None:
    """Raise ConfigError (user-facing message, never a secret) if the account cannot read the audit log.
    ``saved`` is the stored account on edit (None on create). One ``limit=1`` request is made, bounded."""
    stored = saved or {}
    url = validate_base_url(_field(payload, stored, "base_url") or DEFAULT_BASE_URL, allow_custom)
    submitted = payload.get("api_key")
    if is_new_key(submitted):
        key = str(submitted).strip()
    else:
        if saved is None:
            raise ConfigError("Admin API key is required.")
        saved_url = validate_base_url(stored.get("base_url") or DEFAULT_BASE_URL, True)
        if url != saved_url:
            raise ConfigError(NEW_URL_NEEDS_KEY)
        key = str(stored.get("api_key") or "").strip()
    ca_bundle = _field(payload, stored, "ca_bundle")
    validate_credentials(url, key, proxy_url=proxy_url, verify=ca_bundle or True, allow_custom=allow_custom,
                         redactor=Redactor([key, proxy_password]))
