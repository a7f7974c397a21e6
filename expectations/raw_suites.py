"""Suites for landed entities: the schema the connector promises, required fields, value domains."""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from connectors.streams import Source, Stream

# The Marketing API's Ad.effective_status values.
AD_EFFECTIVE_STATUSES = (
    "ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES",
)  # fmt: skip

# Fresh instances are made per suite: GX gives each expectation in a suite its own id.
EXTRA_EXPECTATIONS: dict[tuple[str, str], list[tuple[type[Expectation], dict[str, Any]]]] = {
    ("mailchimp", "email_activity"): [
        (gxe.ExpectColumnValuesToBeInSet, dict(column="action", value_set=["open", "click", "bounce"])),
    ],
    ("mailchimp", "sent_to"): [
        (gxe.ExpectColumnValuesToBeInSet, dict(column="status", value_set=["sent", "hard", "soft"])),
    ],
    ("facebook", "post_insights"): [
        (gxe.ExpectColumnValuesToBeBetween, dict(column="impressions", min_value=0)),
        (gxe.ExpectColumnValuesToBeBetween, dict(column="link_clicks", min_value=0)),
    ],
    ("trustpilot", "reviews"): [
        (gxe.ExpectColumnValuesToBeBetween, dict(column="stars", min_value=1, max_value=5)),
    ],
    ("zendesk", "satisfaction_ratings"): [
        (
            gxe.ExpectColumnValuesToBeInSet,
            dict(column="score", value_set=["good", "bad", "offered", "unoffered"]),
        ),
    ],
    ("shopify", "orders"): [
        (gxe.ExpectColumnValuesToBeBetween, dict(column="total_price", min_value=0)),
    ],
    ("meta_ads", "ad_insights"): [
        (gxe.ExpectColumnValuesToBeBetween, dict(column=column, min_value=0))
        for column in ("spend", "impressions", "clicks", "link_clicks")
    ],
    ("meta_ads", "ads"): [
        (
            gxe.ExpectColumnValuesToBeInSet,
            dict(column="effective_status", value_set=list(AD_EFFECTIVE_STATUSES)),
        ),
    ],
    ("web", "events"): [
        (
            gxe.ExpectColumnValuesToBeInSet,
            dict(column="event_type", value_set=["page", "screen", "track", "identify"]),
        ),
    ],
}


def suite_name(source: str, entity: str) -> str:
    return f"raw.{source}.{entity}"


def raw_suite(source: Source, stream: Stream) -> gx.ExpectationSuite:
    """The suite for one landed entity, built from the connector's own schema."""
    expectations: list[Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(column_set=stream.schema.names, exact_match=True),
    ]
    expectations += [
        gxe.ExpectColumnValuesToNotBeNull(column=field.name) for field in stream.schema if not field.nullable
    ]
    expectations += [
        kind(**kwargs) for kind, kwargs in EXTRA_EXPECTATIONS.get((source.name, stream.entity), [])
    ]
    return gx.ExpectationSuite(name=suite_name(source.name, stream.entity), expectations=expectations)
