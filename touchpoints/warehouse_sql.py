"""SQL access to the build or published warehouse, whichever engine holds it (DuckDB file or PostgreSQL).

Audits and the run audit tables go through this, so that they run unchanged on both targets: queries
name layers as ``{marts}``, ``{intermediate}``, ``{staging}`` and take ``?`` parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import duckdb
import pandas as pd
import psycopg2.extensions

from touchpoints.compaction import NO_VACUUM
from touchpoints.config import Paths

LAYERS = ("staging", "intermediate", "marts")
NUMERIC_AS_FLOAT = psycopg2.extensions.new_type(
    psycopg2.extensions.DECIMAL.values,
    "NUMERIC_AS_FLOAT",
    lambda value, _: None if value is None else float(value),
)


class WarehouseSql(Protocol):
    """What audits need from a warehouse: frames, rows and statements, with layers resolved."""

    def frame(self, query: str) -> pd.DataFrame: ...

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...


class _DuckDBSql:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    @staticmethod
    def _resolve(query: str) -> str:
        return query.format(**{layer: layer for layer in LAYERS})

    def frame(self, query: str) -> pd.DataFrame:
        return self.connection.sql(self._resolve(query)).df()

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(self._resolve(query), list(params)).fetchall()

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(self._resolve(statement), [list(r) for r in rows])


class _PostgresSql:
    def __init__(self, connection: Any, *, build: bool) -> None:
        from touchpoints.postgres import layer_schema

        self.connection = connection
        self.schemas = {layer: layer_schema(layer, build=build) for layer in LAYERS}
        # numeric columns arrive as floats, as DuckDB hands them to pandas
        psycopg2.extensions.register_type(NUMERIC_AS_FLOAT, connection)

    def _resolve(self, query: str) -> str:
        return query.format(**self.schemas).replace("%", "%%").replace("?", "%s")

    def frame(self, query: str) -> pd.DataFrame:
        with self.connection.cursor() as cursor:
            cursor.execute(self._resolve(query))
            return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(self._resolve(query), list(params))
            return cursor.fetchall() if cursor.description else []

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self._resolve(statement), rows)


def list_marts(warehouse: WarehouseSql) -> list[str]:
    """The tables of the marts layer, sorted."""
    query = "select table_name from information_schema.tables where table_schema = '{marts}'"
    return sorted(row[0] for row in warehouse.rows(query))


def describe_published(paths: Paths) -> str:
    """Where analysts find the published marts."""
    if paths.on_postgres:
        from touchpoints.postgres import published_location

        return published_location()
    return str(paths.warehouse)


def duckdb_sql(connection: duckdb.DuckDBPyConnection) -> WarehouseSql:
    """An open DuckDB warehouse connection, seen through the same interface."""
    return _DuckDBSql(connection)


@contextmanager
def open_warehouse(paths: Paths, *, build: bool, read_only: bool = True) -> Iterator[WarehouseSql | None]:
    """The build (``build=True``) or published warehouse; ``None`` if nothing is published yet.

    On PostgreSQL the block is one transaction, committed when it ends without an error.
    """
    if paths.on_postgres:
        from touchpoints.postgres import connect, ensure_database

        ensure_database()
        with connect() as connection:
            yield _PostgresSql(connection, build=build)
        return
    path = paths.build_warehouse if build else paths.warehouse
    if read_only and not path.exists():
        yield None
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path), read_only=read_only) as connection:
        if not read_only:
            connection.execute(NO_VACUUM)  # its checkpoint must not rewrite the night's deleted rows
        yield duckdb_sql(connection)
