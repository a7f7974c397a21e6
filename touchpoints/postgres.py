"""The PostgreSQL warehouse (the ``postgres`` dbt target): connection, landing sync and atomic publish.

The landing zone stays Parquet; before each build its changed partitions are copied into
``landing_<source>.<entity>`` tables (one transaction per partition, replacing that day), with their
manifests in ``landing.manifests``. dbt builds into ``build_<layer>`` schemas, and publishing swaps each
of them with its published ``<layer>`` schema in one transaction: readers see the old marts or the new
ones, and the swapped-out schemas become the next build's starting point.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg2
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from psycopg2 import sql

from connectors.landing import DATA_FILE, MANIFEST_FILE

log = logging.getLogger(__name__)

LAYERS = ("staging", "intermediate", "marts")
BUILD_PREFIX = "build_"

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


def layer_schema(layer: str, *, build: bool) -> str:
    """The schema a layer lives in: ``build_marts`` while building and auditing, ``marts`` once published."""
    return f"{BUILD_PREFIX}{layer}" if build else layer


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


def sync_landing(landing: Path) -> int:
    """Copy every landed partition that PostgreSQL does not hold yet (or holds an older extraction of);
    returns how many partitions were loaded. Re-running it loads nothing twice."""
    ensure_database()
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute(MANIFESTS_DDL)
        cursor.execute("select source, entity, ds::text, extracted_at from landing.manifests")
        loaded = {(s, e, d): at for s, e, d, at in cursor.fetchall()}
    synced = 0
    for manifest_path in sorted(landing.glob(f"*/*/ds=*/{MANIFEST_FILE}")):
        manifest = json.loads(manifest_path.read_text())
        key = (manifest["source"], manifest["entity"], manifest["ds"])
        if loaded.get(key) == datetime.fromisoformat(manifest["extracted_at"]):
            continue
        with connect() as connection, connection.cursor() as cursor:  # one partition, one transaction
            _copy_partition(cursor, manifest_path.parent, manifest)
        synced += 1
    log.info("%d landed partitions copied into PostgreSQL", synced)
    return synced


def publish() -> str:
    """Swap every ``build_<layer>`` schema with its published ``<layer>`` in one transaction."""
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("set local lock_timeout = '60s'")
        for layer in LAYERS:
            build, published = layer_schema(layer, build=True), layer_schema(layer, build=False)
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
    return published_location()


def published_location() -> str:
    """Where analysts find the published marts (no password shown)."""
    host = os.environ.get("TOUCHPOINTS_PG_HOST", "127.0.0.1")
    port = os.environ.get("TOUCHPOINTS_PG_PORT", "5432")
    database = os.environ.get("TOUCHPOINTS_PG_DATABASE", "touchpoints")
    return f"postgresql://{host}:{port}/{database} (schema marts)"
