"""The shared HTTP layer: one requests Session per connector run, urllib3 Retry, timeouts, redaction.

Throttling (429 with ``Retry-After``), 5xx and dropped connections are retried by urllib3 with capped
exponential backoff; vendors that signal throttling in the body (Facebook's 400 ``OAuthException``
codes 4, 17, 32, 613) are retried here with the same backoff. 400/401/403/404 are fatal at once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.errors import FatalApiError, RetriesExhaustedError
from connectors.settings import ConnectionSettings

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
_SECRET_PARAMS = re.compile(r"(access_token|apikey|api_key|token|key)=([^&\s]+)", re.IGNORECASE)


def redact(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """Remove secrets from a URL or message before it reaches a log or an exception."""
    text = _SECRET_PARAMS.sub(r"\1=***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class ApiClient:
    """GETs JSON from one vendor, retrying what a retry can fix and failing fast on the rest."""

    def __init__(
        self,
        source: str,
        interval: str,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        secrets: tuple[str | None, ...] = (),
        retries: int = 5,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        timeout: float = 60.0,
        throttled: Callable[[requests.Response], bool] | None = None,
    ) -> None:
        self.source, self.interval, self.secrets = source, interval, secrets
        self.timeout = (min(10.0, timeout), timeout)
        self.retries, self.backoff_factor, self.backoff_max = retries, backoff_factor, backoff_max
        self.throttled = throttled
        retry = Retry(
            total=retries,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            respect_retry_after_header=True,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        self.session = requests.Session()
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=retry))
        self.session.headers.update({"Accept": "application/json", "User-Agent": "touchpoints/0.1"})
        self.session.headers.update(headers or {})
        self.session.auth = auth

    @classmethod
    def for_connection(
        cls, source: str, settings: ConnectionSettings, interval: str, **kwargs: Any
    ) -> ApiClient:
        """A client tuned by the connection's extra: ``retries``, ``backoff_factor``, ``timeout_seconds``."""
        extra = settings.extra
        return cls(
            source,
            interval,
            retries=int(extra.get("retries", 5)),
            backoff_factor=float(extra.get("backoff_factor", 0.5)),
            timeout=float(extra.get("timeout_seconds", 60)),
            **kwargs,
        )

    def get(self, url: str, params: dict[str, Any] | None = None) -> requests.Response:
        """GET and return the response, or raise a fatal or retries-exhausted error."""
        shown = redact(url, self.secrets)
        for attempt in range(self.retries + 1):
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                detail = redact(f"{type(exc).__name__}: {exc}", self.secrets)
                raise RetriesExhaustedError(self.source, shown, None, self.interval, detail) from None
            if not (self.throttled and self.throttled(response)) or attempt == self.retries:
                break
            pause = min(self.backoff_max, self.backoff_factor * 2**attempt)
            log.warning("%s: throttled on %s, retrying in %.1fs", self.source, shown, pause)
            time.sleep(pause)
        if response.ok:
            return response
        detail = redact(response.text[:300], self.secrets)
        retriable = response.status_code in RETRY_STATUSES or (self.throttled and self.throttled(response))
        error = RetriesExhaustedError if retriable else FatalApiError
        raise error(self.source, shown, response.status_code, self.interval, detail)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.get(url, params).json()

    def close(self) -> None:
        self.session.close()
