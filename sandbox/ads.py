"""The generated company's Meta ad account: a few campaigns, ad sets and ads with URL parameters, and
their daily delivery, in the Marketing API's own JSON shape.

Drawn from a generator of its own (seeded from the config's seed), so that adding it left the rest of
the World, and every number derived from it, as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sandbox import timefmt

Record = dict[str, Any]
AD_ACCOUNT_ID = "120000000000777"
CURRENCY = "USD"
# Meta fills the macros in when the ad is clicked: the campaign by name, the ad by id.
URL_TAGS = "utm_source=facebook&utm_medium=paid_social&utm_campaign={{campaign.name}}&utm_content={{ad.id}}"
CAMPAIGNS = {
    "prospecting_kettles": ("lookalike_buyers", "interest_tea"),
    "retargeting_cart": ("cart_abandoners_7d", "site_visitors_30d"),
}


class Dated(Protocol):
    """What of a SandboxConfig the ad account needs."""

    seed: int
    start: date
    end: date


@dataclass
class AdAccount:
    """One ad account's ads (``/act_<id>/ads``) and daily ad-level insights (``/act_<id>/insights``)."""

    ads: list[Record] = field(default_factory=list)
    insights: list[Record] = field(default_factory=list)


def ad_account(config: Dated) -> AdAccount:
    """Two campaigns of two ad sets of two ads each, delivering every day of the config's range. One ad
    sets its own campaign parameter and one has no URL parameters at all, as real accounts do."""
    rng = random.Random(f"meta_ads-{config.seed}")
    account, next_id = AdAccount(), iter(range(120210000000001, 120219999999999))
    created = datetime.combine(config.start, time(), tzinfo=UTC) - timedelta(days=20)
    for campaign_name, adset_names in CAMPAIGNS.items():
        campaign_id = str(next(next_id))
        for adset_name in adset_names:
            adset_id = str(next(next_id))
            for variant in ("video", "carousel"):
                ad_id = str(next(next_id))
                creative: Record = {"id": str(next(next_id)), "url_tags": URL_TAGS}
                if len(account.ads) == 3:
                    creative["url_tags"] = URL_TAGS.replace("{{campaign.name}}", "black_friday")
                if len(account.ads) == 6:
                    del creative["url_tags"]
                ad = {
                    "id": ad_id,
                    "name": f"{adset_name}_{variant}",
                    "campaign": {"id": campaign_id, "name": campaign_name},
                    "adset": {"id": adset_id, "name": adset_name},
                    "creative": creative,
                    "effective_status": "ACTIVE",
                    "updated_time": timefmt.facebook(created + timedelta(hours=len(account.ads))),
                }
                account.ads.append(ad)
                account.insights += [_delivery(rng, ad, day) for day in _days(config)]
    account.insights.sort(key=lambda row: (row["date_start"], row["ad_id"]))
    return account


def _days(config: Dated) -> list[date]:
    return [config.start + timedelta(days=i) for i in range((config.end - config.start).days)]


def _delivery(rng: random.Random, ad: Record, day: date) -> Record:
    """One ad's day as Meta reports it: every number a string, spend in the account's currency."""
    impressions = rng.randint(300, 6000)
    clicks = rng.randint(0, impressions // 25)
    cents = impressions * rng.randint(400, 1400) // 1000  # a CPM of $4 to $14
    return {
        **_ad_fields(ad),
        "spend": f"{cents // 100}.{cents % 100:02d}",
        "impressions": str(impressions),
        "clicks": str(clicks),
        "inline_link_clicks": str(rng.randint(0, clicks)),
        "date_start": day.isoformat(),
        "date_stop": day.isoformat(),
        "account_currency": CURRENCY,
    }


def _ad_fields(ad: Record) -> dict[str, str]:
    """The ids and names of an ad, its ad set and its campaign, as the insights name them."""
    return {
        "campaign_id": ad["campaign"]["id"],
        "campaign_name": ad["campaign"]["name"],
        "adset_id": ad["adset"]["id"],
        "adset_name": ad["adset"]["name"],
        "ad_id": ad["id"],
        "ad_name": ad["name"],
    }


def click_parameters(ad: Record) -> dict[str, str]:
    """The URL parameters a click on ``ad`` lands with: its creative's ``url_tags`` with the macros
    filled in as Meta fills them ({{campaign.name}}, {{ad.id}}, ...); none for an ad without tags."""
    tags = ad["creative"].get("url_tags", "")
    for name, value in _ad_fields(ad).items():  # campaign_name fills {{campaign.name}}, ad_id {{ad.id}}
        tags = tags.replace("{{" + name.replace("_", ".", 1) + "}}", value)
    return dict(pair.split("=", 1) for pair in tags.split("&") if "=" in pair)


def insights_between(account: AdAccount, since: str, until: str, fields: str) -> list[Record]:
    """The rows of the days ``since`` to ``until`` (both included), with the fields asked for (Meta
    always adds ``date_start`` and ``date_stop``)."""
    wanted = {*fields.split(","), "date_start", "date_stop"}
    return [
        {k: v for k, v in row.items() if k in wanted}
        for row in account.insights
        if since <= row["date_start"] <= until
    ]
