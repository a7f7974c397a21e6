"""Reading whole marts out of a DuckDB warehouse or a Spark warehouse folder, to compare two builds table
for table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from touchpoints.warehouse.duckdb import list_marts


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's rows sorted by every column, numbered from 0."""
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def mart_frames(warehouse: Path) -> dict[str, pd.DataFrame]:
    """Every mart of the warehouse, its rows sorted by every column."""
    with duckdb.connect(str(warehouse), read_only=True) as db:
        return {name: sorted_rows(db.sql(f"select * from marts.{name}").df()) for name in list_marts(db)}


def spark_mart_frames(schema_dir: Path) -> dict[str, pd.DataFrame]:
    """Every model a Spark build wrote in one schema's folder (``<warehouse>/build_marts.db``), read from
    its Parquet files (and partition folders) as DuckDB reads them, its rows sorted by every column; not
    the bookkeeping tables (``_builds``…). A partitioned table without rows has no file: an empty frame."""
    with duckdb.connect() as db:
        return {
            table.name: sorted_rows(
                db.sql(f"select * from read_parquet('{table}/**/*.parquet', hive_partitioning = true)").df()
            )
            if any(table.rglob("*.parquet"))
            else pd.DataFrame()
            for table in sorted(schema_dir.iterdir())
            if table.is_dir() and not table.name.startswith("_")
        }


def assert_same_marts(
    actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame], rtol: float = 1e-12
) -> None:
    """The same marts with the same rows; doubles may differ in the last bits of their sums' order."""
    assert set(actual) == set(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(actual[name], frame, check_exact=False, rtol=rtol, obj=name)
