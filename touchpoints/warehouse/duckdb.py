"""The DuckDB warehouse (the default): a build file dbt writes, and a published file swapped in whole from
it and read without locks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from touchpoints.warehouse import base
from touchpoints.warehouse.base import LAYERS, Warehouse, WarehouseSql
from touchpoints.warehouse.compaction import NO_VACUUM, compact, dead_rows_limit

if TYPE_CHECKING:
    from expectations.runner import SqlBatch

SCHEMAS = {layer: layer for layer in LAYERS}  # each layer is the schema of its name, in either file


class DuckDBSql:
    """An open DuckDB connection seen through ``WarehouseSql``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    @staticmethod
    def _resolve(query: str) -> str:
        return query.format(**SCHEMAS)

    def frame(self, query: str) -> pd.DataFrame:
        return self.connection.sql(self._resolve(query)).df()

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(self._resolve(query), list(params)).fetchall()

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(self._resolve(statement), [list(r) for r in rows])


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file read-only (what analysts and reports do)."""
    return duckdb.connect(str(path), read_only=True)


def list_marts(db: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the ``marts`` schema of a DuckDB warehouse, sorted."""
    return base.list_marts(DuckDBSql(db))


class DuckDBWarehouse(Warehouse):
    """``paths.build_warehouse`` and ``paths.warehouse``; dbt-duckdb reads the landing zone's Parquet in place."""

    @contextmanager
    def open(self, *, build: bool, read_only: bool = True) -> Iterator[WarehouseSql | None]:
        path = self.paths.build_warehouse if build else self.paths.warehouse
        if read_only and not path.exists():
            yield None
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(path), read_only=read_only) as connection:
            if not read_only:
                connection.execute(NO_VACUUM)  # its checkpoint must not rewrite the night's deleted rows
            yield DuckDBSql(connection)

    def describe_published(self) -> str:
        return str(self.paths.warehouse)

    def load_landing(self) -> None:
        """Nothing to load: the build reads the Parquet files where they landed."""

    def require_build(self) -> None:
        if not self.paths.build_warehouse.exists():
            raise FileNotFoundError(
                f"no build warehouse at {self.paths.build_warehouse}: run the dbt build step first"
            )

    def start_afresh(self) -> None:
        """Replace the build file with a new one holding only its ``audit`` tables: a DuckDB file keeps
        the bytes of dropped tables in its free blocks until they are reused."""
        build = self.paths.build_warehouse
        if not build.exists():
            return
        fresh = build.with_name(f".{build.name}.afresh")
        fresh.unlink(missing_ok=True)
        with duckdb.connect(str(fresh)) as connection:
            connection.execute(f"attach '{build}' as previous (read_only)")
            audit = connection.execute(
                "select table_name from duckdb_tables() where database_name = 'previous' "
                "and schema_name = 'audit'"
            ).fetchall()
            connection.execute("create schema audit")
            for (table,) in audit:
                connection.execute(f"create table audit.{table} as select * from previous.audit.{table}")
            connection.execute("detach previous")
        os.replace(fresh, build)
        build.with_name(f"{build.name}.wal").unlink(missing_ok=True)

    def publish(self) -> str:
        """Compact, copy the audited build file next to the published one and rename it into place, then
        export the marts as Parquet.

        First the tables with too many deleted rows or row groups are compacted (``compaction.py``). The
        rename is atomic: a reader opens either the old file or the new one, never half of one, and a
        reader that already has the old file open keeps reading it.
        """
        build, published = self.paths.build_warehouse, self.paths.warehouse
        self.require_build()
        with duckdb.connect(str(build)) as connection:
            connection.execute(NO_VACUUM)
            compacted = compact(connection, dead_rows_limit())
            connection.execute("checkpoint")  # fold the write-ahead log into the file before copying it
        published.parent.mkdir(parents=True, exist_ok=True)
        staging = published.with_name(f".{published.name}.publishing")
        shutil.copyfile(build, staging)
        os.replace(staging, published)
        exported = self.export_marts()
        return (
            f"{published} (compacted first: {', '.join(compacted) or 'none'}); "
            f"{len(exported)} marts exported as Parquet to {self.paths.exports}"
        )

    def build_batch(self, query: str) -> SqlBatch:
        from expectations.runner import SqlBatch

        return SqlBatch(
            "touchpoints_build_duckdb", "duckdb", f"duckdb:///{self.paths.build_warehouse}",
            query.format(**SCHEMAS), {"connect_args": {"read_only": True}},
        )  # fmt: skip

    def export_marts(self) -> list[Path]:
        """Every published mart as ``<exports>/<mart>.parquet``, each swapped in whole."""
        folder = self.paths.exports
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        with connect_read_only(self.paths.warehouse) as db:
            for mart in list_marts(db):
                target = folder / f"{mart}.parquet"
                staging = folder / f".{mart}.parquet.tmp"
                db.execute(f"copy marts.{mart} to '{staging}' (format parquet, compression zstd)")
                os.replace(staging, target)
                written.append(target)
        return written
