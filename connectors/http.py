"""The shared HTTP layer: one requests Session per connector run, urllib3 Retry, timeouts, redaction."""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.errors import FatalApiError, RetriesExhaustedError

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_TIMEOUT = (5.0, 60.0)
_SECRET_PARAMS = re.compile(r"(access_token|apikey|api_key|token|key)=([^&\s]+)", re.IGNORECASE)


def redact(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """Remove secrets from a URL or message before it reaches a log or an exception."""
    text = _SECRET_PARAMS.sub(r"\1=***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class ApiClient:
    """GETs JSON from one vendor with retries on throttling, 5xx and dropped connections."""

    def __init__(
        self,
        source: str,
        interval: str,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        secrets: tuple[str | None, ...] = (),
        retries: int = 5,
        backoff_factor: float = 0.5,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.source, self.interval, self.timeout = source, interval, timeout
        self.secrets = secrets
        retry = Retry(
            total=retries,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=30,
            respect_retry_after_header=True,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers.update({"Accept": "application/json", "User-Agent": "touchpoints/0.1"})
        self.session.headers.update(headers or {})
        self.session.auth = auth

    def get(self, url: str, params: dict[str, Any] | None = None) -> requests.Response:
        """GET and return the response, or raise a fatal or retries-exhausted error."""
        shown = redact(url, self.secrets)
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise RetriesExhaustedError(
                self.source, shown, None, self.interval, redact(str(exc), self.secrets)
            ) from None
        if response.ok:
            return response
        detail = redact(response.text[:300], self.secrets)
        error = RetriesExhaustedError if response.status_code in RETRY_STATUSES else FatalApiError
        raise error(self.source, shown, response.status_code, self.interval, detail)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.get(url, params).json()

    def close(self) -> None:
        self.session.close()
