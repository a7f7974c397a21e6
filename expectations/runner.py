"""Runs suites in a file-backed GX context (so Data Docs can be built from it), with every metric computed
inside the engine that holds the data: DuckDB (landed Parquet and the DuckDB warehouse, through the
datasource of ``expectations.duckdb_datasource``), PostgreSQL (GX's own datasource) or Spark (GX's Spark
execution engine, on a DataFrame of the session that reads the Spark warehouse).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import great_expectations as gx
import sqlalchemy as sa
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig

import expectations.duckdb_datasource  # noqa: F401 - registers the duckdb datasource type before any context loads
from expectations.outcomes import ValidationOutcome

log = logging.getLogger(__name__)


LEGACY_PANDAS_DATASOURCE = "touchpoints"


@dataclass(frozen=True)
class SqlBatch:
    """A batch GX validates in place: a datasource (engine and URL) and the query selecting the rows.

    The URL may hold ``${ENV_VAR}`` placeholders (GX substitutes them when it connects), so no secret is
    written to the GX project.
    """

    datasource: str
    engine: Literal["duckdb", "postgres"]
    connection_string: str
    query: str
    engine_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DataFrameBatch:
    """A batch GX validates with its Spark execution engine: a datasource name and a Spark DataFrame."""

    datasource: str
    dataframe: Any  # pyspark.sql.DataFrame


def open_context(gx_root: Path) -> AbstractDataContext:
    """A file-backed context under ``gx_root`` (created on first use), with progress bars off."""
    gx_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    _forget_pandas_batches(context, gx_root)
    return context


def _forget_pandas_batches(context: AbstractDataContext, gx_root: Path) -> None:
    """Projects made before validation moved into the engines hold a pandas datasource whose validation
    definitions and checkpoints no longer resolve; both are regenerated on every validation, so drop them
    (stored results and suites stay)."""
    if LEGACY_PANDAS_DATASOURCE not in context.data_sources.all():
        return
    for folder in ("validation_definitions", "checkpoints"):
        for stale in (gx_root / "gx" / folder).glob("*.json"):
            stale.unlink()
    context.data_sources.delete(LEGACY_PANDAS_DATASOURCE)


def _failures(result: Any) -> list[str]:
    failures = []
    for item in result.results:
        if not item.success:
            config = item.expectation_config
            column = config.kwargs.get("column")
            detail = item.result.get("unexpected_count")
            reason = (item.exception_info or {}).get("exception_message")
            where = f" on {column}" if column else ""
            suffix = f" ({detail} unexpected)" if detail else f" (error: {reason})" if reason else ""
            failures.append(f"{config.type}{where}{suffix}")
    return failures


def _definition_name(suite_name: str, datasource: str) -> str:
    """Validation definitions are per suite and datasource (a project may serve both
    warehouse targets)."""
    return f"{suite_name} @ {datasource}"


def _configured_as(source: Any, batch: SqlBatch | DataFrameBatch) -> bool:
    if isinstance(batch, DataFrameBatch):
        # GX persists each batch's DataFrame by default and never unpersists it: in a session that
        # validates night after night (a Spark server's, a test's), the cached marts fill the heap
        return source.persist is False
    configured = getattr(source.connection_string, "template_str", source.connection_string)
    return str(configured) == batch.connection_string and (source.kwargs or {}) == batch.engine_kwargs


def _datasource(context: AbstractDataContext, batch: SqlBatch | DataFrameBatch) -> Any:
    """The batch's datasource, reused while its settings are unchanged. Re-configuring a datasource drops
    its assets, so the definitions that use them are deleted first."""
    existing = context.data_sources.all().get(batch.datasource)
    if existing is not None and _configured_as(existing, batch):
        return existing
    if existing is not None:
        for asset in existing.assets:
            name = _definition_name(asset.name, batch.datasource)
            if any(item.name == name for item in context.validation_definitions.all()):
                context.validation_definitions.delete(name)
    sources = context.data_sources
    if isinstance(batch, DataFrameBatch):
        return sources.add_or_update_spark(name=batch.datasource, persist=False)
    add = sources.add_or_update_duckdb if batch.engine == "duckdb" else sources.add_or_update_postgres
    return add(name=batch.datasource, connection_string=batch.connection_string, kwargs=batch.engine_kwargs)


def _rows_validated(result: Any, source: Any, batch: SqlBatch | DataFrameBatch) -> int:
    """The batch's row count: from a column expectation's element count, or one count query."""
    counted = [item.result["element_count"] for item in result.results if "element_count" in item.result]
    if counted:
        return int(max(counted))
    if isinstance(batch, DataFrameBatch):
        return int(batch.dataframe.count())
    with source.get_engine().connect() as connection:
        return int(connection.execute(sa.text(f"select count(*) from ({batch.query}) as batch")).scalar_one())


def _dataframe_definition(source: Any, name: str) -> Any:
    """The DataFrame asset ``name`` and its whole-DataFrame batch definition (the DataFrame is given at
    each run)."""
    if name not in source.get_asset_names():
        return source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("whole")
    return source.get_asset(name).get_batch_definition("whole")


def _batch_definition(source: Any, name: str, query: str) -> Any:
    """The query asset ``name`` and its whole-table batch definition; made again only when its query
    changed (each change rewrites the GX project's configuration file)."""
    existing = source.get_asset(name) if name in source.get_asset_names() else None
    if existing is not None and existing.query == query:
        try:
            return existing.get_batch_definition("whole")
        except KeyError:
            return existing.add_batch_definition_whole_table("whole")
    if existing is not None:
        source.delete_asset(name)
    return source.add_query_asset(name=name, query=query).add_batch_definition_whole_table("whole")


def validate_batch(
    context: AbstractDataContext,
    suite: gx.ExpectationSuite,
    batch: SqlBatch | DataFrameBatch,
    run_name: str | None = None,
) -> ValidationOutcome:
    """Add-or-update the suite, its query asset and validation definition, then validate.

    The stored definition stores its result (under ``run_name``, so that the Data Docs built after the
    run can be limited to it). The engine's connections are closed afterwards: a DuckDB file must not
    stay open between steps.
    """
    started = time.monotonic()
    source = _datasource(context, batch)
    in_spark = isinstance(batch, DataFrameBatch)
    if in_spark:
        whole = _dataframe_definition(source, suite.name)
    else:
        whole = _batch_definition(source, suite.name, batch.query)
    name = _definition_name(suite.name, batch.datasource)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=whole, suite=suite)  # saves the suite too
    )
    run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC)) if run_name else None
    parameters = {"dataframe": batch.dataframe} if in_spark else None
    try:
        result = definition.run(batch_parameters=parameters, result_format="SUMMARY", run_id=run_id)
        rows = _rows_validated(result, source, batch)
    finally:
        if not in_spark:  # the Spark session is the process's, and stays
            source.get_execution_engine().close()
            source.get_engine().dispose()
    outcome = ValidationOutcome(
        suite.name,
        bool(result.success),
        len(result.results),
        rows,
        _failures(result),
        round(time.monotonic() - started, 3),
    )
    log.info(outcome.describe())
    return outcome
