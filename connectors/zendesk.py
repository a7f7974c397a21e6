"""Zendesk Support: incremental tickets (with metric sets), users, comment events and CSAT ratings.

Basic auth ``{email}/token:{api token}``; cursor exports until ``end_of_stream``; ratings by
``meta.has_more`` + ``links.next``. Exports repeat records across pages: staging keeps the newest version.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import requests

from connectors.columns import BOOL, INT, STRING, TS, Column
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.errors import BadRecord
from connectors.http import ApiClient, Throttling
from connectors.identifiers import EMAIL, ZENDESK_TICKET, ZENDESK_USER
from connectors.pacing import RateLimit
from connectors.paging import NextUrlPaging, Page
from connectors.records import parse_timestamp
from connectors.settings import ConnectionSettings
from connectors.streams import Source, Stream

API = "/api/v2"
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


def _after_url(_response: requests.Response, body: dict) -> str | None:
    return None if body.get("end_of_stream") else body.get("after_url")


def _next_page_until_end(_response: requests.Response, body: dict) -> str | None:
    return None if body.get("end_of_stream") else body.get("next_page")


def _next_link_while_more(_response: requests.Response, body: dict) -> str | None:
    return (body.get("links") or {}).get("next") if (body.get("meta") or {}).get("has_more") else None


def _tickets_with_metric_sets(body: dict) -> Page:
    """Attach the side-loaded ``metric_sets`` to their tickets."""
    metrics = {m.get("ticket_id"): m for m in body.get("metric_sets") or []}
    return [{**t, "metric_set": metrics.get(t.get("id"), {})} for t in body.get("tickets") or []]


def _export_from_cursor(ctx: FetchContext) -> dict[str, Any]:
    """An incremental cursor export from the stream's cursor until ``end_of_stream``."""
    return {"start_time": int(ctx.since.timestamp())}


def _export_with_metric_sets(ctx: FetchContext) -> dict[str, Any]:
    return {**_export_from_cursor(ctx), "include": "metric_sets"}


def _comment_events_of_interval(ctx: FetchContext) -> dict[str, Any]:
    return {"start_time": int(ctx.interval.start.timestamp()), "include": "comment_events"}


def _ratings_updated_in_lookback(ctx: FetchContext) -> dict[str, Any]:
    """Ratings updated in the lookback window (CSAT is often answered days after the solve)."""
    return {
        "start_time": int(ctx.since.timestamp()),
        "end_time": int(ctx.interval.end.timestamp()),
        "page[size]": 100,
    }


def fetch_ticket_comments(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """Comment events of the interval from the time-based ticket-events export, which is in time order:
    paging stops at the first page that reaches past the interval. One item per comment, with its event."""
    assert endpoint
    for page in endpoint.pages(ctx):
        yield [
            {"event": event, "comment": child}
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


CURSOR_EXPORT = NextUrlPaging(_after_url)

SOURCE = Source(
    name="zendesk",
    connection_id="zendesk_default",
    concurrency=2,
    make_client=make_client,
    lookback=timedelta(days=7),
    streams=(
        Stream(
            "tickets",
            "Tickets, newest state per load, with solve time from metric sets.",
            # tickets updated since the cursor, as they are now; deleted ones keep status ``deleted``
            Endpoint(
                f"{API}/incremental/tickets/cursor.json",
                _tickets_with_metric_sets,
                CURSOR_EXPORT,
                _export_with_metric_sets,
            ),
            (
                Column("ticket_id", INT, "id", required=True, identifies=ZENDESK_TICKET),
                Column("status", STRING),
                Column("requester_id", INT, required=True, identifies=ZENDESK_USER),
                Column("channel", STRING, "via.channel"),
                Column("created_at", TS, required=True),
                Column("updated_at", TS, required=True),
                Column("solved_at", TS, "metric_set.solved_at"),
                Column("replies", INT, "metric_set.replies"),
            ),
            primary_key=("ticket_id",),
            full_history_first=True,
            partition_by="updated_at",
        ),
        Stream(
            "users",
            "Requesters and agents (role tells which).",
            Endpoint(f"{API}/incremental/users/cursor.json", "users", CURSOR_EXPORT, _export_from_cursor),
            (
                Column("user_id", INT, "id", required=True, identifies=ZENDESK_USER),
                Column("email", STRING, identifies=EMAIL),
                Column("role", STRING),
                Column("updated_at", TS, required=True),
            ),
            primary_key=("user_id",),
            full_history_first=True,
            partition_by="updated_at",
        ),
        Stream(
            "ticket_comments",
            "Ticket comments from the ticket-events export.",
            Endpoint(
                f"{API}/incremental/ticket_events.json",
                "ticket_events",
                NextUrlPaging(_next_page_until_end),
                _comment_events_of_interval,
            ),
            (
                Column("comment_id", INT, "comment.id", required=True),
                Column("ticket_id", INT, "event.ticket_id", required=True, identifies=ZENDESK_TICKET),
                Column("author_id", INT, "comment.author_id", required=True, identifies=ZENDESK_USER),
                Column("is_public", BOOL, "comment.public"),
                Column("created_at", TS, "event.created_at", required=True),
            ),
            primary_key=("comment_id",),
            fetch=fetch_ticket_comments,
            partition_by="created_at",
            window_days=None,  # a time-ordered export, and 10 requests a minute: one pass per range
            links_identifiers=False,  # a comment on a person's ticket may be an agent's
        ),
        Stream(
            "satisfaction_ratings",
            "CSAT ratings (good, bad, offered, unoffered).",
            Endpoint(
                f"{API}/satisfaction_ratings.json",
                "satisfaction_ratings",
                NextUrlPaging(_next_link_while_more),
                _ratings_updated_in_lookback,
            ),
            (
                Column("rating_id", INT, "id", required=True),
                Column("ticket_id", INT, required=True, identifies=ZENDESK_TICKET),
                Column("requester_id", INT, identifies=ZENDESK_USER),
                Column("score", STRING, required=True),
                Column("created_at", TS),
                Column("updated_at", TS, required=True),
            ),
            primary_key=("rating_id",),
            partition_by="updated_at",
        ),
    ),
)
