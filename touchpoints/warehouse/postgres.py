"""The PostgreSQL warehouse (the ``postgres`` dbt target): connection, landing sync and atomic publish.

The landing zone stays Parquet; before each build its changed partitions are copied into
``landing_<source>.<entity>`` tables (one transaction per partition, replacing that day), with their
manifests in ``landing.manifests``. dbt builds into ``build_<layer>`` schemas, and publishing swaps each
of them with its published ``<layer>`` schema in one transaction: readers see the old marts or the new
ones, and the swapped-out schemas become the next build's starting point. In the same transaction the
analysts' role (``analyst_role()``) is granted reading the published marts, and nothing else.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import psycopg2
import psycopg2.extensions
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from psycopg2 import sql

from connectors.landing import DATA_FILE, MANIFEST_FILE
from touchpoints.warehouse.base import LAYERS, InformationSchema, Warehouse, WarehouseSql

if TYPE_CHECKING:
    from expectations.runner import SqlBatch

log = logging.getLogger(__name__)

BUILD_PREFIX = "build_"
NUMERIC_AS_FLOAT = psycopg2.extensions.new_type(
    psycopg2.extensions.DECIMAL.values,
    "NUMERIC_AS_FLOAT",
    lambda value, _: None if value is None else float(value),
)

MANIFESTS_DDL = """
create schema if not exists landing;
create table if not exists landing.manifests (
    source text not null, entity text not null, ds date not null,
    rows bigint not null, extracted_at timestamptz not null, loaded_at timestamptz not null default now(),
    primary key (source, entity, ds)
)
"""


def dsn(database: str | None = None) -> str:
    """libpq settings from the same variables dbt's ``postgres`` profile reads."""
    database = database or os.environ.get("TOUCHPOINTS_PG_DATABASE", "touchpoints")
    return " ".join(
        f"{key}={value}"
        for key, value in (
            ("host", os.environ.get("TOUCHPOINTS_PG_HOST", "127.0.0.1")),
            ("port", os.environ.get("TOUCHPOINTS_PG_PORT", "5432")),
            ("user", os.environ.get("TOUCHPOINTS_PG_USER", "postgres")),
            ("password", os.environ.get("TOUCHPOINTS_PG_PASSWORD", "")),
            ("dbname", database),
        )
        if value
    )


def sqlalchemy_url() -> str:
    """The warehouse as a SQLAlchemy URL for GX, with ``${…}`` placeholders instead of credentials."""
    user = "${TOUCHPOINTS_PG_USER}" if os.environ.get("TOUCHPOINTS_PG_USER") else "postgres"
    password = ":${TOUCHPOINTS_PG_PASSWORD}" if os.environ.get("TOUCHPOINTS_PG_PASSWORD") else ""
    host = os.environ.get("TOUCHPOINTS_PG_HOST", "127.0.0.1")
    port = os.environ.get("TOUCHPOINTS_PG_PORT", "5432")
    database = os.environ.get("TOUCHPOINTS_PG_DATABASE", "touchpoints")
    return f"postgresql+psycopg2://{user}{password}@{host}:{port}/{database}"


@contextmanager
def connect() -> Iterator[Any]:
    """A connection whose ``with`` block is one transaction (committed on success), closed afterwards."""
    connection = psycopg2.connect(dsn())
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def ensure_database() -> None:
    """Create the warehouse database on first use (connecting to the server's ``postgres`` database)."""
    database = os.environ.get("TOUCHPOINTS_PG_DATABASE", "touchpoints")
    connection = psycopg2.connect(dsn("postgres"))
    connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("select 1 from pg_database where datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("create database {}").format(sql.Identifier(database)))
    finally:
        connection.close()


def analyst_role() -> str:
    """``TOUCHPOINTS_PG_ANALYST_ROLE``: the group role that may read the published marts, and only them."""
    return os.environ.get("TOUCHPOINTS_PG_ANALYST_ROLE", "touchpoints_analysts")


def grant_analysts(cursor: Any, published: str, swapped_out: str) -> None:
    """Create the analysts' role (NOLOGIN) if it is missing, let it read the ``published`` schema's
    tables, and take from it what it held on the schema that became the next build's."""
    role = analyst_role()
    cursor.execute("select 1 from pg_roles where rolname = %s", [role])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    for statement, schema in (
        ("grant usage on schema {} to {}", published),
        ("grant select on all tables in schema {} to {}", published),
        ("revoke all on schema {} from {}", swapped_out),
        ("revoke all on all tables in schema {} from {}", swapped_out),
    ):
        cursor.execute(sql.SQL(statement).format(sql.Identifier(schema), sql.Identifier(role)))


def _drop_schemas(schemas: list[str]) -> None:
    with connect() as connection, connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))


def layer_schemas(*, build: bool) -> dict[str, str]:
    """The schema each layer lives in: ``build_marts`` while building and auditing, ``marts`` once
    published."""
    return {layer: f"{BUILD_PREFIX}{layer}" if build else layer for layer in LAYERS}


class PostgresSql(InformationSchema):
    """An open PostgreSQL connection seen through ``WarehouseSql``."""

    def __init__(self, connection: Any, *, build: bool) -> None:
        self.connection = connection
        self.schemas = layer_schemas(build=build)
        # numeric columns arrive as floats, as DuckDB hands them to pandas
        psycopg2.extensions.register_type(NUMERIC_AS_FLOAT, connection)

    def _resolve(self, query: str) -> str:
        return query.format(**self.schemas, string="varchar").replace("%", "%%").replace("?", "%s")

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


def _pg_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision}, {arrow_type.scale})"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_date(arrow_type):
        return "date"
    return "text"


def _ensure_table(cursor: Any, source: str, entity: str, schema: pa.Schema) -> sql.Composed:
    table = sql.Identifier(f"landing_{source}", entity)
    cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(f"landing_{source}")))
    cursor.execute(sql.SQL("create table if not exists {} (ds date not null)").format(table))
    for field in schema:  # new columns of a connector are added; existing ones are never changed
        cursor.execute(
            sql.SQL("alter table {} add column if not exists {} " + _pg_type(field.type)).format(
                table, sql.Identifier(field.name)
            )
        )
    return table


def _copy_partition(cursor: Any, folder: Path, manifest: dict[str, Any]) -> None:
    data = pq.read_table(folder / DATA_FILE)
    table = _ensure_table(cursor, manifest["source"], manifest["entity"], data.schema)
    cursor.execute(sql.SQL("delete from {} where ds = %s").format(table), [manifest["ds"]])
    if data.num_rows:
        data = data.append_column("ds", pa.array([manifest["ds"]] * data.num_rows, pa.string()))
        buffer = io.BytesIO()
        pa_csv.write_csv(data, buffer, pa_csv.WriteOptions(include_header=True))
        buffer.seek(0)
        columns = sql.SQL(", ").join(sql.Identifier(name) for name in data.column_names)
        cursor.copy_expert(
            sql.SQL("copy {} ({}) from stdin with (format csv, header true)")
            .format(table, columns)
            .as_string(cursor),
            buffer,
        )
    cursor.execute(
        """insert into landing.manifests (source, entity, ds, rows, extracted_at) values (%s, %s, %s, %s, %s)
        on conflict (source, entity, ds) do update
        set rows = excluded.rows, extracted_at = excluded.extracted_at, loaded_at = now()""",
        [manifest["source"], manifest["entity"], manifest["ds"], manifest["rows"], manifest["extracted_at"]],
    )


class PostgresWarehouse(Warehouse):
    """The ``build_<layer>`` and published ``<layer>`` schemas of the ``TOUCHPOINTS_PG_*`` database."""

    @contextmanager
    def open(self, *, build: bool, read_only: bool = True) -> Iterator[WarehouseSql | None]:
        """The block is one transaction, committed when it ends without an error."""
        ensure_database()
        with connect() as connection:
            yield PostgresSql(connection, build=build)

    def describe_published(self) -> str:
        """The published marts' database (no password shown)."""
        host = os.environ.get("TOUCHPOINTS_PG_HOST", "127.0.0.1")
        port = os.environ.get("TOUCHPOINTS_PG_PORT", "5432")
        database = os.environ.get("TOUCHPOINTS_PG_DATABASE", "touchpoints")
        return f"postgresql://{host}:{port}/{database} (schema marts)"

    def load_landing(self) -> None:
        """Copy every landed partition that PostgreSQL does not hold yet (or holds an older extraction
        of). Re-running it loads nothing twice."""
        ensure_database()
        with connect() as connection, connection.cursor() as cursor:
            cursor.execute(MANIFESTS_DDL)
            cursor.execute("select source, entity, ds::text, extracted_at from landing.manifests")
            loaded = {(s, e, d): at for s, e, d, at in cursor.fetchall()}
        synced = 0
        for manifest_path in sorted(self.paths.landing.glob(f"*/*/ds=*/{MANIFEST_FILE}")):
            manifest = json.loads(manifest_path.read_text())
            key = (manifest["source"], manifest["entity"], manifest["ds"])
            if loaded.get(key) == datetime.fromisoformat(manifest["extracted_at"]):
                continue
            with connect() as connection, connection.cursor() as cursor:  # one partition, one transaction
                _copy_partition(cursor, manifest_path.parent, manifest)
            synced += 1
        log.info("%d landed partitions copied into PostgreSQL", synced)

    def require_build(self) -> None:
        """The build schemas are created by dbt on the server: nothing to check here."""

    def start_afresh(self) -> None:
        """Drop the build schemas and the landing copies (the next load copies every partition again, the
        next build is a full one), then rewrite the audit tables without their dead row versions."""
        from connectors.registry import SOURCES

        ensure_database()
        schemas = [*layer_schemas(build=True).values(), "landing", *(f"landing_{s}" for s in SOURCES)]
        _drop_schemas(schemas)
        connection = psycopg2.connect(dsn())
        connection.autocommit = True  # VACUUM cannot run inside a transaction
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "select table_name from information_schema.tables where table_schema = 'audit'"
                )
                for (table,) in cursor.fetchall():
                    cursor.execute(sql.SQL("vacuum full {}").format(sql.Identifier("audit", table)))
        finally:
            connection.close()

    def drop_swapped_out(self) -> None:
        """Drop the schemas the last publish swapped out (the previous marts become the next build's
        start): after an erasure they hold the people; the next build is then a full one."""
        _drop_schemas(list(layer_schemas(build=True).values()))

    def publish(self) -> str:
        """Swap every ``build_<layer>`` schema with its published ``<layer>`` and grant the analysts the
        published marts, in one transaction."""
        build_schemas, published_schemas = layer_schemas(build=True), layer_schemas(build=False)
        with connect() as connection, connection.cursor() as cursor:
            cursor.execute("set local lock_timeout = '60s'")
            for layer in LAYERS:
                build, published = build_schemas[layer], published_schemas[layer]
                cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(published)))
                cursor.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(published), sql.Identifier(f"{published}__swap")
                    )
                )
                cursor.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(build), sql.Identifier(published)
                    )
                )
                cursor.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(f"{published}__swap"), sql.Identifier(build)
                    )
                )
            grant_analysts(cursor, published_schemas["marts"], build_schemas["marts"])
        return self.describe_published()

    def build_batch(self, query: str) -> SqlBatch:
        from expectations.runner import SqlBatch

        return SqlBatch(
            "touchpoints_build_postgres", "postgres", sqlalchemy_url(),
            query.format(**layer_schemas(build=True)),
        )  # fmt: skip

    def export_marts(self) -> list[Path]:
        raise NotImplementedError(
            "the marts are exported as Parquet from the DuckDB warehouse; PostgreSQL's are read in place"
        )
