"""Shopify Admin REST 2024-10: orders updated since the cursor, any status.

``X-Shopify-Access-Token``; cursor paging through the ``Link: <...page_info=...>; rel="next"`` header.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import requests

from connectors.columns import INT, STRING, TS, Column
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.http import ApiClient, Throttling
from connectors.identifiers import EMAIL, SHOPIFY_CUSTOMER
from connectors.pacing import RateLimit
from connectors.paging import NextUrlPaging
from connectors.settings import ConnectionSettings
from connectors.streams import Source, Stream

API = "/admin/api/2024-10"
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


def _orders_updated_since(ctx: FetchContext) -> dict[str, Any]:
    return {"updated_at_min": ctx.since.isoformat(), "status": "any", "limit": 250}


def _link_header_next(response: requests.Response, _body: object) -> str | None:
    return response.links.get("next", {}).get("url")


SOURCE = Source(
    name="shopify",
    connection_id="shopify_default",
    concurrency=2,
    make_client=make_client,
    streams=(
        Stream(
            "orders",
            "Orders, newest state per load.",
            Endpoint(f"{API}/orders.json", "orders", NextUrlPaging(_link_header_next), _orders_updated_since),
            (
                Column("order_id", INT, "id", required=True),
                Column("order_name", STRING, "name"),
                Column("email", STRING, identifies=EMAIL),
                Column("customer_id", INT, "customer.id", identifies=SHOPIFY_CUSTOMER),
                Column("customer_email", STRING, "customer.email", identifies=EMAIL),
                Column("created_at", TS, required=True),
                Column("updated_at", TS, required=True),
                Column("cancelled_at", TS),
                Column("currency", STRING),
                Column("total_price", pa.decimal128(18, 2), required=True),
                Column("financial_status", STRING),
                Column("country_code", STRING, "billing_address.country_code"),
            ),
            primary_key=("order_id",),
            full_history_first=True,
            partition_by="updated_at",
        ),
    ),
)
