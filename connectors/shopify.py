"""Shopify Admin REST 2024-10: orders updated since the cursor, any status.

``X-Shopify-Access-Token``; cursor paging through the ``Link: <...page_info=...>; rel="next"`` header.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import requests

from connectors.http import ApiClient, Throttling
from connectors.pacing import RateLimit
from connectors.paging import Page, follow_pages
from connectors.settings import ConnectionSettings
from connectors.streams import FetchContext, Source, Stream

API = "/admin/api/2024-10"
TS = pa.timestamp("us", tz="UTC")
# The REST Admin API's leaky bucket: 40 requests, leaking 2 a second (Plus: 400, 20 a second).
RATE_LIMITS = (RateLimit(40, 20.0, "bucket_size", leaks=True),)


def hold_near_the_call_limit(response: requests.Response) -> float:
    """``X-Shopify-Shop-Api-Call-Limit: 32/40`` (requests in the bucket / its size): past four fifths
    full, wait until it has leaked to half (it leaks a twentieth of its size a second)."""
    used, _, size = response.headers.get("X-Shopify-Shop-Api-Call-Limit", "").partition("/")
    try:
        in_bucket, bucket = int(used), int(size)
    except ValueError:
        return 0.0
    if bucket <= 0 or in_bucket < 0.8 * bucket:
        return 0.0
    return (in_bucket - bucket / 2) / (bucket / 20)


def make_client(settings: ConnectionSettings, interval: str) -> ApiClient:
    headers = {"X-Shopify-Access-Token": settings.password or ""}
    return ApiClient.for_connection(
        "shopify",
        settings,
        interval,
        headers=headers,
        secrets=(settings.password,),
        rate_limits=RATE_LIMITS,
        throttling=Throttling(hold_for=hold_near_the_call_limit),
    )


def fetch_orders(ctx: FetchContext) -> Iterator[Page]:
    assert ctx.client
    params = {
        "updated_at_min": ctx.since.isoformat(),
        "status": "any",
        "limit": 250,
    }
    pages = follow_pages(
        ctx.client,
        ctx.url(API, "/orders.json"),
        params,
        items=lambda body: body.get("orders") or [],
        next_url=lambda response, _body: response.links.get("next", {}).get("url"),
    )
    for page in pages:
        yield [
            {
                "order_id": o.get("id"),
                "order_name": o.get("name"),
                "email": o.get("email"),
                "customer_id": (o.get("customer") or {}).get("id"),
                "customer_email": (o.get("customer") or {}).get("email"),
                "created_at": o.get("created_at"),
                "updated_at": o.get("updated_at"),
                "cancelled_at": o.get("cancelled_at"),
                "currency": o.get("currency"),
                "total_price": o.get("total_price"),
                "financial_status": o.get("financial_status"),
                "country_code": (o.get("billing_address") or {}).get("country_code"),
            }
            for o in page
        ]


SOURCE = Source(
    name="shopify",
    connection_id="shopify_default",
    concurrency=2,
    make_client=make_client,
    streams=(
        Stream(
            "orders",
            pa.schema(
                [
                    pa.field("order_id", pa.int64(), nullable=False),
                    ("order_name", pa.string()),
                    ("email", pa.string()),
                    ("customer_id", pa.int64()),
                    ("customer_email", pa.string()),
                    pa.field("created_at", TS, nullable=False),
                    pa.field("updated_at", TS, nullable=False),
                    ("cancelled_at", TS),
                    ("currency", pa.string()),
                    pa.field("total_price", pa.decimal128(18, 2), nullable=False),
                    ("financial_status", pa.string()),
                    ("country_code", pa.string()),
                ]
            ),
            ("order_id",),
            fetch_orders,
            "Orders, newest state per load.",
            full_history_first=True,
            partition_by="updated_at",
        ),
    ),
)
