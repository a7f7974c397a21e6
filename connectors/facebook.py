"""Facebook Pages Graph API: page posts, their comments (with page replies) and lifetime post insights.

Page access token as ``access_token``; follow ``paging.next`` until it is absent; timestamps ``+0000``.
The posts of an interval's lookback are listed once and shared by the posts, comments and insights.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import requests

from connectors.columns import BOOL, INT, ITEM, STRING, TS, Column, dig
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.http import ApiClient, Throttling
from connectors.identifiers import FACEBOOK_USER
from connectors.paging import NextUrlPaging, Page
from connectors.settings import ConnectionSettings
from connectors.streams import Source, Stream

API = "/v21.0"
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


def _paging_next(_response: requests.Response, body: dict) -> str | None:
    return (body.get("paging") or {}).get("next")


def _created_since_the_lookback(ctx: FetchContext) -> dict[str, Any]:
    """Posts created within the lookback: their comments, shares and insights still move."""
    return {
        "since": int(ctx.since.timestamp()),
        "until": int(ctx.interval.end.timestamp()),
        "fields": "id,message,created_time,permalink_url,shares",
        "limit": 100,
    }


def _comment_fields(_ctx: FetchContext) -> dict[str, Any]:
    return {"filter": "stream", "fields": "id,from,message,created_time,parent", "limit": 100}


def _insight_metrics(_ctx: FetchContext) -> dict[str, Any]:
    return {"metric": INSIGHT_METRICS}


GRAPH = NextUrlPaging(_paging_next)
POSTS = Endpoint(f"{API}/{{page_id}}/posts", "data", GRAPH, _created_since_the_lookback)


def fetch_posts(ctx: FetchContext, _endpoint: Endpoint | None) -> Iterator[Page]:
    """The posts of the lookback window, from the listing the comments and insights share."""
    yield from ctx.shared(POSTS)


def fetch_comments(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """All comments and replies (``filter=stream``) created in the interval, with their post and whether
    the page wrote them."""
    assert endpoint
    page_id = ctx.settings.require_extra("page_id", "facebook")
    for posts in ctx.shared(POSTS):
        for post in posts:
            for page in endpoint.pages(ctx, post_id=post["id"]):
                yield [
                    {"comment": c, "post_id": post["id"], "page_id": page_id}
                    for c in page
                    if ctx.in_interval(c.get("created_time"))
                    and ctx.within_lookback(post.get("created_time"), c.get("created_time"))
                ]


def fetch_post_insights(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """One item per recent post: its lifetime metrics (the last value of each) as of this load."""
    assert endpoint
    for posts in ctx.shared(POSTS):
        items = []
        for post in posts:
            metrics: dict[str, Any] = {}
            for page in endpoint.pages(ctx, post_id=post["id"]):
                for metric in page:
                    values = metric.get("values") or [{}]
                    metrics[metric.get("name")] = values[-1].get("value")
            items.append({"post_id": post["id"], "metrics": metrics, "as_of": ctx.interval.end.isoformat()})
        yield items


def _written_by_the_page(comment: dict[str, Any]) -> bool:
    return dig(comment, "comment.from.id") == comment["page_id"]


def _total(value: Any) -> Any:
    """A by-type metric summed over its types."""
    return sum(value.values()) if isinstance(value, dict) else value


def _link_clicks(clicks: Any) -> Any:
    return clicks.get("link clicks", 0) if isinstance(clicks, dict) else clicks


SOURCE = Source(
    name="facebook",
    connection_id="facebook_default",
    concurrency=2,
    make_client=make_client,
    lookback=timedelta(days=28),
    streams=(
        Stream(
            "posts",
            "Page posts of the lookback window (latest state per load).",
            POSTS,
            (
                Column("post_id", STRING, "id", required=True),
                Column("created_time", TS, required=True),
                Column("message", STRING),
                Column("permalink_url", STRING),
                Column("shares", INT, "shares.count", default=0),
            ),
            primary_key=("post_id",),
            fetch=fetch_posts,
            partition_by="created_time",
        ),
        Stream(
            "comments",
            "Comments and replies, the page's own replies flagged.",
            Endpoint(f"{API}/{{post_id}}/comments", "data", GRAPH, _comment_fields),
            (
                Column("comment_id", STRING, "comment.id", required=True),
                Column("post_id", STRING, required=True),
                Column("parent_comment_id", STRING, "comment.parent.id"),
                Column("from_id", STRING, "comment.from.id", required=True, identifies=FACEBOOK_USER),
                Column("is_page_reply", BOOL, ITEM, transform=_written_by_the_page),
                Column("created_time", TS, "comment.created_time", required=True),
            ),
            primary_key=("comment_id",),
            fetch=fetch_comments,
            partition_by="created_time",
        ),
        Stream(
            "post_insights",
            "Lifetime post insights snapshot per load.",
            Endpoint(f"{API}/{{post_id}}/insights", "data", GRAPH, _insight_metrics),
            (
                Column("post_id", STRING, required=True),
                Column("impressions", INT, "metrics.post_impressions"),
                Column("reach", INT, "metrics.post_impressions_unique"),
                Column("reactions", INT, "metrics.post_reactions_by_type_total", transform=_total),
                Column("link_clicks", INT, "metrics.post_clicks_by_type", transform=_link_clicks),
                Column("as_of", TS, required=True),
            ),
            primary_key=("post_id", "as_of"),
            fetch=fetch_post_insights,
        ),
    ),
)
