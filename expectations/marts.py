"""Validation of the marts in the build warehouse (read with DuckDB's own client)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations.mart_suites import MARTS, mart_suite
from expectations.outcomes import ValidationOutcome
from expectations.runner import open_context, validate_frame

CREDIT_CHECK = """
    select order_id, model, sum(credit) as total
    from marts.fct_attribution
    group by order_id, model
    having abs(sum(credit) - 1) > 1e-9
"""


def validate_marts(warehouse: Path, gx_root: Path) -> list[ValidationOutcome]:
    """Run every mart suite plus the attribution cross-check; return one outcome each."""
    context = open_context(gx_root)
    outcomes = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for mart in MARTS:
            frame = connection.sql(f"select * from marts.{mart}").df()
            outcomes.append(validate_frame(context, mart_suite(mart), frame))
        unbalanced = connection.sql(CREDIT_CHECK).fetchall()
    outcomes.append(
        ValidationOutcome(
            "cross.attribution_credits_sum_to_one",
            not unbalanced,
            1,
            len(unbalanced),
            [f"{len(unbalanced)} order/model pairs whose credits do not sum to 1"] if unbalanced else [],
        )
    )
    return outcomes
