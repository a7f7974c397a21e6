"""Validation of one landed partition against its raw suite, computed by DuckDB on the Parquet file."""

from __future__ import annotations

from pathlib import Path

from great_expectations.data_context import AbstractDataContext

from connectors.landing import DATA_FILE, partition_dir
from connectors.registry import SOURCES
from expectations.outcomes import ValidationOutcome
from expectations.raw_suites import raw_suite
from expectations.runner import SqlBatch, validate_batch


def validate_landed(
    context: AbstractDataContext, landing_root: Path, source: str, entity: str, ds: str
) -> ValidationOutcome:
    """Validate ``<landing>/<source>/<entity>/ds=<ds>`` in the open GX project ``context``; a missing
    partition is an error, not a pass."""
    path = partition_dir(landing_root, source, entity, ds) / DATA_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"{source}.{entity}: no landed partition for ds={ds} at {path}; run the extract first"
        )
    connector = SOURCES[source]
    parquet = str(path).replace("'", "''")
    batch = SqlBatch(
        datasource="touchpoints_landing",
        engine="duckdb",
        connection_string="duckdb:///:memory:",
        query=f"select * from read_parquet('{parquet}', hive_partitioning = false)",
    )
    return validate_batch(context, raw_suite(connector, connector.stream(entity)), batch)
