"""Fault injection: make any sandbox route misbehave the way real vendor APIs do, request by request.

A test queues faults for a route (by its handler name, e.g. ``shopify_orders``); each request to the
route takes the next one, and requests after the queue is empty are served normally.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

# Each vendor's throttling and error bodies, as the real API sends them.
THROTTLE_BODIES = {
    "mailchimp": {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Too Many Requests",
                  "status": 429, "detail": "You have exceeded the limit of 10 simultaneous connections."},
    "facebook": {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException",
                           "code": 4, "is_transient": True}},
    "trustpilot": {"fault": {"faultstring": "Rate limit quota violation"}},
    "zendesk": {"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"},
    "shopify": {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."},
}  # fmt: skip


@dataclass(frozen=True)
class Fault:
    """One misbehaviour: an error status, a dropped connection, a slow answer or an expired token."""

    kind: str  # "status", "throttle", "reset", "slow", "expired_token"
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0

    @classmethod
    def throttle(cls, retry_after: float = 1) -> Fault:
        return cls("throttle", 429, retry_after)

    @classmethod
    def error(cls, status: int = 500) -> Fault:
        return cls("status", status)

    @classmethod
    def reset(cls) -> Fault:
        return cls("reset")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", seconds=seconds)

    @classmethod
    def expired_token(cls) -> Fault:
        return cls("expired_token", 401)


@dataclass
class FaultPlan:
    """Queued faults per route, and a log of every request each route received (for assertions)."""

    queued: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    requests: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, route: str, *faults: Fault) -> None:
        with self.lock:
            self.queued[route].extend(faults)

    def next_fault(self, route: str) -> Fault | None:
        with self.lock:
            self.requests[route].append(time.monotonic())
            return self.queued[route].popleft() if self.queued[route] else None

    def clear(self) -> None:
        with self.lock:
            self.queued.clear()
            self.requests.clear()


def throttle_body(route: str) -> bytes:
    vendor = route.split("_", 1)[0]
    return json.dumps(THROTTLE_BODIES.get(vendor, {"error": "throttled"})).encode()
