"""Trustpilot private reviews API: reviews by creation time, with the company's reply when there is one.

``apikey`` header plus a Bearer token; follow ``links[rel=next-page]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests

from connectors.columns import INT, STRING, TS, Column
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.http import ApiClient
from connectors.identifiers import EMAIL, TRUSTPILOT_CONSUMER
from connectors.pacing import RateLimit
from connectors.paging import NextUrlPaging
from connectors.settings import ConnectionSettings
from connectors.streams import Source, Stream

API = "/v1"
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


def _next_page_link(_response: requests.Response, body: dict) -> str | None:
    return next((link["href"] for link in body.get("links") or [] if link.get("rel") == "next-page"), None)


def _created_since(ctx: FetchContext) -> dict[str, Any]:
    """Reviews created in the lookback window too: Trustpilot filters by creation, replies come later."""
    return {
        "startDateTime": ctx.since.strftime("%Y-%m-%dT%H:%M:%S"),
        "endDateTime": ctx.interval.end.strftime("%Y-%m-%dT%H:%M:%S"),
        "orderBy": "createdat.asc",
        "page": 1,
        "perPage": 100,
    }


REVIEWS = Endpoint(
    f"{API}/private/business-units/{{business_unit_id}}/reviews",
    "reviews",
    NextUrlPaging(_next_page_link),
    _created_since,
)

SOURCE = Source(
    name="trustpilot",
    connection_id="trustpilot_default",
    concurrency=2,
    make_client=make_client,
    lookback=timedelta(days=14),
    streams=(
        Stream(
            "reviews",
            "Reviews of the lookback window, with the company reply time (newest state per load).",
            REVIEWS,
            (
                Column("review_id", STRING, "id", required=True),
                Column("stars", INT, required=True),
                Column("created_at", TS, "createdAt", required=True),
                Column("consumer_id", STRING, "consumer.id", identifies=TRUSTPILOT_CONSUMER),
                Column("referral_email", STRING, "referralEmail", identifies=EMAIL),
                Column("language", STRING),
                Column("reply_created_at", TS, "companyReply.createdAt"),
            ),
            primary_key=("review_id",),
            partition_by="created_at",
        ),
    ),
)
