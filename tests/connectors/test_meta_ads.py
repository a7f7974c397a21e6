"""The Meta Marketing API connector against the sandbox: cursor paging, exact spend, URL parameters, the
business-use-case usage header and throttling answers, and quarantine of rows that do not fit."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pyarrow.parquet as pq
import pytest
import requests

from connectors import meta_ads
from connectors.context import FetchContext
from connectors.landing import DATA_FILE, partition_dir
from connectors.pacing import Hold
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
from sandbox.ads import AD_ACCOUNT_ID, AdAccount, click_parameters
from sandbox.faults import Fault
from sandbox.generator import SandboxConfig, World, generate
from sandbox.server import SANDBOX_SECRET, SandboxServer
from sandbox.throttling import UNLIMITED, VendorLimits

DAY = date(2026, 11, 1)
TWO_DAYS = Interval.for_days(DAY, DAY + timedelta(days=1))


def sandbox(world: World, limits: VendorLimits = UNLIMITED, max_page_size: int = 3) -> SandboxServer:
    server = SandboxServer(world, max_page_size=max_page_size, limits=limits)
    server.start_in_thread()
    return server


@pytest.fixture
def server(world: World) -> Iterator[SandboxServer]:
    server = sandbox(world)
    yield server
    server.shutdown()


def settings(server: SandboxServer, **extra: object) -> ConnectionSettings:
    account = {"ad_account_id": f"act_{AD_ACCOUNT_ID}", "pace": False}
    return ConnectionSettings(server.url, None, SANDBOX_SECRET, {**account, **extra})


def landed(root: Path, entity: str, day: date) -> list[dict]:
    return pq.read_table(partition_dir(root, "meta_ads", entity, day.isoformat()) / DATA_FILE).to_pylist()


@pytest.fixture
def scaled_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every pause the client asks for, recorded; a minute of it passes in a second."""
    asked: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        asked.append(round(seconds, 1))
        real_sleep(seconds / 60)

    monkeypatch.setattr(time, "sleep", sleep)
    return asked


@pytest.fixture
def scaled_holds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every hold the usage headers set, recorded; a minute of it passes in a second."""
    asked: list[float] = []
    real_hold = Hold.hold

    def hold(self: Hold, seconds: float) -> None:
        asked.append(round(seconds, 1))
        real_hold(self, seconds / 60)

    monkeypatch.setattr(Hold, "hold", hold)
    return asked


def test_insights_are_paged_by_cursor_and_land_as_meta_sent_them(
    world: World, server: SandboxServer, tmp_path: Path
) -> None:
    manifests = extract(SOURCES["meta_ads"], "ad_insights", settings(server), TWO_DAYS, tmp_path)
    for manifest, day in zip(manifests, TWO_DAYS.days(), strict=True):
        sent = [r for r in world.meta_ads.insights if r["date_start"] == day.isoformat()]
        rows = landed(tmp_path, "ad_insights", day)
        assert manifest.rows == len(rows) == len(sent) > 3 and manifest.quarantined == 0
        by_key = {(r["ad_id"], r["date_start"].isoformat()): r for r in rows}
        for row in sent:
            got = by_key[(row["ad_id"], row["date_start"])]
            assert got["spend"] == Decimal(row["spend"])  # exact, in the account's currency
            assert (got["impressions"], got["clicks"], got["link_clicks"]) == (
                int(row["impressions"]), int(row["clicks"]), int(row["inline_link_clicks"])
            )  # fmt: skip
            assert (got["campaign_name"], got["adset_id"], got["account_currency"]) == (
                row["campaign_name"], row["adset_id"], "USD"
            )  # fmt: skip
    pages = -(-len(world.meta_ads.insights) // 3)  # one pass for both days, 3 rows a page
    assert manifests[0].pages == pages == len(server.faults.requests["meta_ad_insights"])


def test_ads_land_with_their_creatives_url_parameters(
    world: World, server: SandboxServer, tmp_path: Path
) -> None:
    (manifest,) = extract(SOURCES["meta_ads"], "ads", settings(server), Interval.for_day(DAY), tmp_path)
    rows = {r["ad_id"]: r for r in landed(tmp_path, "ads", DAY)}
    assert manifest.rows == len(rows) == len(world.meta_ads.ads)
    for ad in world.meta_ads.ads:
        assert rows[ad["id"]]["url_tags"] == ad["creative"].get("url_tags")
        assert rows[ad["id"]]["creative_id"] == ad["creative"]["id"]
    assert sum(r["url_tags"] is None for r in rows.values()) == 1


def test_the_request_asks_for_daily_ad_rows_of_the_lookback_and_the_interval() -> None:
    ctx = FetchContext(
        ConnectionSettings("https://graph.facebook.com", extra={"ad_account_id": "123"}),
        TWO_DAYS,
        None,
        timedelta(days=3),
        TWO_DAYS.start - timedelta(days=3),
    )
    params = meta_ads._daily_insights(ctx)
    assert (params["level"], params["time_increment"]) == ("ad", 1)
    assert json.loads(params["time_range"]) == {"since": "2026-10-29", "until": "2026-11-02"}
    assert meta_ads._account(ctx) == "123"
    assert "inline_link_clicks" in params["fields"] and "account_currency" in params["fields"]


def test_the_client_slows_down_as_the_usage_header_nears_100(
    world: World, tmp_path: Path, scaled_holds: list[float]
) -> None:
    """A budget of 4 calls a second, one row a page: each fourth answer says 100% used, and the client
    holds (3 s a point past 80%) until the budget has room again, so Meta never has to refuse a call."""
    server = sandbox(world, replace(UNLIMITED, meta_ads=(4, 1.0)), max_page_size=1)
    try:
        (manifest,) = extract(
            SOURCES["meta_ads"], "ad_insights", settings(server), Interval.for_day(DAY), tmp_path
        )
    finally:
        server.shutdown()
    assert manifest.rows == sum(r["date_start"] == DAY.isoformat() for r in world.meta_ads.insights) > 4
    assert scaled_holds.count(60.0) == manifest.rows // 4
    assert server.throttle.throttled.get("meta", 0) == 0


@pytest.mark.parametrize(
    ("entity", "route", "code"), [("ad_insights", "meta_ad_insights", 80000), ("ads", "meta_ads", 80004)]
)
def test_a_throttled_call_waits_the_minutes_meta_estimates_then_finishes(
    world: World, server: SandboxServer, tmp_path: Path, scaled_sleep: list[float], entity: str, route: str, code: int
) -> None:  # fmt: skip
    server.faults.inject(route, Fault.throttle(), Fault.throttle())
    (manifest,) = extract(SOURCES["meta_ads"], entity, settings(server), Interval.for_day(DAY), tmp_path)
    assert manifest.rows > 0
    assert scaled_sleep.count(60.0) == 2  # estimated_time_to_regain_access: 1 (minute), twice
    assert len(server.faults.requests[route]) == manifest.pages + 2


def test_the_sandbox_refuses_calls_past_the_accounts_budget_as_meta_does(world: World) -> None:
    server = sandbox(world, replace(UNLIMITED, meta_ads=(1, 60.0)))
    url = f"{server.url}/v21.0/act_{AD_ACCOUNT_ID}/insights"
    query = {"level": "ad", "time_increment": 1, "time_range": '{"since":"2026-11-01","until":"2026-11-01"}'}
    auth = {"Authorization": f"Bearer {SANDBOX_SECRET}"}
    try:
        first = requests.get(url, params=query, headers=auth, timeout=5)
        refused = requests.get(url, params=query, headers=auth, timeout=5)
    finally:
        server.shutdown()
    assert first.status_code == 200 and "after" in first.json()["paging"]["cursors"]
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 80000
    (counter,) = json.loads(refused.headers["X-Business-Use-Case-Usage"])[AD_ACCOUNT_ID]
    assert (counter["type"], counter["call_count"], counter["estimated_time_to_regain_access"]) == (
        "ads_insights", 100, 1
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "code", "throttled"),
    [
        (400, 80000, True),
        (400, 80004, True),
        (403, 4, True),
        (400, 17, True),
        (400, 613, True),
        (400, 100, False),
        (403, 10, False),
    ],
)
def test_which_answers_are_throttling(status: int, code: int, throttled: bool) -> None:  # fmt: skip
    answer = requests.Response()
    answer.status_code, answer._content = status, json.dumps({"error": {"code": code}}).encode()
    assert meta_ads.THROTTLING.throttled(answer) is throttled


def test_rows_that_do_not_fit_are_quarantined_and_the_rest_land(world: World, tmp_path: Path) -> None:
    """A row of another shape (no ad id) and a spend Meta never sends (a comma) are set aside with why."""
    insights = [dict(r) for r in world.meta_ads.insights]
    [*(r for r in insights if r["date_start"] == DAY.isoformat())][-1]["spend"] = (
        "12,34"  # page 1 is malformed
    )
    server = sandbox(replace(world, meta_ads=AdAccount(world.meta_ads.ads, insights)))
    server.faults.inject("meta_ad_insights", Fault.malformed())
    try:
        (manifest,) = extract(
            SOURCES["meta_ads"], "ad_insights", settings(server), Interval.for_day(DAY), tmp_path
        )
    finally:
        server.shutdown()
    assert manifest.quarantined == 2
    assert manifest.rows == sum(r["date_start"] == DAY.isoformat() for r in insights) - 2
    quarantine = tmp_path / "_quarantine" / "meta_ads" / "ad_insights" / f"ds={DAY}" / "records.jsonl"
    reasons = sorted(json.loads(line)["reason"] for line in quarantine.read_text().splitlines())
    assert "decimal expected" in reasons[0] and "'spend'" in reasons[0]
    assert "missing required field 'ad_id'" in reasons[1]


def test_paid_social_visits_are_clicks_on_the_ad_accounts_ads() -> None:
    """The ad account is deterministic, and every visit tagged as paid social lands with the URL
    parameters of a click on one of its ads (its url_tags, Meta's macros filled in)."""
    config = SandboxConfig(seed=5, customers=40, start=DAY, end=DAY + timedelta(days=2))
    world = generate(config)
    assert world.meta_ads == generate(config).meta_ads and world.meta_ads.insights
    clicks = {tuple(sorted(click_parameters(ad).items())) for ad in world.meta_ads.ads} - {()}
    landed = {
        tuple(sorted(parse_qsl(urlsplit(event["context"]["page"]["url"]).query)))
        for event in world.web_events
        if event["type"] == "page" and "utm_medium=paid_social" in event["context"]["page"]["url"]
    }
    assert landed and landed <= clicks
