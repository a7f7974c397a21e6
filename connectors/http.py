"""The shared HTTP layer: one requests Session per connector run, urllib3 Retry, timeouts, redaction,
pacing within the vendor's limits (``connectors/pacing.py``) and each vendor's own way of throttling.

Throttling (429, with or without ``Retry-After``, in whole or decimal seconds as Shopify sends it), 5xx
and dropped connections are retried by urllib3 with capped exponential backoff. A vendor that throttles
in another way (Facebook's 400 with an error code) says so in its ``Throttling``, which also reads its
usage headers: when they say the limit is near, every client of the account holds its next request.
Other 4xx answers are fatal at once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from connectors.errors import FatalApiError, RetriesExhaustedError
from connectors.pacing import RateLimit, hold, limits_for, pacer
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


class RedactingFilter(logging.Filter):
    """Takes the secrets out of the URLs a library logs: urllib3's "Retrying ... after connection broken"
    warning prints the request's path and query string, and Graph API paging URLs carry the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


for _logger in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_logger).addFilter(RedactingFilter())


class VendorRetry(Retry):
    """urllib3's Retry, reading a ``Retry-After`` in decimal seconds too (Shopify sends ``2.0``, which
    urllib3 rejects as an invalid header and gives up on)."""

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            return super().parse_retry_after(retry_after)


def _never(_response: requests.Response) -> bool:
    return False


def _no_hint(_response: requests.Response) -> float | None:
    return None


def _no_hold(_response: requests.Response) -> float:
    return 0.0


@dataclass(frozen=True)
class Throttling:
    """How one vendor throttles besides a 429, and how near its limit a response says it is.

    ``throttled``: a throttling answer that is not a 429; ``wait_hint``: the seconds the vendor asks to
    wait after one, if it says (else exponential backoff); ``hold_for``: the seconds every request of the
    account should wait before the next, from the usage headers (0 when the limit is far).
    """

    throttled: Callable[[requests.Response], bool] = _never
    wait_hint: Callable[[requests.Response], float | None] = _no_hint
    hold_for: Callable[[requests.Response], float] = _no_hold


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
        throttling: Throttling = Throttling(),
        base_url: str = "",
        rate_limits: tuple[RateLimit, ...] = (),
    ) -> None:
        self.source, self.interval, self.secrets = source, interval, secrets
        self.pacers = [(limit.path, pacer(source, base_url, limit)) for limit in rate_limits]
        self.usage = hold(source, base_url)
        self.timeout = (min(10.0, timeout), timeout)
        self.retries, self.backoff_factor, self.backoff_max = retries, backoff_factor, backoff_max
        self.throttling = throttling
        retry = VendorRetry(
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
        cls,
        source: str,
        settings: ConnectionSettings,
        interval: str,
        rate_limits: tuple[RateLimit, ...] = (),
        **kwargs: Any,
    ) -> ApiClient:
        """A client tuned by the connection's extra: ``retries``, ``backoff_factor``, ``timeout_seconds``,
        the rate limits' settings and ``pace``."""
        extra = settings.extra
        return cls(
            source,
            interval,
            retries=int(extra.get("retries", 5)),
            backoff_factor=float(extra.get("backoff_factor", 0.5)),
            timeout=float(extra.get("timeout_seconds", 60)),
            base_url=settings.base_url,
            rate_limits=limits_for(rate_limits, extra),
            **kwargs,
        )

    def _pace(self, url: str) -> None:
        """Wait for the usage hold and for a place under every rate limit the URL falls under."""
        if (held := self.usage.wait()) > 1:
            log.info("%s: %.1fs paused: its usage headers said the limit was near", self.source, held)
        for path, limit in self.pacers:
            if path in url and (waited := limit.wait()) > 1:
                log.info("%s: %.1fs paused to stay within %s", self.source, waited, limit.limit)

    def get(self, url: str, params: dict[str, Any] | None = None) -> requests.Response:
        """GET and return the response, or raise a fatal or retries-exhausted error."""
        shown = redact(url, self.secrets)
        for attempt in range(self.retries + 1):
            self._pace(url)
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                detail = redact(f"{type(exc).__name__}: {exc}", self.secrets)
                raise RetriesExhaustedError(self.source, shown, None, self.interval, detail) from None
            throttled = self.throttling.throttled(response)
            if not throttled and (held := self.throttling.hold_for(response)) > 0:
                self.usage.hold(held)  # a throttled answer waits its own way, below
            if not throttled or attempt == self.retries:
                break
            hint = self.throttling.wait_hint(response)
            pause = hint if hint is not None else min(self.backoff_max, self.backoff_factor * 2**attempt)
            log.warning("%s: throttled on %s, retrying in %.1fs", self.source, shown, pause)
            time.sleep(pause)
        if response.ok:
            return response
        detail = redact(response.text[:300], self.secrets)
        retriable = response.status_code in RETRY_STATUSES or self.throttling.throttled(response)
        error = RetriesExhaustedError if retriable else FatalApiError
        raise error(self.source, shown, response.status_code, self.interval, detail)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.get(url, params).json()

    def close(self) -> None:
        self.session.close()
