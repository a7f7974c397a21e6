"""Suites for the published marts: keys, accepted values, rates in [0, 1], attribution credits."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

CHANNELS = ["email", "social", "review", "support", "commerce", "web", "app"]
RATES = {
    "kpi_email_campaigns": [
        "open_rate",
        "click_rate",
        "click_to_open_rate",
        "bounce_rate",
        "unsubscribe_rate",
    ],
    "kpi_support_daily": ["one_touch_resolution_rate", "csat_score"],
}
KEYS = {
    "fct_touchpoints": ["touchpoint_id"],
    "dim_customers": ["customer_id"],
    "kpi_email_campaigns": ["campaign_id"],
    "kpi_support_daily": ["created_date"],
    "fct_attribution": ["order_id", "model", "touchpoint_id"],
}


def _expectations(mart: str) -> list[Expectation]:
    keys = KEYS[mart]
    found: list[Expectation] = [gxe.ExpectColumnValuesToNotBeNull(column=keys[0])]
    if len(keys) == 1:
        found.append(gxe.ExpectColumnValuesToBeUnique(column=keys[0]))
    else:
        found.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=keys, ignore_row_if="never"))
    found += [
        gxe.ExpectColumnValuesToBeBetween(column=rate, min_value=0, max_value=1)
        for rate in RATES.get(mart, [])
    ]
    if mart == "fct_touchpoints":
        found += [
            gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
            gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
            gxe.ExpectColumnValuesToBeInSet(
                column="journey_stage", value_set=["pre_purchase", "purchase", "post_purchase"]
            ),
            gxe.ExpectColumnValuesToBeBetween(column="rating", min_value=1, max_value=5),
            gxe.ExpectColumnValuesToBeBetween(column="revenue", min_value=0),
        ]
    if mart == "dim_customers":
        found.append(
            gxe.ExpectColumnValuesToMatchRegex(column="customer_id", regex=r"^(?:cus_[0-9a-f]{16}|anon_.+)$")
        )
    if mart == "fct_attribution":
        found.append(gxe.ExpectColumnValuesToBeBetween(column="credit", min_value=0, max_value=1))
    return found


def mart_suite(mart: str) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(name=f"mart.{mart}", expectations=_expectations(mart))


MARTS = tuple(KEYS)
