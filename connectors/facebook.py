"""Facebook Pages Graph API: page posts, their comments (with page replies) and lifetime post insights.

Page access token as ``access_token``; follow ``paging.next`` until it is absent; timestamps ``+0000``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyarrow as pa
import requests

from connectors.http import ApiClient, Throttling
from connectors.paging import Page, follow_pages
from connectors.settings import ConnectionSettings
from connectors.streams import FetchContext, Source, Stream

API = "/v21.0"
TS = pa.timestamp("us", tz="UTC")
INSIGHT_METRICS = "post_impressions,post_impressions_unique,post_reactions_by_type_total,post_clicks_by_type"


# Application (4), user (17), Pages with a user token (32), custom (613) and Pages with a Page token (80001)
THROTTLING_CODES = {4, 17, 32, 613, 80001}
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")
SLOW_FROM_PERCENT = 80


def is_throttled(response: requests.Response) -> bool:
    """The Graph API throttles with 400 and an error code in the body, not with 429."""
    if response.status_code != 400:
        return False
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return False
    return error.get("code") in THROTTLING_CODES


def usage(response: requests.Response) -> tuple[float, float]:
    """(the highest share of a limit used, in percent; minutes until throttled calls are let through) from
    ``X-App-Usage`` / ``X-Page-Usage`` ({"call_count": 28, "total_time": 25, "total_cputime": 25}) and
    ``X-Business-Use-Case-Usage`` ({"<id>": [{"type": "pages", "call_count": 97, ...,
    "estimated_time_to_regain_access": 0}]})."""
    used, regain = 0.0, 0.0
    for name in USAGE_HEADERS:
        try:
            value = json.loads(response.headers.get(name) or "{}")
        except ValueError:
            continue
        counters = (
            [value] if name != "X-Business-Use-Case-Usage" else [c for cs in value.values() for c in cs]
        )
        for counter in counters:
            shares = [counter.get(k) for k in ("call_count", "total_time", "total_cputime")]
            used = max([used, *(float(share) for share in shares if isinstance(share, int | float))])
            regain = max(regain, float(counter.get("estimated_time_to_regain_access") or 0))
    return used, regain


def hold_near_the_usage_limit(response: requests.Response) -> float:
    """Until access is regained when the headers say so; past 80% of a limit, 3 s per point above it,
    so that a long backfill slows down before it is throttled (the limits are over a rolling hour)."""
    used, regain = usage(response)
    return regain * 60 if regain else max(0.0, used - SLOW_FROM_PERCENT) * 3


def wait_after_throttling(response: requests.Response) -> float | None:
    """The vendor's own estimate, when a throttled answer carries one."""
    _, regain = usage(response)
    return regain * 60 if regain else None


THROTTLING = Throttling(
    throttled=is_throttled, wait_hint=wait_after_throttling, hold_for=hold_near_the_usage_limit
)


def make_client(settings: ConnectionSettings, interval: str) -> ApiClient:
    return ApiClient.for_connection(
        "facebook",
        settings,
        interval,
        headers={"Authorization": f"Bearer {settings.password or ''}"},
        secrets=(settings.password,),
        throttling=THROTTLING,
    )


def _graph(ctx: FetchContext, path: str, params: dict[str, Any]) -> Iterator[Page]:
    assert ctx.client
    yield from follow_pages(
        ctx.client,
        ctx.url(API, path),
        params,
        items=lambda body: body.get("data") or [],
        next_url=lambda _response, body: (body.get("paging") or {}).get("next"),
    )


def _recent_posts(ctx: FetchContext) -> Iterator[Page]:
    """Posts created within the lookback: their comments, shares and insights still move."""
    params = {
        "since": int(ctx.since.timestamp()),
        "until": int(ctx.interval.end.timestamp()),
        "fields": "id,message,created_time,permalink_url,shares",
        "limit": 100,
    }
    yield from _graph(ctx, f"/{ctx.settings.require_extra('page_id', 'facebook')}/posts", params)


def fetch_posts(ctx: FetchContext) -> Iterator[Page]:
    for page in _recent_posts(ctx):
        yield [
            {
                "post_id": p.get("id"),
                "created_time": p.get("created_time"),
                "message": p.get("message"),
                "permalink_url": p.get("permalink_url"),
                "shares": (p.get("shares") or {}).get("count", 0),
            }
            for p in page
        ]


def fetch_comments(ctx: FetchContext) -> Iterator[Page]:
    """All comments and replies (``filter=stream``) created in the interval, with their parent."""
    page_id = ctx.settings.require_extra("page_id", "facebook")
    for posts in _recent_posts(ctx):
        for post in posts:
            params = {"filter": "stream", "fields": "id,from,message,created_time,parent", "limit": 100}
            for page in _graph(ctx, f"/{post['id']}/comments", params):
                yield [
                    {
                        "comment_id": c.get("id"),
                        "post_id": post["id"],
                        "parent_comment_id": (c.get("parent") or {}).get("id"),
                        "from_id": (c.get("from") or {}).get("id"),
                        "is_page_reply": (c.get("from") or {}).get("id") == page_id,
                        "created_time": c.get("created_time"),
                    }
                    for c in page
                    if ctx.in_interval(c.get("created_time"))
                    and ctx.within_lookback(post.get("created_time"), c.get("created_time"))
                ]


def _metric_total(value: Any) -> Any:
    return sum(value.values()) if isinstance(value, dict) else value


def fetch_post_insights(ctx: FetchContext) -> Iterator[Page]:
    """One row per recent post: lifetime metrics as of this load."""
    for posts in _recent_posts(ctx):
        rows = []
        for post in posts:
            metrics: dict[str, Any] = {}
            for page in _graph(ctx, f"/{post['id']}/insights", {"metric": INSIGHT_METRICS}):
                for metric in page:
                    values = metric.get("values") or [{}]
                    metrics[metric.get("name")] = values[-1].get("value")
            clicks = metrics.get("post_clicks_by_type")
            rows.append(
                {
                    "post_id": post["id"],
                    "impressions": metrics.get("post_impressions"),
                    "reach": metrics.get("post_impressions_unique"),
                    "reactions": _metric_total(metrics.get("post_reactions_by_type_total")),
                    "link_clicks": clicks.get("link clicks", 0) if isinstance(clicks, dict) else clicks,
                    "as_of": ctx.interval.end.isoformat(),
                }
            )
        yield rows


SOURCE = Source(
    name="facebook",
    connection_id="facebook_default",
    concurrency=2,
    make_client=make_client,
    lookback=timedelta(days=28),
    streams=(
        Stream(
            "posts",
            pa.schema(
                [
                    pa.field("post_id", pa.string(), nullable=False),
                    pa.field("created_time", TS, nullable=False),
                    ("message", pa.string()),
                    ("permalink_url", pa.string()),
                    ("shares", pa.int64()),
                ]
            ),
            ("post_id",),
            fetch_posts,
            "Page posts of the lookback window (latest state per load).",
            partition_by="created_time",
        ),
        Stream(
            "comments",
            pa.schema(
                [
                    pa.field("comment_id", pa.string(), nullable=False),
                    pa.field("post_id", pa.string(), nullable=False),
                    ("parent_comment_id", pa.string()),
                    pa.field("from_id", pa.string(), nullable=False),
                    ("is_page_reply", pa.bool_()),
                    pa.field("created_time", TS, nullable=False),
                ]
            ),
            ("comment_id",),
            fetch_comments,
            "Comments and replies, the page's own replies flagged.",
            partition_by="created_time",
        ),
        Stream(
            "post_insights",
            pa.schema(
                [
                    pa.field("post_id", pa.string(), nullable=False),
                    ("impressions", pa.int64()),
                    ("reach", pa.int64()),
                    ("reactions", pa.int64()),
                    ("link_clicks", pa.int64()),
                    pa.field("as_of", TS, nullable=False),
                ]
            ),
            ("post_id", "as_of"),
            fetch_post_insights,
            "Lifetime post insights snapshot per load.",
        ),
    ),
)
