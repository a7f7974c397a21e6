"""Validation of landed partitions against their entity's raw suite, computed by DuckDB on the Parquet files.

A run validates every partition of its days; the partitions of one entity are validated together, as one
batch (a year of days costs one suite run, not 365), and when the suite fails each day is validated on its
own to name the days that fail.
"""

from __future__ import annotations

from pathlib import Path

from great_expectations.data_context import AbstractDataContext

from connectors.landing import DATA_FILE, partition_dir
from connectors.registry import SOURCES
from expectations.outcomes import ValidationOutcome
from expectations.raw_suites import raw_suite
from expectations.runner import SqlBatch, validate_batch


def _files(landing_root: Path, source: str, entity: str, days: list[str]) -> list[str]:
    files = []
    for ds in days:
        path = partition_dir(landing_root, source, entity, ds) / DATA_FILE
        if not path.exists():
            raise FileNotFoundError(
                f"{source}.{entity}: no landed partition for ds={ds} at {path}; run the extract first"
            )
        files.append(str(path).replace("'", "''"))
    return files


def validate_landed(
    context: AbstractDataContext, landing_root: Path, source: str, entity: str, days: list[str]
) -> ValidationOutcome:
    """Validate the partitions ``<landing>/<source>/<entity>/ds=<day>`` of ``days`` as one batch in the
    open GX project ``context``; a missing partition is an error, not a pass."""
    files = ", ".join(f"'{file}'" for file in _files(landing_root, source, entity, days))
    batch = SqlBatch(
        datasource="touchpoints_landing",
        engine="duckdb",
        connection_string="duckdb:///:memory:",
        query=f"select * from read_parquet([{files}], hive_partitioning = false, union_by_name = true)",
    )
    connector = SOURCES[source]
    return validate_batch(context, raw_suite(connector, connector.stream(entity)), batch)


def validate_days(
    context: AbstractDataContext, landing_root: Path, source: str, entity: str, days: list[str]
) -> tuple[ValidationOutcome, list[str]]:
    """The entity's verdict over ``days``, and the days that fail the suite on their own."""
    outcome = validate_landed(context, landing_root, source, entity, days)
    if outcome.success or len(days) == 1:
        return outcome, [] if outcome.success else list(days)
    failing = [ds for ds in days if not validate_landed(context, landing_root, source, entity, [ds]).success]
    failures = [*outcome.failures, f"failing days: {', '.join(failing)}"]
    return ValidationOutcome(
        outcome.suite, False, outcome.evaluated, outcome.rows, failures, outcome.seconds
    ), failing
