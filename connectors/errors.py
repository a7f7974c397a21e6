"""Connector errors: fatal ones are not retried; both name source, endpoint, status and interval."""

from __future__ import annotations


class ConnectorError(RuntimeError):
    """An API call that failed for good."""

    def __init__(self, source: str, endpoint: str, status: int | None, interval: str, detail: str) -> None:
        self.source, self.endpoint, self.status, self.interval = source, endpoint, status, interval
        shown = status if status is not None else "no response"
        super().__init__(
            f"{source}: GET {endpoint} failed (status {shown}) for interval {interval}: {detail}"
        )


class FatalApiError(ConnectorError):
    """Auth or request errors (400/401/403/404): retrying cannot help; fix the connection."""


class RetriesExhaustedError(ConnectorError):
    """Throttling, 5xx or network faults that outlasted every retry."""


class BadRecord(ValueError):
    """A record that cannot be landed; it goes to quarantine with this reason."""


class ConfigurationError(ValueError):
    """A setting is missing or malformed: retrying cannot help; the message names it and how to set it."""
