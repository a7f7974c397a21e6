"""Meta Marketing API: daily ad insights of one ad account (per campaign, ad set and ad) and its ads with
their creatives' URL parameters.

Graph API conventions (``connectors/graph.py``): Bearer access token, ``paging.next`` cursor paging,
throttling by error code (the business use cases' 80000 for insights and 80004 for ad objects, 17, 613,
4) and the ``X-Business-Use-Case-Usage`` header. Values land as Meta sends them: spend a decimal string
in the account's currency, counts strings of integers, days ``YYYY-MM-DD``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyarrow as pa

from connectors.columns import DATE, INT, STRING, TS, Column
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.graph import API, GRAPH, graph_client, graph_throttling
from connectors.paging import Page
from connectors.streams import Source, Stream

INSIGHT_FIELDS = (
    "campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,"
    "spend,impressions,clicks,inline_link_clicks,date_start,date_stop,account_currency"
)
# the campaign's and ad set's names too: url_tags hold Meta's macros ({{campaign.name}}), which staging fills in
AD_FIELDS = "id,name,campaign{id,name},adset{id,name},creative{id,url_tags},effective_status,updated_time"
# User (17), ad account (613), application (4) and the business use cases (80000 ads insights, 80003
# custom audiences, 80004 ads management, ... 80014)
THROTTLING_CODES = {4, 17, 613, *range(80000, 80015)}
THROTTLING = graph_throttling(THROTTLING_CODES)


def _account(ctx: FetchContext) -> str:
    """The ad account's number, whether the connection names it ``act_123`` or ``123``."""
    return ctx.settings.require_extra("ad_account_id", "meta_ads").removeprefix("act_")


def _daily_insights(ctx: FetchContext) -> dict[str, Any]:
    """One row per ad and day with delivery, for the lookback's days too (Meta restates recent days);
    ``time_range`` is inclusive of both days."""
    until = ctx.interval.end - timedelta(days=1)
    time_range = {"since": ctx.since.date().isoformat(), "until": until.date().isoformat()}
    return {
        "level": "ad",
        "time_increment": 1,
        "time_range": json.dumps(time_range, separators=(",", ":")),
        "fields": INSIGHT_FIELDS,
        "limit": 500,
    }


def _ad_fields(_ctx: FetchContext) -> dict[str, Any]:
    return {"fields": AD_FIELDS, "limit": 500}


def of_the_account(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """Every page of an ad account's edge."""
    assert endpoint
    yield from endpoint.pages(ctx, ad_account_id=_account(ctx))


SOURCE = Source(
    name="meta_ads",
    connection_id="meta_ads_default",
    concurrency=2,
    make_client=graph_client("meta_ads", THROTTLING),
    lookback=timedelta(days=3),
    streams=(
        Stream(
            "ad_insights",
            "Daily delivery and spend per ad (with its campaign and ad set), newest figures per load.",
            Endpoint(f"{API}/act_{{ad_account_id}}/insights", "data", GRAPH, _daily_insights),
            (
                Column("ad_id", STRING, required=True),
                Column("date_start", DATE, required=True),
                Column("date_stop", DATE),
                Column("ad_name", STRING),
                Column("adset_id", STRING),
                Column("adset_name", STRING),
                Column("campaign_id", STRING),
                Column("campaign_name", STRING),
                Column("account_currency", STRING),
                Column("spend", pa.decimal128(18, 4), required=True),
                Column("impressions", INT),
                Column("clicks", INT),
                Column("link_clicks", INT, "inline_link_clicks"),
            ),
            primary_key=("ad_id", "date_start"),
            fetch=of_the_account,
            partition_by="date_start",
        ),
        Stream(
            "ads",
            "The account's ads as of each load, with their creative's URL parameters.",
            Endpoint(f"{API}/act_{{ad_account_id}}/ads", "data", GRAPH, _ad_fields),
            (
                Column("ad_id", STRING, "id", required=True),
                Column("ad_name", STRING, "name"),
                Column("adset_id", STRING, "adset.id"),
                Column("adset_name", STRING, "adset.name"),
                Column("campaign_id", STRING, "campaign.id"),
                Column("campaign_name", STRING, "campaign.name"),
                Column("creative_id", STRING, "creative.id"),
                Column("url_tags", STRING, "creative.url_tags"),
                Column("effective_status", STRING),
                Column("updated_time", TS),
            ),
            primary_key=("ad_id",),
            fetch=of_the_account,
            window_days=None,
        ),
    ),
)
