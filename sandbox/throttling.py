"""Each vendor's own throttling, as its documentation describes it, for the sandbox to enforce.

- Shopify: a leaky bucket per store (40 requests, leaking 2 a second); every answer says how full it is
  (``X-Shopify-Shop-Api-Call-Limit: 32/40``); a request into a full bucket gets 429 with a decimal
  ``Retry-After: 2.0``.
- Zendesk: 10 requests a minute on the incremental exports, 200 a minute on everything (``X-Rate-Limit``,
  ``X-Rate-Limit-Remaining``, ``ratelimit-reset``); over either, 429 ``text/plain`` with ``Retry-After``
  in whole seconds.
- Mailchimp: 10 simultaneous connections; the eleventh gets 429 problem+json, without ``Retry-After``.
- Trustpilot: 833 calls per 5 minutes; over it, 429 without ``Retry-After``.
- Facebook: calls counted over a rolling hour; every answer carries ``X-App-Usage`` and
  ``X-Business-Use-Case-Usage`` (percent of the limit, and minutes to regain access); at 100% a 400
  with error code 4 (application) or 80001 (Page).
- Meta Marketing API: calls per ad account and business use case over a rolling hour (``ads_insights``
  for insights, ``ads_management`` for ad objects); every answer carries ``X-Business-Use-Case-Usage``
  keyed by the account; over the budget a 400 with code 80000 (insights) or 80004 (ads management),
  the header at 100% and the minutes to regain access.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from sandbox.ads import AD_ACCOUNT_ID
from sandbox.faults import THROTTLE_BODIES
from sandbox.generator import PAGE_ID

Window = tuple[int, float]  # at most this many requests in any this many seconds
PAGE_LIMIT_REACHED = {
    "error": {
        "message": "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
        "type": "OAuthException", "code": 80001, "is_transient": True,
    }
}  # fmt: skip


def use_case(route_or_path: str) -> str:
    """The Marketing API business use case a request counts against."""
    return "ads_insights" if "insights" in route_or_path else "ads_management"


def buc_limit_reached(route_or_path: str) -> dict[str, object]:
    """Meta's answer past a business use case's limit: 80000 for ads insights, 80004 for ads management."""
    code = 80000 if use_case(route_or_path) == "ads_insights" else 80004
    message = f"(#{code}) There have been too many calls from this ad-account. Wait a bit and try again."
    return {"error": {"message": message, "type": "OAuthException", "code": code, "error_subcode": 2446079,
                      "is_transient": True, "fbtrace_id": "AbCdEfGhIjK"}}  # fmt: skip


@dataclass(frozen=True)
class VendorLimits:
    """How hard the sandbox holds each vendor to its limits; None leaves one unenforced."""

    shopify_bucket: int | None = 40
    zendesk_incremental: Window | None = (10, 60.0)
    zendesk_all: Window | None = (200, 60.0)
    mailchimp_connections: int | None = 10
    trustpilot: Window | None = (833, 300.0)
    facebook: Window | None = (4800, 3600.0)
    meta_ads: Window | None = (600, 3600.0)  # Meta's development tier: 600 insights calls an hour and more


VENDOR_LIMITS = VendorLimits()
UNLIMITED = VendorLimits(None, None, None, None, None, None, None)


@dataclass
class Verdict:
    """A throttling answer to send instead of the route's (None: serve it), and headers for every answer."""

    status: int | None = None
    body: object = None
    headers: dict[str, str] | None = None
    content_type: str = "application/json"


def throttling_answer(route: str, retry_after: float | None) -> Verdict:
    """A throttling answer of the route's vendor as the vendor sends it (for a fault a test injects);
    ``retry_after`` None leaves the header out, as Mailchimp and Trustpilot may."""
    vendor = route.split("_", 1)[0]
    seconds = f"{retry_after:.1f}" if vendor == "shopify" else str(math.ceil(retry_after or 0))
    wait = {} if retry_after is None else {"Retry-After": seconds}
    if vendor == "facebook":
        return Verdict(400, THROTTLE_BODIES["facebook"], Throttle.facebook_usage(100, 0))
    if vendor == "meta":
        regain = math.ceil((retry_after or 60) / 60)
        return Verdict(400, buc_limit_reached(route), Throttle.meta_usage(route, 100, regain))
    if vendor == "zendesk":
        return Verdict(429, "Rate limit for this endpoint exceeded", wait, "text/plain")
    if vendor == "shopify":
        return Verdict(429, THROTTLE_BODIES["shopify"], {"X-Shopify-Shop-Api-Call-Limit": "40/40", **wait})
    if vendor == "mailchimp":
        return Verdict(429, THROTTLE_BODIES["mailchimp"], wait, "application/problem+json")
    return Verdict(429, THROTTLE_BODIES.get(vendor, {"error": "throttled"}), wait)


class _Window:
    def __init__(self, window: Window) -> None:
        self.requests, self.seconds = window
        self.sent: deque[float] = deque()

    def admit(self, now: float) -> tuple[bool, float]:
        """Count the request if it fits; (admitted, seconds until the oldest request leaves the window)."""
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()
        if len(self.sent) < self.requests:
            self.sent.append(now)
            return True, 0.0
        return False, self.sent[0] + self.seconds - now

    def used(self) -> float:
        return len(self.sent) / self.requests


class Throttle:
    """The sandbox's enforcement of VendorLimits, one instance per server."""

    def __init__(self, limits: VendorLimits) -> None:
        self.limits = limits
        self.lock = threading.Lock()
        self.bucket = 0.0
        self.leaked_at = time.monotonic()
        self.windows = {
            name: _Window(window)
            for name, window in (
                ("zendesk_incremental", limits.zendesk_incremental),
                ("zendesk_all", limits.zendesk_all),
                ("trustpilot", limits.trustpilot),
                ("facebook", limits.facebook),
                ("meta_ads", limits.meta_ads),
            )
            if window is not None
        }
        self.throttled: dict[str, int] = {}

    def verdict(self, route: str, path: str, in_flight: int) -> Verdict:
        """Admit one request to ``route`` (with ``in_flight`` requests of its vendor being served)."""
        vendor = route.split("_", 1)[0]
        with self.lock:
            verdict = getattr(self, f"_{vendor}", lambda *_: Verdict())(path, in_flight)
        if verdict.status is not None:
            self.throttled[vendor] = self.throttled.get(vendor, 0) + 1
        return verdict

    def _shopify(self, _path: str, _in_flight: int) -> Verdict:
        size = self.limits.shopify_bucket
        if size is None:
            return Verdict(headers={"X-Shopify-Shop-Api-Call-Limit": "1/40"})
        now = time.monotonic()
        self.bucket = max(0.0, self.bucket - (now - self.leaked_at) * size / 20)
        self.leaked_at = now
        if self.bucket + 1 > size:
            wait = (self.bucket + 1 - size) / (size / 20)  # until one request has leaked
            headers = {
                "X-Shopify-Shop-Api-Call-Limit": f"{size}/{size}",
                "Retry-After": f"{max(wait, 1.0):.1f}",
            }
            return Verdict(429, THROTTLE_BODIES["shopify"], headers)
        self.bucket += 1
        return Verdict(headers={"X-Shopify-Shop-Api-Call-Limit": f"{math.ceil(self.bucket)}/{size}"})

    def _zendesk(self, path: str, _in_flight: int) -> Verdict:
        now, headers = time.monotonic(), {}
        names = ["zendesk_all", *(["zendesk_incremental"] if "/incremental/" in path else [])]
        for name in names:
            window = self.windows.get(name)
            if window is None:
                continue
            admitted, wait = window.admit(now)
            if not admitted:
                retry_after = {"Retry-After": str(max(1, math.ceil(wait)))}
                return Verdict(429, "Rate limit for this endpoint exceeded", retry_after, "text/plain")
        if (everything := self.windows.get("zendesk_all")) is not None:
            headers = {
                "X-Rate-Limit": str(everything.requests),
                "X-Rate-Limit-Remaining": str(everything.requests - len(everything.sent)),
                "ratelimit-reset": str(max(1, math.ceil(everything.sent[0] + everything.seconds - now))),
            }
        return Verdict(headers=headers)

    def _mailchimp(self, _path: str, in_flight: int) -> Verdict:
        limit = self.limits.mailchimp_connections
        if limit is not None and in_flight > limit:
            return Verdict(429, THROTTLE_BODIES["mailchimp"], content_type="application/problem+json")
        return Verdict()

    def _trustpilot(self, _path: str, _in_flight: int) -> Verdict:
        window = self.windows.get("trustpilot")
        if window is not None and not window.admit(time.monotonic())[0]:
            return Verdict(429, THROTTLE_BODIES["trustpilot"])
        return Verdict()

    def _facebook(self, _path: str, _in_flight: int) -> Verdict:
        window = self.windows.get("facebook")
        if window is None:
            return Verdict(headers=self.facebook_usage(1, 0))
        admitted, wait = window.admit(time.monotonic())
        if not admitted:
            return Verdict(400, PAGE_LIMIT_REACHED, self.facebook_usage(100, math.ceil(wait / 60)))
        return Verdict(headers=self.facebook_usage(round(window.used() * 100), 0))

    @staticmethod
    def facebook_usage(percent: int, regain_minutes: int) -> dict[str, str]:
        app = {"call_count": percent, "total_time": percent, "total_cputime": percent}
        page = {"type": "pages", **app, "estimated_time_to_regain_access": regain_minutes}
        return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps({PAGE_ID: [page]})}

    def _meta(self, path: str, _in_flight: int) -> Verdict:
        """One budget for the ad account; the usage header on every answer, 80000/80004 over it."""
        window = self.windows.get("meta_ads")
        if window is None:
            return Verdict(headers=self.meta_usage(path, 1, 0))
        admitted, wait = window.admit(time.monotonic())
        if not admitted:
            return Verdict(400, buc_limit_reached(path), self.meta_usage(path, 100, math.ceil(wait / 60)))
        return Verdict(headers=self.meta_usage(path, round(window.used() * 100), 0))

    @staticmethod
    def meta_usage(route_or_path: str, percent: int, regain_minutes: int) -> dict[str, str]:
        """``X-Business-Use-Case-Usage`` of the ad account, for the request's business use case."""
        counter = {"type": use_case(route_or_path), "call_count": percent, "total_cputime": max(1, percent // 2),
                   "total_time": max(1, percent // 2), "estimated_time_to_regain_access": regain_minutes}  # fmt: skip
        return {"X-Business-Use-Case-Usage": json.dumps({AD_ACCOUNT_ID: [counter]})}
