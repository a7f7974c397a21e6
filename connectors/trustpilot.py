"""Trustpilot private reviews API: reviews by creation time, with the company's reply when there is one.

``apikey`` header plus a Bearer token; follow ``links[rel=next-page]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyarrow as pa

from connectors.http import ApiClient
from connectors.pacing import RateLimit
from connectors.paging import Page, follow_pages
from connectors.settings import ConnectionSettings
from connectors.streams import FetchContext, Source, Stream

API = "/v1"
TS = pa.timestamp("us", tz="UTC")
# Trustpilot asks clients to stay under 833 calls per 5 minutes (10,000 an hour).
RATE_LIMITS = (RateLimit(833, 300.0, "requests_per_5_minutes"),)


def make_client(settings: ConnectionSettings, interval: str) -> ApiClient:
    headers = {"apikey": settings.login or "", "Authorization": f"Bearer {settings.password or ''}"}
    return ApiClient.for_connection(
        "trustpilot",
        settings,
        interval,
        headers=headers,
        secrets=(settings.login, settings.password),
        rate_limits=RATE_LIMITS,
    )


def _next_page(body: dict) -> str | None:
    return next((link["href"] for link in body.get("links") or [] if link.get("rel") == "next-page"), None)


def fetch_reviews(ctx: FetchContext) -> Iterator[Page]:
    """Reviews created in the lookback window too: Trustpilot filters by creation, replies come later."""
    assert ctx.client
    unit = ctx.settings.require_extra("business_unit_id", "trustpilot")
    params = {
        "startDateTime": ctx.since.strftime("%Y-%m-%dT%H:%M:%S"),
        "endDateTime": ctx.interval.end.strftime("%Y-%m-%dT%H:%M:%S"),
        "orderBy": "createdat.asc",
        "page": 1,
        "perPage": 100,
    }
    pages = follow_pages(
        ctx.client,
        ctx.url(API, f"/private/business-units/{unit}/reviews"),
        params,
        items=lambda body: body.get("reviews") or [],
        next_url=lambda _response, body: _next_page(body),
    )
    for page in pages:
        yield [
            {
                "review_id": r.get("id"),
                "stars": r.get("stars"),
                "created_at": r.get("createdAt"),
                "consumer_id": (r.get("consumer") or {}).get("id"),
                "referral_email": r.get("referralEmail"),
                "language": r.get("language"),
                "reply_created_at": (r.get("companyReply") or {}).get("createdAt"),
            }
            for r in page
        ]


SOURCE = Source(
    name="trustpilot",
    connection_id="trustpilot_default",
    concurrency=2,
    make_client=make_client,
    lookback=timedelta(days=14),
    streams=(
        Stream(
            "reviews",
            pa.schema(
                [
                    pa.field("review_id", pa.string(), nullable=False),
                    pa.field("stars", pa.int64(), nullable=False),
                    pa.field("created_at", TS, nullable=False),
                    ("consumer_id", pa.string()),
                    ("referral_email", pa.string()),
                    ("language", pa.string()),
                    ("reply_created_at", TS),
                ]
            ),
            ("review_id",),
            fetch_reviews,
            "Reviews of the lookback window, with the company reply time (newest state per load).",
            partition_by="created_at",
        ),
    ),
)
