"""Zendesk Support: incremental tickets (with metric sets), users, comment events and CSAT ratings.

Basic auth ``{email}/token:{api token}``; cursor exports until ``end_of_stream``; ratings by
``meta.has_more`` + ``links.next``. Exports repeat records across pages: staging keeps the newest version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pyarrow as pa
import requests

from connectors.errors import BadRecord
from connectors.http import ApiClient, Throttling
from connectors.pacing import RateLimit
from connectors.paging import Page, follow_pages
from connectors.records import parse_timestamp
from connectors.settings import ConnectionSettings
from connectors.streams import FetchContext, Source, Stream

API = "/api/v2"
TS = pa.timestamp("us", tz="UTC")
# Incremental exports: 10 requests a minute (30 with the High Volume add-on); every endpoint: the plan's
# requests a minute (200 on Team, 400 Growth and Professional, 700 Enterprise, 2,500 Enterprise Plus).
RATE_LIMITS = (
    RateLimit(10, 60.0, "incremental_requests_per_minute", "/incremental/"),
    RateLimit(200, 60.0, "requests_per_minute"),
)


def _remaining(limit: str | None, remaining: str | None) -> float | None:
    try:
        return int(remaining or "") / int(limit or "")
    except (ValueError, ZeroDivisionError):
        return None


def hold_near_the_rate_limit(response: requests.Response) -> float:
    """Under a tenth of a limit left, wait for it to reset: ``X-Rate-Limit``/``X-Rate-Limit-Remaining``
    (the account's requests a minute, ``ratelimit-reset`` seconds to go) and the endpoints' own
    ``Zendesk-RateLimit-<name>: total=20; remaining=3; resets=41``."""
    headers = response.headers
    windows = [
        (
            _remaining(headers.get("X-Rate-Limit"), headers.get("X-Rate-Limit-Remaining")),
            headers.get("ratelimit-reset", "60"),
        )
    ]
    for name, value in headers.items():
        if name.lower().startswith("zendesk-ratelimit-"):
            fields = dict(part.strip().partition("=")[::2] for part in value.split(";"))
            windows.append(
                (_remaining(fields.get("total"), fields.get("remaining")), fields.get("resets", "60"))
            )
    waits = [
        float(resets) for left, resets in windows if left is not None and left < 0.1 and resets.isdigit()
    ]
    return max(waits, default=0.0)


def make_client(settings: ConnectionSettings, interval: str) -> ApiClient:
    login = settings.login or ""
    if login and not login.endswith("/token"):
        login = f"{login}/token"
    return ApiClient.for_connection(
        "zendesk",
        settings,
        interval,
        auth=(login, settings.password or ""),
        secrets=(settings.password,),
        rate_limits=RATE_LIMITS,
        throttling=Throttling(hold_for=hold_near_the_rate_limit),
    )


def _cursor_export(
    ctx: FetchContext, path: str, items: Callable[[dict], Page], params: dict
) -> Iterator[Page]:
    """An incremental cursor export from the stream's cursor until ``end_of_stream``."""
    assert ctx.client
    start = int(ctx.since.timestamp())
    yield from follow_pages(
        ctx.client,
        ctx.url(API, path),
        {"start_time": start, **params},
        items=items,
        next_url=lambda _response, body: None if body.get("end_of_stream") else body.get("after_url"),
    )


def _tickets_with_metric_sets(body: dict) -> Page:
    """Attach the side-loaded ``metric_sets`` to their tickets."""
    metrics = {m.get("ticket_id"): m for m in body.get("metric_sets") or []}
    return [{**t, "metric_set": metrics.get(t.get("id"), {})} for t in body.get("tickets") or []]


def fetch_tickets(ctx: FetchContext) -> Iterator[Page]:
    """Tickets updated since the cursor, as they are now; deleted ones keep status ``deleted``."""
    path = "/incremental/tickets/cursor.json"
    for page in _cursor_export(ctx, path, _tickets_with_metric_sets, {"include": "metric_sets"}):
        yield [
            {
                "ticket_id": t.get("id"),
                "status": t.get("status"),
                "requester_id": t.get("requester_id"),
                "channel": (t.get("via") or {}).get("channel"),
                "created_at": t.get("created_at"),
                "updated_at": t.get("updated_at"),
                "solved_at": t["metric_set"].get("solved_at"),
                "replies": t["metric_set"].get("replies"),
            }
            for t in page
        ]


def fetch_users(ctx: FetchContext) -> Iterator[Page]:
    for page in _cursor_export(
        ctx, "/incremental/users/cursor.json", lambda body: body.get("users") or [], {}
    ):
        yield [
            {
                "user_id": u.get("id"),
                "email": u.get("email"),
                "role": u.get("role"),
                "updated_at": u.get("updated_at"),
            }
            for u in page
        ]


def fetch_ticket_comments(ctx: FetchContext) -> Iterator[Page]:
    """Comment events of the interval from the time-based ticket-events export, which is in time order:
    paging stops at the first page that reaches past the interval."""
    assert ctx.client
    params = {"start_time": int(ctx.interval.start.timestamp()), "include": "comment_events"}
    pages = follow_pages(
        ctx.client,
        ctx.url(API, "/incremental/ticket_events.json"),
        params,
        items=lambda body: body.get("ticket_events") or [],
        next_url=lambda _response, body: None if body.get("end_of_stream") else body.get("next_page"),
    )
    for page in pages:
        yield [
            {
                "comment_id": child.get("id"),
                "ticket_id": event.get("ticket_id"),
                "author_id": child.get("author_id"),
                "is_public": child.get("public"),
                "created_at": event.get("created_at"),
            }
            for event in page
            if ctx.in_interval(event.get("created_at"))
            for child in event.get("child_events") or []
            if child.get("event_type") == "Comment"
        ]
        if page and _after_interval(ctx, page[-1].get("created_at")):
            return


def _after_interval(ctx: FetchContext, value: object) -> bool:
    try:
        return parse_timestamp(value) >= ctx.interval.end
    except BadRecord:
        return False


def fetch_satisfaction_ratings(ctx: FetchContext) -> Iterator[Page]:
    """Ratings updated in the lookback window (CSAT is often answered days after the solve)."""
    assert ctx.client
    params = {
        "start_time": int(ctx.since.timestamp()),
        "end_time": int(ctx.interval.end.timestamp()),
        "page[size]": 100,
    }
    pages = follow_pages(
        ctx.client,
        ctx.url(API, "/satisfaction_ratings.json"),
        params,
        items=lambda body: body.get("satisfaction_ratings") or [],
        next_url=lambda _response, body: (
            (body.get("links") or {}).get("next") if (body.get("meta") or {}).get("has_more") else None
        ),
    )
    for page in pages:
        yield [
            {
                "rating_id": r.get("id"),
                "ticket_id": r.get("ticket_id"),
                "requester_id": r.get("requester_id"),
                "score": r.get("score"),
                "created_at": r.get("created_at"),
                "updated_at": r.get("updated_at"),
            }
            for r in page
        ]


SOURCE = Source(
    name="zendesk",
    connection_id="zendesk_default",
    concurrency=2,
    make_client=make_client,
    lookback=timedelta(days=7),
    streams=(
        Stream(
            "tickets",
            pa.schema(
                [
                    pa.field("ticket_id", pa.int64(), nullable=False),
                    ("status", pa.string()),
                    pa.field("requester_id", pa.int64(), nullable=False),
                    ("channel", pa.string()),
                    pa.field("created_at", TS, nullable=False),
                    pa.field("updated_at", TS, nullable=False),
                    ("solved_at", TS),
                    ("replies", pa.int64()),
                ]
            ),
            ("ticket_id",),
            fetch_tickets,
            "Tickets, newest state per load, with solve time from metric sets.",
            full_history_first=True,
            partition_by="updated_at",
        ),
        Stream(
            "users",
            pa.schema(
                [
                    pa.field("user_id", pa.int64(), nullable=False),
                    ("email", pa.string()),
                    ("role", pa.string()),
                    pa.field("updated_at", TS, nullable=False),
                ]
            ),
            ("user_id",),
            fetch_users,
            "Requesters and agents (role tells which).",
            full_history_first=True,
            partition_by="updated_at",
        ),
        Stream(
            "ticket_comments",
            pa.schema(
                [
                    pa.field("comment_id", pa.int64(), nullable=False),
                    pa.field("ticket_id", pa.int64(), nullable=False),
                    pa.field("author_id", pa.int64(), nullable=False),
                    ("is_public", pa.bool_()),
                    pa.field("created_at", TS, nullable=False),
                ]
            ),
            ("comment_id",),
            fetch_ticket_comments,
            "Ticket comments from the ticket-events export.",
            partition_by="created_at",
            window_days=None,  # a time-ordered export, and 10 requests a minute: one pass per range
        ),
        Stream(
            "satisfaction_ratings",
            pa.schema(
                [
                    pa.field("rating_id", pa.int64(), nullable=False),
                    pa.field("ticket_id", pa.int64(), nullable=False),
                    ("requester_id", pa.int64()),
                    pa.field("score", pa.string(), nullable=False),
                    ("created_at", TS),
                    pa.field("updated_at", TS, nullable=False),
                ]
            ),
            ("rating_id",),
            fetch_satisfaction_ratings,
            "CSAT ratings (good, bad, offered, unoffered).",
            partition_by="updated_at",
        ),
    ),
)
