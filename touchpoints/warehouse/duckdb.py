"""The DuckDB warehouse (the default): a build file dbt writes, readable by its owner only, and a published
file written fresh from its marts and audit tables, swapped in whole and read without locks."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from connectors.private import private_dir, private_file
from touchpoints.warehouse import base
from touchpoints.warehouse.base import LAYERS, InformationSchema, Warehouse, WarehouseSql
from touchpoints.warehouse.compaction import NO_VACUUM, compact, dead_rows_limit

if TYPE_CHECKING:
    from expectations.runner import SqlBatch

SCHEMAS = {layer: layer for layer in LAYERS}  # each layer is the schema of its name, in the build file
# What analysts get: the marts and the run audit; staging and intermediate (e-mail addresses, names,
# messages) stay in the build file.
PUBLISHED_SCHEMAS = ("marts", "audit")
PUBLISHING = "publishing"  # the published file's catalog name while it is written


class DuckDBSql(InformationSchema):
    """An open DuckDB connection seen through ``WarehouseSql``."""

    schemas = SCHEMAS

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    @staticmethod
    def _resolve(query: str) -> str:
        return query.format(**SCHEMAS, string="varchar")

    def frame(self, query: str) -> pd.DataFrame:
        return self.connection.sql(self._resolve(query)).df()

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(self._resolve(query), list(params)).fetchall()

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(self._resolve(statement), [list(r) for r in rows])


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file read-only (what analysts and reports do)."""
    return duckdb.connect(str(path), read_only=True)


def make_private(path: Path) -> None:
    """A DuckDB file and its write-ahead log (when there is one) readable by their owner only."""
    private_file(path)
    private_file(path.with_name(f"{path.name}.wal"))


def copy_schemas(connection: duckdb.DuckDBPyConnection, target: Path, schemas: Sequence[str]) -> None:
    """Write a new DuckDB file at ``target`` holding ``schemas`` of the connection's database: each table
    created as its DDL says (columns, types, constraints) and filled, then checkpointed and detached.

    A new file holds nothing else: a copied file would keep the bytes of what was dropped from it.
    """
    source = connection.execute("select current_database()").fetchall()[0][0]
    tables = connection.execute(
        "select schema_name, table_name, sql from duckdb_tables() "
        "where database_name = ? and list_contains(?, schema_name) order by all",
        [source, list(schemas)],
    ).fetchall()
    quoted_target = str(target).replace("'", "''")
    connection.execute(f"attach '{quoted_target}' as {PUBLISHING}")
    try:
        connection.execute(f"use {PUBLISHING}")  # the DDL names schema and table, not the database
        for schema in schemas:
            connection.execute(f'create schema "{schema}"')
        for schema, table, ddl in tables:
            connection.execute(ddl)
            connection.execute(
                f'insert into "{schema}"."{table}" select * from "{source}"."{schema}"."{table}"'
            )
        connection.execute(f"checkpoint {PUBLISHING}")
    finally:
        connection.execute(f'use "{source}"')
        connection.execute(f"detach {PUBLISHING}")


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
        if build:
            private_dir(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(path), read_only=read_only) as connection:
            if not read_only:
                connection.execute(NO_VACUUM)  # its checkpoint must not rewrite the night's deleted rows
            yield DuckDBSql(connection)
        if build and not read_only:
            make_private(path)

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
        """Replace the build file with a new one holding only its ``audit`` tables (``copy_schemas``):
        a DuckDB file keeps the bytes of dropped tables in its free blocks until they are reused."""
        build = self.paths.build_warehouse
        if not build.exists():
            return
        fresh = build.with_name(f".{build.name}.afresh")
        for leftover in (fresh, fresh.with_name(f"{fresh.name}.wal")):  # of a forget that died
            leftover.unlink(missing_ok=True)
        with duckdb.connect(str(build)) as connection:
            copy_schemas(connection, fresh, ("audit",))
        os.replace(fresh, build)
        build.with_name(f"{build.name}.wal").unlink(missing_ok=True)
        make_private(build)

    def drop_swapped_out(self) -> None:
        """Nothing: publishing replaced the published file whole."""

    def publish(self) -> str:
        """Compact the build file, write the marts and audit tables into a new file next to the published
        one and rename it into place, then export the marts as Parquet.

        First the tables with too many deleted rows or row groups are compacted (``compaction.py``): the
        build file keeps every night's deletes otherwise. The published file is written fresh
        (``copy_schemas``), so it holds no byte of staging or intermediate. The rename is atomic: a
        reader opens either the old file or the new one, never half of one, and a reader that already has
        the old file open keeps reading it.
        """
        build, published = self.paths.build_warehouse, self.paths.warehouse
        self.require_build()
        published.parent.mkdir(parents=True, exist_ok=True)
        staging = published.with_name(f".{published.name}.publishing")
        for leftover in (staging, staging.with_name(f"{staging.name}.wal")):  # of a publish that died
            leftover.unlink(missing_ok=True)
        with duckdb.connect(str(build)) as connection:
            connection.execute(NO_VACUUM)
            compacted = compact(connection, dead_rows_limit())
            connection.execute("checkpoint")  # frees the compacted tables' old row groups
            copy_schemas(connection, staging, PUBLISHED_SCHEMAS)
        make_private(build)
        os.replace(staging, published)
        exported = self.export_marts()
        return (
            f"{published} ({', '.join(PUBLISHED_SCHEMAS)}; build compacted first: {', '.join(compacted) or 'none'}); "
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
