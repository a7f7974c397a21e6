"""The warehouse: one interface (``base.Warehouse``), a DuckDB, a PostgreSQL and a Spark implementation,
and the one place that chooses between them from ``TOUCHPOINTS_DBT_TARGET``."""

from __future__ import annotations

from touchpoints.config import Paths
from touchpoints.warehouse.base import Warehouse


def warehouse_for(paths: Paths) -> Warehouse:
    """The warehouse of the configured dbt target: ``duckdb`` (a file, the default), ``postgres`` or
    ``spark``."""
    if paths.warehouse_target == "duckdb":
        from touchpoints.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(paths)
    if paths.warehouse_target == "postgres":
        from touchpoints.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse(paths)
    if paths.warehouse_target == "spark":
        from touchpoints.warehouse.spark import SparkWarehouse

        return SparkWarehouse(paths)
    raise ValueError(
        f"TOUCHPOINTS_DBT_TARGET must be duckdb, postgres or spark, not {paths.warehouse_target!r}"
    )
