"""Fault injection: make any sandbox route misbehave the way real vendor APIs do, request by request.

A test queues faults for a route (by its handler name, e.g. ``shopify_orders``); each request to the
route takes the next one, and requests after the queue is empty are served normally.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
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

    kind: str  # "status", "throttle", "page_throttle", "reset", "slow", "expired_token", "duplicate", "malformed"
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0

    @classmethod
    def throttle(cls, retry_after: float = 1) -> Fault:
        return cls("throttle", 429, retry_after)

    @classmethod
    def page_throttle(cls) -> Fault:
        """Facebook's limit of calls to one Page with a Page token: a 400 with error code 80001."""
        return cls("page_throttle", 400)

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

    @classmethod
    def duplicate(cls) -> Fault:
        """The page starts with the last record of the previous page again (as Zendesk exports do)."""
        return cls("duplicate")

    @classmethod
    def malformed(cls) -> Fault:
        """The page's first record loses its shape (a truncated or foreign object)."""
        return cls("malformed")


SKIPPED_LISTS = ("links", "metric_sets")


def page_items(body: object) -> list | None:
    """The list of records in a vendor response body (``orders``, ``data``, ``tickets``...)."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key not in SKIPPED_LISTS and isinstance(value, list) and value and isinstance(value[0], dict):
                return value
    return None


def vendor_of(route: str) -> str:
    return route.split("_", 1)[0]


@dataclass
class FaultPlan:
    """Queued faults per route, and a log of every request each route received (for assertions): when
    it came, and the most requests each vendor had in flight at once."""

    queued: dict[str, deque[Fault | None]] = field(default_factory=lambda: defaultdict(deque))
    requests: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    last_record: dict[str, dict] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    most_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def serving(self, route: str) -> Iterator[int]:
        """Count the request as in flight for its vendor while the block runs; yields how many are."""
        vendor = vendor_of(route)
        with self.lock:
            self.in_flight[vendor] += 1
            self.most_in_flight[vendor] = max(self.most_in_flight[vendor], self.in_flight[vendor])
            in_flight = self.in_flight[vendor]
        try:
            yield in_flight
        finally:
            with self.lock:
                self.in_flight[vendor] -= 1

    def inject(self, route: str, *faults: Fault | None) -> None:
        """Queue faults for the route's next requests; ``None`` lets one request through untouched."""
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
            self.last_record.clear()
            self.most_in_flight.clear()

    def shape(self, route: str, fault: Fault | None, body: object) -> object:
        """Apply a data fault to a page about to be served, and remember its last record."""
        items = page_items(body)
        if items is None:
            return body
        previous = self.last_record.get(route)
        self.last_record[route] = items[-1]
        if fault and fault.kind == "duplicate" and previous is not None:
            items.insert(0, previous)
        elif fault and fault.kind == "malformed":
            items[0] = {"unexpected": "shape", "truncated": True}
        return body


NAMED_FAULTS = {
    "ok": None,
    "throttle": Fault.throttle(),
    "error500": Fault.error(500),
    "error503": Fault.error(503),
    "reset": Fault.reset(),
    "slow": Fault.slow(5),
    "expired_token": Fault.expired_token(),
    "duplicate": Fault.duplicate(),
    "malformed": Fault.malformed(),
}


def parse_fault_spec(spec: str) -> tuple[str, list[Fault | None]]:
    """``shopify_orders=throttle,error503,ok,duplicate`` → the route and its queue of faults."""
    route, _, names = spec.partition("=")
    unknown = [n for n in names.split(",") if n not in NAMED_FAULTS]
    if not route or not names or unknown:
        raise ValueError(
            f"bad fault spec {spec!r}: use ROUTE=KIND[,KIND...] with KIND in {', '.join(NAMED_FAULTS)}"
        )
    return route, [NAMED_FAULTS[n] for n in names.split(",")]
