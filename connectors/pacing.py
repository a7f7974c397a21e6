"""Keeping every client of one vendor account within the vendor's limits: sliding windows for the
documented rate limits, and a hold for when the vendor's usage headers say the limit is near.

Both are shared by all the clients of an account in the process (the windows of a range run on threads).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class RateLimit:
    """A documented limit: at most ``requests`` in any ``seconds``, on the URLs whose path contains
    ``path`` (every URL when empty). ``setting`` names the connection extra that sets ``requests`` for
    an account whose plan allows more (or less)."""

    requests: int
    seconds: float
    setting: str
    path: str = ""
    leaks: bool = False  # a leaky bucket of `requests`, emptied in `seconds`, rather than a window

    def __str__(self) -> str:
        if self.leaks:
            return f"a bucket of {self.requests} requests leaking {self.requests / self.seconds:g} a second"
        return f"{self.requests} requests per {self.seconds:g} s" + (f" on {self.path}" if self.path else "")


class Pacer:
    """Requests sent under one limit: a sliding window (at most N in any S seconds), or a leaky bucket
    (N deep, leaking N/S a second, as Shopify counts); ``wait`` blocks until one more fits."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()
        self.level, self.leaked_at = 0.0, time.monotonic()
        self.lock = threading.Lock()

    def _pause(self, now: float) -> float:
        """Seconds until one more request fits (counting it when it does)."""
        requests, seconds = self.limit.requests, self.limit.seconds
        if self.limit.leaks:
            self.level = max(0.0, self.level - (now - self.leaked_at) * requests / seconds)
            self.leaked_at = now
            if self.level + 1 <= requests:
                self.level += 1
                return 0.0
            return (self.level + 1 - requests) * seconds / requests
        while self.sent and self.sent[0] <= now - seconds:
            self.sent.popleft()
        if len(self.sent) < requests:
            self.sent.append(now)
            return 0.0
        return self.sent[0] + seconds - now

    def wait(self) -> float:
        """Block until the request may go; returns the seconds waited."""
        waited = 0.0
        while True:
            with self.lock:
                pause = self._pause(time.monotonic())
            if pause <= 0:
                return waited
            time.sleep(pause)
            waited += pause


class Hold:
    """Holds every request of an account until a moment: set when a usage header says the limit is near."""

    def __init__(self) -> None:
        self.until = 0.0
        self.lock = threading.Lock()

    def hold(self, seconds: float) -> None:
        with self.lock:
            self.until = max(self.until, time.monotonic() + seconds)

    def wait(self) -> float:
        """Block until the hold is over; returns the seconds waited."""
        with self.lock:
            pause = self.until - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        return max(pause, 0.0)


_SHARED: dict[tuple[str, str, object], Any] = {}
_SHARED_LOCK = threading.Lock()


def pacer(source: str, base_url: str, limit: RateLimit) -> Pacer:
    """The one pacer of a limit for a vendor account in this process."""
    with _SHARED_LOCK:
        return _SHARED.setdefault((source, base_url, limit), Pacer(limit))


def hold(source: str, base_url: str) -> Hold:
    """The one usage hold of a vendor account in this process."""
    with _SHARED_LOCK:
        return _SHARED.setdefault((source, base_url, Hold), Hold())


def limits_for(limits: tuple[RateLimit, ...], extra: dict[str, Any]) -> tuple[RateLimit, ...]:
    """The vendor's limits as the connection's extra sets them; ``"pace": false`` turns pacing off
    (throttling answers are still honoured)."""
    if str(extra.get("pace", True)).lower() == "false":
        return ()
    return tuple(
        replace(limit, requests=int(extra[limit.setting])) if limit.setting in extra else limit
        for limit in limits
    )
