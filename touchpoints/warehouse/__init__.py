"""The warehouse: one interface (``base.Warehouse``), a DuckDB and a PostgreSQL implementation, and the
one place that chooses between them from ``TOUCHPOINTS_DBT_TARGET``."""

from __future__ import annotations

from touchpoints.config import Paths
from touchpoints.warehouse.base import Warehouse


def warehouse_for(paths: Paths) -> Warehouse:
    """The warehouse of the configured dbt target: ``duckdb`` (a file, the default) or ``postgres``."""
    if paths.warehouse_target == "duckdb":
        from touchpoints.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(paths)
    if paths.warehouse_target == "postgres":
        from touchpoints.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse(paths)
    if paths.warehouse_target == "spark":
        raise ValueError(
            "the spark target builds the marts with dbt (docs/spark.md); the nightly DAG audits and"
            " publishes from duckdb or postgres only, so set TOUCHPOINTS_DBT_TARGET to one of them"
        )
    raise ValueError(f"TOUCHPOINTS_DBT_TARGET must be duckdb or postgres, not {paths.warehouse_target!r}")
