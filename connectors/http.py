"""The shared HTTP layer: one requests Session per connector run, urllib3 Retry, timeouts, redaction,
and the pacing that keeps every client of one vendor account within the vendor's documented rate limits.

Throttling (429 with ``Retry-After``), 5xx and dropped connections are retried by urllib3 with capped
exponential backoff; vendors that signal throttling in the body (Facebook's 400 ``OAuthException``
codes 4, 17, 32, 613) are retried here with the same backoff. 400/401/403/404 are fatal at once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class RateLimit:
    """A documented limit: at most ``requests`` in any ``seconds``, on the URLs whose path contains
    ``path`` (every URL when empty). ``setting`` names the connection extra that sets ``requests`` for
    an account whose plan allows more (or less)."""

    requests: int
    seconds: float
    setting: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.requests} requests per {self.seconds:g} s" + (f" on {self.path}" if self.path else "")


class _Pacer:
    """A sliding window of the requests sent under one limit; ``wait`` blocks until one more fits."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> float:
        """Block until the request may go; returns the seconds waited."""
        waited = 0.0
        while True:
            with self.lock:
                now = time.monotonic()
                while self.sent and self.sent[0] <= now - self.limit.seconds:
                    self.sent.popleft()
                if len(self.sent) < self.limit.requests:
                    self.sent.append(now)
                    return waited
                pause = self.sent[0] + self.limit.seconds - now
            time.sleep(pause)
            waited += pause


_PACERS: dict[tuple[str, str, RateLimit], _Pacer] = {}
_PACERS_LOCK = threading.Lock()


def pacer(source: str, base_url: str, limit: RateLimit) -> _Pacer:
    """The one pacer of a limit for a vendor account in this process, shared by all its clients."""
    with _PACERS_LOCK:
        return _PACERS.setdefault((source, base_url, limit), _Pacer(limit))


def limits_for(limits: tuple[RateLimit, ...], extra: dict[str, Any]) -> tuple[RateLimit, ...]:
    """The vendor's limits as the connection's extra sets them; ``"pace": false`` turns pacing off
    (throttling answers are still honoured)."""
    if str(extra.get("pace", True)).lower() == "false":
        return ()
    return tuple(
        replace(limit, requests=int(extra[limit.setting])) if limit.setting in extra else limit
        for limit in limits
    )


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
        base_url: str = "",
        rate_limits: tuple[RateLimit, ...] = (),
    ) -> None:
        self.source, self.interval, self.secrets = source, interval, secrets
        self.pacers = [(limit.path, pacer(source, base_url, limit)) for limit in rate_limits]
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
        cls,
        source: str,
        settings: ConnectionSettings,
        interval: str,
        rate_limits: tuple[RateLimit, ...] = (),
        **kwargs: Any,
    ) -> ApiClient:
        """A client tuned by the connection's extra: ``retries``, ``backoff_factor``, ``timeout_seconds``,
        ``requests_per_minute``."""
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
