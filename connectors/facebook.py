"""Facebook Pages Graph API: page posts, their comments (with page replies) and lifetime post insights.

Page access token as ``access_token``; follow ``paging.next`` until it is absent; timestamps ``+0000``.
The posts of an interval's lookback are listed once and shared by the posts, comments and insights.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from connectors.columns import BOOL, INT, ITEM, STRING, TS, Column, dig
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.graph import API, GRAPH, graph_client, graph_throttling
from connectors.identifiers import FACEBOOK_USER
from connectors.paging import Page
from connectors.streams import Source, Stream

INSIGHT_METRICS = "post_impressions,post_impressions_unique,post_reactions_by_type_total,post_clicks_by_type"


# Application (4), user (17), Pages with a user token (32), custom (613) and Pages with a Page token (80001)
THROTTLING_CODES = {4, 17, 32, 613, 80001}
THROTTLING = graph_throttling(THROTTLING_CODES)
make_client = graph_client("facebook", THROTTLING)


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
