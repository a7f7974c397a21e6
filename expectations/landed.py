"""Validation of landed partitions against their entity's raw suite, computed by DuckDB on the Parquet files.

A run validates every partition of its days; the partitions of one entity are validated together, as one
batch (a year of days costs one suite run, not 365), and when the suite fails each day is validated on its
own to name the days that fail.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
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


def _point_view(views: Path, name: str, files: list[str]) -> None:
    """(Re)define the view ``name`` in the DuckDB file ``views`` over the given partitions' files."""
    listed = ", ".join(f"'{file}'" for file in files)
    with duckdb.connect(str(views)) as db:
        db.execute(
            f'create or replace view "{name}" as '
            f"select * from read_parquet([{listed}], hive_partitioning = false, union_by_name = true)"
        )


def validate_landed(
    context: AbstractDataContext,
    views: Path,
    landing_root: Path,
    source: str,
    entity: str,
    days: list[str],
    run_name: str | None = None,
) -> ValidationOutcome:
    """Validate the partitions ``<landing>/<source>/<entity>/ds=<day>`` of ``days`` as one batch in the
    open GX project ``context``; a missing partition is an error, not a pass.

    The batch is a view in the DuckDB file ``views``, pointed at the partitions before each validation,
    so that the GX asset (a query of the view) stays the same from run to run.
    """
    connector = SOURCES[source]
    suite = raw_suite(connector, connector.stream(entity))
    _point_view(views, suite.name, _files(landing_root, source, entity, days))
    batch = SqlBatch(
        datasource="touchpoints_landing",
        engine="duckdb",
        connection_string=f"duckdb:///{views}",
        query=f'select * from "{suite.name}"',
        engine_kwargs={"connect_args": {"read_only": True}},
    )
    return validate_batch(context, suite, batch, run_name)


def validate_days(
    context: AbstractDataContext,
    views: Path,
    landing_root: Path,
    source: str,
    entity: str,
    days: list[str],
    run_name: str | None = None,
) -> tuple[ValidationOutcome, list[str]]:
    """The entity's verdict over ``days``, and the days that fail the suite on their own."""
    outcome = validate_landed(context, views, landing_root, source, entity, days, run_name)
    if outcome.success or len(days) == 1:
        return outcome, [] if outcome.success else list(days)
    failing = [
        ds
        for ds in days
        if not validate_landed(context, views, landing_root, source, entity, [ds], run_name).success
    ]
    failures = [*outcome.failures, f"failing days: {', '.join(failing)}"]
    verdict = ValidationOutcome(
        outcome.suite, False, outcome.evaluated, outcome.rows, failures, outcome.seconds
    )
    return verdict, failing
