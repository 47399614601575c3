"""Exception hierarchy of the collector. Messages are user-facing and never contain secrets."""
from __future__ import annotations

from typing import Optional


class CollectorError(Exception):
    """Base class of every error the collector raises on purpose."""

    retryable = False


class ConfigError(CollectorError):
    """The input or CLI configuration is invalid (bad URL, bad start date...)."""


class ApiError(CollectorError):
    """The API answered with an HTTP error status."""

    def __init__(self, message: str, status: Optional[int] = None, api_message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.api_message = api_message


class AuthError(ApiError):
    """401: the admin key is missing, invalid or revoked."""


class ForbiddenError(ApiError):
    """403: the key is valid but not allowed to read the audit log."""


class ScopeError(ForbiddenError):
    """403 naming a missing scope (the key lacks ``api.audit_logs.read``)."""


class ClientError(ApiError):
    """Any other 4xx answer (bad request, not found...): not retried."""


class TenantNotEnabled(ApiError):
    """The organization is not tenant-enabled: the ``tenant_only=true`` stream is refused."""


class RateLimited(ApiError):
    """429. ``retry_after`` is the server's delay in seconds, when it sent one."""

    retryable = True

    def __init__(self, message: str, retry_after: Optional[float] = None, status: int = 429,
                 api_message: str = "") -> None:
        super().__init__(message, status=status, api_message=api_message)
        self.retry_after = retry_after


class TransientError(ApiError):
    """5xx, 408, timeouts, connection errors and resets: retried with backoff."""

    retryable = True


class TlsError(CollectorError):
    """The API's TLS certificate could not be verified: a configuration problem, not retried."""


class ProtocolError(CollectorError):
    """The API answered something the collector cannot safely follow (pagination anomaly)."""


class MalformedResponse(ProtocolError):
    """The body is not valid JSON or not a list object (truncated, garbage). Retried: may be transient."""

    retryable = True


class PaginationError(ProtocolError):
    """has_more without last_id, an empty page with has_more, or a repeated cursor: never followed."""


class RetryBudgetExhausted(CollectorError):
    """A retryable error persisted past the retry budget; ``last`` is the final error."""

    def __init__(self, message: str, last: CollectorError) -> None:
        super().__init__(message)
        self.last = last


class CheckpointError(CollectorError):
    """The checkpoint could not be read, written or migrated."""


class CheckpointLocked(CheckpointError):
    """Another process holds the lock of this checkpoint key: this run writes nothing and exits."""
