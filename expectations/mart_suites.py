"""Suites for every mart in the data contract, derived from the dbt contract itself.

The columns and types come from ``dbt_project/models/marts/_marts__models.yml``, so the suite and the
contract cannot drift apart; the grain of each mart, accepted values and ranges are stated here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import yaml
from great_expectations.expectations.expectation import Expectation

from touchpoints.config import DBT_PROJECT_DIR

CONTRACT_FILE = DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml"

GRAINS: dict[str, list[str]] = {
    "fct_touchpoints": ["touchpoint_id"],
    "dim_customers": ["customer_id"],
    "customer_journeys": ["customer_id"],
    "kpi_email_campaigns": ["campaign_id"],
    "kpi_social_posts": ["post_id"],
    "kpi_reviews_daily": ["review_date", "source_system"],
    "kpi_support_daily": ["created_date"],
    "kpi_web_daily": ["session_date", "platform"],
    "kpi_web_channels_daily": ["session_date", "platform", "marketing_channel"],
    "fct_attribution": ["order_id", "model", "touchpoint_id"],
    "kpi_channel_attribution": ["order_date", "channel", "model"],
    "kpi_marketing_channel_attribution": ["order_date", "marketing_channel", "model"],
    "kpi_ad_campaigns": ["ad_date", "campaign_id"],
    "kpi_touchpoints_daily": ["occurred_date", "channel", "touchpoint_type", "journey_stage"],
    "kpi_period_comparison": ["week_start", "channel", "kpi_name"],
    "kpi_conversion_paths": [
        "first_touch_date",
        "conversion_path",
        "first_channel",
        "country_code",
        "lifecycle_stage",
    ],
    "kpi_headlines": ["period", "lifecycle_stage", "first_channel", "country_code", "channel", "kpi_name"],
    "kpi_attribution_segments": [
        "order_date",
        "channel",
        "model",
        "lifecycle_stage",
        "first_channel",
        "country_code",
    ],
    "kpi_segments_daily": ["occurred_date", "channel", "lifecycle_stage", "first_channel", "country_code"],
}
NULLABLE_GRAIN_COLUMNS = {("fct_attribution", "touchpoint_id"), ("kpi_conversion_paths", "country_code")}
CHANNELS = ["email", "social", "review", "support", "commerce", "web", "app", "content"]
MARKETING_CHANNELS = [
    "direct", "organic_search", "paid_search", "organic_social", "paid_social", "email", "referral", "display",
    "affiliate", "other",
]  # fmt: skip
# What a credited touch earns credit as, beside the sessions' channels (fct_attribution.marketing_channel).
CREDITED_MARKETING_CHANNELS = [*MARKETING_CHANNELS, "content", "review", "support"]
CREDITED_MARTS = ("fct_attribution", "kpi_marketing_channel_attribution")
ACCEPTED: dict[str, list[str]] = {
    "journey_stage": ["pre_purchase", "purchase", "post_purchase"],
    "lifecycle_stage": ["prospect", "customer", "repeat_customer"],
    "marketing_channel": MARKETING_CHANNELS,
    "model": ["first_touch", "last_touch", "linear", "time_decay", "position_based", "markov_removal"],
    "platform": ["web", "app"],
    "source_system": ["mailchimp", "facebook", "trustpilot", "zendesk", "shopify", "web"],
}
# kpi_headlines: a segment not cut, and the rows of people who are not customers.
HEADLINE_CUTS = ["(all)", "(no customer)"]
RATE = re.compile(r"(_rate|_share|^csat_score|^credit)$")
DURATION = re.compile(r"(_minutes|_hours|_seconds|^days_to_first_order)$")
# Marts whose row count may not fall by more than this share from the last published load.
SHRINK_TOLERANCE = {"fct_touchpoints": 0.9, "dim_customers": 0.9, "fct_attribution": 0.9}


@cache
def contract() -> dict[str, list[dict[str, Any]]]:
    """Mart name to its contracted columns (name, data_type), in order."""
    models = yaml.safe_load(CONTRACT_FILE.read_text())["models"]
    return {
        m["name"]: m["columns"] for m in models if (m.get("config") or {}).get("contract", {}).get("enforced")
    }


def _column_expectations(mart: str, column: dict[str, Any]) -> list[Expectation]:
    name, data_type = column["name"], column["data_type"]
    found: list[Expectation] = []
    if RATE.search(name):
        found.append(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=0, max_value=1))
    elif data_type == "bigint" or DURATION.search(name):
        found.append(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=0))
    if name == "marketing_channel" and mart in CREDITED_MARTS:
        found.append(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=CREDITED_MARKETING_CHANNELS))
    elif name in ACCEPTED:
        cuts = HEADLINE_CUTS if mart == "kpi_headlines" else []
        found.append(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=ACCEPTED[name] + cuts))
    if name == "channel":
        extra = (
            ["direct"]
            if mart in ("fct_attribution", "kpi_channel_attribution", "kpi_attribution_segments")
            else []
        )
        found.append(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=CHANNELS + extra))
    return found


def mart_suite(mart: str, previous_rows: int | None = None) -> gx.ExpectationSuite:
    """The suite for one mart; ``previous_rows`` (last published count) bounds how far it may shrink."""
    columns = contract()[mart]
    grain = GRAINS[mart]
    found: list[Expectation] = [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=[c["name"] for c in columns])
    ]
    found += [
        gxe.ExpectColumnValuesToNotBeNull(column=column)
        for column in grain
        if (mart, column) not in NULLABLE_GRAIN_COLUMNS
    ]
    if len(grain) == 1:
        found.append(gxe.ExpectColumnValuesToBeUnique(column=grain[0]))
    else:
        found.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=grain, ignore_row_if="never"))
    for column in columns:
        found += _column_expectations(mart, column)
    if mart == "fct_touchpoints":
        found += [
            gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
            gxe.ExpectColumnValuesToMatchRegex(column="customer_id", regex=r"^(?:cus_[0-9a-f]{16}|anon_.+)$"),
            gxe.ExpectColumnValuesToBeBetween(column="rating", min_value=1, max_value=5),
            gxe.ExpectColumnValuesToBeBetween(column="revenue", min_value=0),
        ]
    if previous_rows and mart in SHRINK_TOLERANCE:
        found.append(
            gxe.ExpectTableRowCountToBeBetween(min_value=int(previous_rows * SHRINK_TOLERANCE[mart]))
        )
    return gx.ExpectationSuite(name=f"mart.{mart}", expectations=found)
