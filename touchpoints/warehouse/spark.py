"""The Spark warehouse (the ``spark`` dbt target): write, audit, publish in one Spark catalog.

dbt builds into the ``build_staging``, ``build_intermediate`` and ``build_marts`` databases, read and
rebuilt in place each night. The audit reads them through this process's Spark session, or the Spark
Connect session of the server dbt builds on (``spark_session.py``), with GX's Spark execution engine.
Publishing copies each audited mart into a new ``published_<time>`` database and then points the
mart's view in ``marts`` at the copy: analysts read ``marts.<mart>``, which is always a whole audited
mart, and a query already running on the previous copy keeps its files (the copy before the previous
one is dropped). The run audit lives in ``audit``, partitioned by run, since Spark's Parquet tables take
no ``DELETE``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from touchpoints.config import Paths
from touchpoints.warehouse.base import LAYERS, AuditTable, Warehouse, WarehouseSql
from touchpoints.warehouse.landing_index import write_landing_index
from touchpoints.warehouse.spark_session import server_address, spark_remote, spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from expectations.runner import DataFrameBatch

BUILD_SCHEMAS = {layer: f"build_{layer}" for layer in LAYERS}
PUBLISHED_SCHEMAS = {layer: layer for layer in LAYERS}  # only ``marts`` exists once published
PUBLISHED_COPY = "published_"  # + the publish's UTC time: the databases the views of ``marts`` read
KEPT_COPIES = 2  # the one analysts read and the one before, which queries that began earlier may read
SPARK_TYPES = {"varchar": "string", "double precision": "double"}


class SparkSql:
    """A Spark session seen through ``WarehouseSql``: ``?`` parameters are Spark's positional markers."""

    def __init__(self, session: SparkSession, schemas: dict[str, str]) -> None:
        self.session = session
        self.schemas = schemas

    def _resolve(self, query: str) -> str:
        return query.format(**self.schemas, string="string")

    def frame(self, query: str) -> pd.DataFrame:
        """The rows as DuckDB hands them to pandas: dates as datetime64, decimals as floats."""
        table = self.session.sql(self._resolve(query)).toArrow()
        schema = pa.schema(
            pa.field(field.name, pa.float64() if pa.types.is_decimal(field.type) else field.type)
            for field in table.schema
        )
        return table.cast(schema).to_pandas(date_as_object=False)

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        result = self.session.sql(self._resolve(query), args=list(params) or None)
        return [tuple(row) for row in result.collect()]

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self.rows(statement, row)

    def tables(self, layer: str) -> list[str]:
        database = self.schemas.get(layer, layer)
        if not self.session.catalog.databaseExists(database):
            return []
        # the session's temporary views (dbt's ``…__dbt_tmp`` of an incremental model) are listed in
        # every database; they are not the database's tables
        tables = self.session.catalog.listTables(database)
        return sorted(table.name for table in tables if not table.isTemporary)

    def columns(self, layer: str) -> list[tuple[str, str, str]]:
        database = self.schemas.get(layer, layer)
        return [
            (table, column.name, column.dataType)
            for table in self.tables(layer)
            for column in self.session.catalog.listColumns(f"{database}.{table}")
        ]


def _plain(value: Any) -> Any:
    """A date or time as Python's own type: Spark refuses subclasses (pendulum's, from Airflow)."""
    if isinstance(value, datetime):
        return datetime(*value.timetuple()[:6], value.microsecond)
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value


def published_copies(session: SparkSession) -> list[str]:
    """The ``published_<time>`` databases, oldest first."""
    return sorted(db.name for db in session.catalog.listDatabases() if db.name.startswith(PUBLISHED_COPY))


class SparkWarehouse(Warehouse):
    """The ``build_<layer>`` databases, ``marts`` (views) and ``audit`` of the catalog dbt builds in.

    With dbt's ``session`` method that is the catalog of ``paths.spark_warehouse``, which the pipeline
    opens in a Spark session of its own (local, or on the cluster of ``TOUCHPOINTS_SPARK_MASTER``). With a
    Spark server (``thrift``, or ``http`` for Databricks) it is the server's, which the pipeline reaches
    through Spark Connect at ``TOUCHPOINTS_SPARK_REMOTE``; without that address it refuses to run rather
    than audit and publish tables dbt did not build.
    """

    def __init__(self, paths: Paths) -> None:
        method = os.environ.get("TOUCHPOINTS_SPARK_METHOD", "session")
        remote = spark_remote()
        if method == "session" and remote is not None:
            raise ValueError(
                "TOUCHPOINTS_SPARK_REMOTE names a Spark server, but TOUCHPOINTS_SPARK_METHOD is session, so"
                " dbt would build in a Spark of its own: set TOUCHPOINTS_SPARK_METHOD=thrift (or http) and"
                " the server's host and port, or unset TOUCHPOINTS_SPARK_REMOTE (docs/spark.md)"
            )
        if method != "session" and remote is None:
            raise ValueError(
                f"dbt builds on a Spark server (TOUCHPOINTS_SPARK_METHOD is {method!r}), and the pipeline"
                " audits and publishes on the same server through Spark Connect: set"
                " TOUCHPOINTS_SPARK_REMOTE to its sc://host:port address (docs/spark.md)"
            )
        super().__init__(paths)
        self.location = (
            f"the Spark server at {server_address(remote)}"
            if remote
            else f"the Spark catalog of {paths.spark_warehouse}"
        )

    @property
    def session(self) -> SparkSession:
        return spark_session(self.paths.spark_warehouse)

    @contextmanager
    def open(self, *, build: bool, read_only: bool = True) -> Iterator[WarehouseSql | None]:
        schemas = BUILD_SCHEMAS if build else PUBLISHED_SCHEMAS
        if read_only and not self.session.catalog.databaseExists(schemas["marts"]):
            yield None
            return
        yield SparkSql(self.session, schemas)

    def describe_published(self) -> str:
        return f"the views of database marts in {self.location}"

    def load_landing(self) -> None:
        """Index the landing zone's manifests, which the build reads with the partitions in place."""
        write_landing_index(self.paths.landing, self.paths.landing_index)

    def require_build(self) -> None:
        if not self.session.catalog.databaseExists(BUILD_SCHEMAS["marts"]):
            raise FileNotFoundError(
                f"no build_marts database in {self.location}: run the dbt build step first"
            )

    def start_afresh(self) -> None:
        """Drop the build databases; the run audit stays."""
        for database in BUILD_SCHEMAS.values():
            self.session.sql(f"drop database if exists {database} cascade")

    def drop_swapped_out(self) -> None:
        """Drop every published copy but the one analysts read (after an erasure the others hold the
        people)."""
        for database in published_copies(self.session)[:-1]:
            self.session.sql(f"drop database if exists {database} cascade")

    def publish(self) -> str:
        """Copy the audited marts into a new database, switch each view of ``marts`` to its copy (one
        catalog update each), drop the views of marts that are gone and the copies older than the
        previous one."""
        self.require_build()
        session = self.session
        marts = [m for m in SparkSql(session, BUILD_SCHEMAS).tables("marts") if not m.startswith("_")]
        copy = f"{PUBLISHED_COPY}{datetime.now(UTC):%Y%m%dt%H%M%S%f}"
        session.sql(f"create database {copy}")
        for mart in marts:
            session.sql(f"create table {copy}.{mart} using parquet as select * from build_marts.{mart}")
        session.sql("create database if not exists marts")
        views = set(SparkSql(session, PUBLISHED_SCHEMAS).tables("marts"))
        for mart in marts:
            # alter view is one catalog update; create or replace drops the view and creates it anew,
            # and a query analysed in between finds no mart
            switch = "alter view" if mart in views else "create view"
            session.sql(f"{switch} marts.{mart} as select * from {copy}.{mart}")
        for gone in views - set(marts):
            session.sql(f"drop view if exists marts.{gone}")
        for database in published_copies(session)[:-KEPT_COPIES]:
            session.sql(f"drop database if exists {database} cascade")
        return f"{len(marts)} marts as views of marts over {copy}"

    def build_batch(self, query: str) -> DataFrameBatch:
        from expectations.runner import DataFrameBatch

        return DataFrameBatch("touchpoints_build_spark", self.session.sql(query.format(**BUILD_SCHEMAS)))

    def export_marts(self) -> list[Path]:
        raise NotImplementedError(
            "the marts are exported as Parquet from the DuckDB warehouse; Spark's are read in place"
        )

    def replace_audit_rows(
        self, table: AuditTable, key: dict[str, Any], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Rewrite the partition of the key's run: its other rows and ``rows``, computed before the
        partition is overwritten (one write, so a retry replaces what the first try wrote)."""
        from pyspark.sql.functions import col

        session = self.session
        name = f"audit.{table.name}"
        session.sql("create database if not exists audit")
        columns = ", ".join(f"{column} {SPARK_TYPES.get(kind, kind)}" for column, kind in table.columns)
        session.sql(f"create table if not exists {name} ({columns}) using parquet partitioned by (run_id)")
        names = [column for column, _ in table.columns]
        run = session.table(name).where(col("run_id") == key["run_id"]).select(*names)
        kept = [row for row in run.collect() if any(row[column] != value for column, value in key.items())]
        plain = [tuple(map(_plain, row)) for row in rows]
        frame = session.createDataFrame([*map(tuple, kept), *plain], schema=columns)
        if frame.isEmpty():
            quoted = key["run_id"].replace("\\", "\\\\").replace("'", "\\'")
            session.sql(f"alter table {name} drop if exists partition (run_id = '{quoted}')")
            return
        session.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
        frame.select(*session.table(name).columns).write.insertInto(name, overwrite=True)
