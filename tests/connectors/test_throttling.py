"""Each vendor throttles its own way, and the one HTTP layer handles each: sandboxes that enforce the
vendor's limits as its documentation describes them, and the usage headers that make a client slow down
before it reaches a limit."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from connectors import graph, shopify, zendesk
from connectors.http import VendorRetry
from connectors.ranges import land_windows, plan_range
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
from sandbox.faults import Fault
from sandbox.generator import BUSINESS_UNIT_ID, PAGE_ID, SandboxConfig, World, generate
from sandbox.server import SANDBOX_SECRET, SandboxServer
from sandbox.throttling import UNLIMITED, VendorLimits
from tests.connectors.test_sandbox_extraction import expected_rows

DAY = date(2026, 11, 1)
IDS = {"page_id": PAGE_ID, "business_unit_id": BUSINESS_UNIT_ID}


def sandbox(world: World, limits: VendorLimits, max_page_size: int = 50) -> SandboxServer:
    server = SandboxServer(world, max_page_size=max_page_size, limits=limits)
    server.start_in_thread()
    return server


def land_day(server: SandboxServer, source: str, entity: str, root: Path, **extra: object):
    settings = ConnectionSettings(server.url, "someone", SANDBOX_SECRET, {**IDS, **extra})
    (manifest,) = extract(SOURCES[source], entity, settings, Interval.for_day(DAY), root)
    return manifest


def response(headers: dict[str, str], status: int = 200) -> requests.Response:
    answer = requests.Response()
    answer.status_code, answer.headers = status, requests.structures.CaseInsensitiveDict(headers)
    return answer


def test_a_decimal_retry_after_is_read_as_seconds() -> None:
    """Shopify's 429 says ``Retry-After: 2.0``; urllib3 alone rejects it as an invalid header."""
    retry = VendorRetry(total=1)
    assert retry.parse_retry_after("2.0") == 2.0
    assert retry.parse_retry_after("3") == 3.0


@pytest.mark.parametrize(
    ("header", "hold"),
    [("1/40", 0.0), ("31/40", 0.0), ("32/40", 6.0), ("40/40", 10.0), ("320/400", 6.0), ("junk", 0.0)],
)
def test_shopify_holds_once_its_bucket_is_four_fifths_full(header: str, hold: float) -> None:
    """Until the bucket has leaked to half; it leaks a twentieth of its size a second (2 of 40)."""
    assert shopify.hold_near_the_call_limit(response({"X-Shopify-Shop-Api-Call-Limit": header})) == hold


@pytest.mark.parametrize(
    ("headers", "hold"),
    [
        ({"X-Rate-Limit": "200", "X-Rate-Limit-Remaining": "150", "ratelimit-reset": "40"}, 0.0),
        ({"X-Rate-Limit": "200", "X-Rate-Limit-Remaining": "19", "ratelimit-reset": "40"}, 40.0),
        ({"Zendesk-RateLimit-incremental-exports-cursor": "total=20; remaining=1; resets=41"}, 41.0),
        ({"Zendesk-RateLimit-incremental-exports-cursor": "total=20; remaining=10; resets=41"}, 0.0),
    ],
)
def test_zendesk_holds_until_the_reset_under_a_tenth_left(headers: dict[str, str], hold: float) -> None:
    assert zendesk.hold_near_the_rate_limit(response(headers)) == hold


@pytest.mark.parametrize(
    ("headers", "hold"),
    [
        ({"X-App-Usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}'}, 0.0),
        ({"X-App-Usage": '{"call_count": 85, "total_time": 20, "total_cputime": 90}'}, 30.0),
        (
            {"X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 97, "total_cputime": 10,'
             ' "total_time": 10, "estimated_time_to_regain_access": 0}]}'},
            51.0,
        ),
        (
            {"X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 100, "total_cputime": 10,'
             ' "total_time": 10, "estimated_time_to_regain_access": 3}]}'},
            180.0,
        ),
    ],
)  # fmt: skip
def test_facebook_slows_down_near_its_usage_limits(headers: dict[str, str], hold: float) -> None:
    """3 s per point past 80% of the most used limit; the vendor's own estimate when it gives one."""
    assert graph.hold_near_the_usage_limit(response(headers)) == hold


@pytest.fixture(scope="module")
def shop() -> World:
    """A shop with enough orders that landing them a page at a time passes Shopify's 40-request bucket."""
    return generate(SandboxConfig(seed=3, customers=1000, start=DAY, end=DAY + timedelta(days=1)))


@pytest.mark.parametrize("pace", [True, False], ids=["paced", "usage-header-only"])
def test_a_shop_read_past_its_bucket_is_never_throttled(shop: World, tmp_path: Path, pace: bool) -> None:
    """Shopify's own bucket (40, leaking 2 a second) in the sandbox, one order a page: the client slows
    down by its call-limit header (and its pacing) before the bucket is full, so no 429 comes back."""
    server = sandbox(shop, VendorLimits(), max_page_size=1)
    try:
        manifest = land_day(server, "shopify", "orders", tmp_path, pace=pace)
    finally:
        server.shutdown()
    assert manifest.rows == len(shop.shopify_orders) > 40
    assert server.throttle.throttled.get("shopify", 0) == 0


def test_zendesk_over_its_incremental_limit_answers_429_text_and_the_client_waits(
    world: World, tmp_path: Path
) -> None:
    server = sandbox(world, VendorLimits(zendesk_incremental=(3, 2.0)), max_page_size=10)
    try:
        manifest = land_day(server, "zendesk", "users", tmp_path, pace=False)
    finally:
        server.shutdown()
    assert manifest.rows == expected_rows(world, "zendesk", "users")
    assert server.throttle.throttled["zendesk"] > 0


def test_mailchimp_past_ten_connections_answers_429_without_retry_after(world: World, tmp_path: Path) -> None:
    """One connection at a time here, and four windows at once: the extra ones are turned away, backed
    off (no Retry-After to follow) and land."""
    server = sandbox(world, VendorLimits(mailchimp_connections=1))
    server.faults.inject("mailchimp_sent_to", *[Fault.slow(0.1)] * 10)
    settings = ConnectionSettings(
        server.url, "someone", SANDBOX_SECRET, {"window_days": 1, "max_concurrency": 4, "backoff_factor": 0.2}
    )
    days = [DAY, DAY + timedelta(days=1)]
    try:
        plan = plan_range(SOURCES["mailchimp"], settings, days, tmp_path)
        landed = land_windows(SOURCES["mailchimp"], settings, plan.windows, tmp_path)
    finally:
        server.shutdown()
    assert server.throttle.throttled["mailchimp"] > 0
    assert len(landed) == len(SOURCES["mailchimp"].entities) * len(days)


def test_trustpilot_over_its_quota_answers_429_and_the_client_backs_off(shop: World, tmp_path: Path) -> None:
    server = sandbox(shop, VendorLimits(trustpilot=(2, 1.0)), max_page_size=2)
    try:
        manifest = land_day(server, "trustpilot", "reviews", tmp_path, pace=False, backoff_factor=0.3)
    finally:
        server.shutdown()
    assert manifest.rows == expected_rows(shop, "trustpilot", "reviews") > 4
    assert server.throttle.throttled["trustpilot"] > 0


@pytest.mark.parametrize("code", [4, 80001])
def test_facebook_throttles_with_an_error_code_in_a_400(world: World, tmp_path: Path, code: int) -> None:
    server = sandbox(world, UNLIMITED)
    throttled = Fault.throttle() if code == 4 else Fault.page_throttle()
    server.faults.inject("facebook_posts", throttled, throttled)
    try:
        manifest = land_day(server, "facebook", "posts", tmp_path, backoff_factor=0.01)
    finally:
        server.shutdown()
    assert manifest.rows == expected_rows(world, "facebook", "posts")
    assert len(server.faults.requests["facebook_posts"]) == 3
