"""The published warehouse: swapped in whole from the build warehouse, read without locks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from touchpoints.compaction import NO_VACUUM, compact, dead_rows_limit
from touchpoints.warehouse_sql import duckdb_sql
from touchpoints.warehouse_sql import list_marts as sql_list_marts


def publish(build: Path, published: Path) -> list[str]:
    """Copy the audited build warehouse next to the published one and rename it into place.

    First the tables with too many deleted rows or row groups are compacted (``touchpoints/compaction.py``);
    returns them.

    The rename is atomic: a reader opens either the old file or the new one, never half of one, and a
    reader that already has the old file open keeps reading it.
    """
    if not build.exists():
        raise FileNotFoundError(f"no build warehouse at {build}: run the dbt build step first")
    with duckdb.connect(str(build)) as connection:
        connection.execute(NO_VACUUM)
        compacted = compact(connection, dead_rows_limit())
        connection.execute("checkpoint")  # fold the write-ahead log into the file before copying it
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.publishing")
    shutil.copyfile(build, staging)
    os.replace(staging, published)
    return compacted


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (what analysts and reports do)."""
    return duckdb.connect(str(path), read_only=True)


def list_marts(db: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the ``marts`` schema of a DuckDB warehouse, sorted."""
    return sql_list_marts(duckdb_sql(db))


def export_marts(published: Path, folder: Path) -> list[Path]:
    """Write every mart of the published warehouse as ``<folder>/<mart>.parquet`` (each swapped in whole)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with connect_read_only(published) as db:
        for mart in list_marts(db):
            target = folder / f"{mart}.parquet"
            staging = folder / f".{mart}.parquet.tmp"
            db.execute(f"copy marts.{mart} to '{staging}' (format parquet, compression zstd)")
            os.replace(staging, target)
            written.append(target)
    return written
