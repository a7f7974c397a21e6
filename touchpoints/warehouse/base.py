"""What the pipeline needs from a warehouse engine, whichever holds the marts (DuckDB file or PostgreSQL).

Queries name layers as ``{marts}``, ``{intermediate}``, ``{staging}``, the string type as ``{string}``,
and take ``?`` parameters, so that audits, reports and the run audit tables run unchanged on every
engine. What a SQL catalog answers through ``information_schema`` (tables, columns), each engine answers
through ``tables`` and ``columns``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from touchpoints.config import Paths

if TYPE_CHECKING:
    from expectations.runner import DataFrameBatch, SqlBatch

LAYERS = ("staging", "intermediate", "marts")


@dataclass(frozen=True)
class AuditTable:
    """A table of the run audit (``audit.<name>``): its columns and their SQL types, ``run_id`` first."""

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def ddl(self) -> str:
        columns = ", ".join(f"{column} {kind}" for column, kind in self.columns)
        return f"create table if not exists audit.{self.name} ({columns})"


class WarehouseSql(Protocol):
    """An open warehouse: frames, rows and statements, with layers resolved."""

    def frame(self, query: str) -> pd.DataFrame: ...

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def tables(self, layer: str) -> list[str]:
        """The tables and views of a layer (or of a schema named as it is, such as ``audit``), sorted."""
        ...

    def columns(self, layer: str) -> list[tuple[str, str, str]]:
        """Table, column and type of every column of the layer's tables, in table and column order."""
        ...


class InformationSchema:
    """``tables`` and ``columns`` from the SQL standard's ``information_schema`` (DuckDB, PostgreSQL),
    for a ``WarehouseSql`` whose ``schemas`` maps layers to schemas."""

    schemas: dict[str, str]
    rows: Any  # WarehouseSql.rows

    def tables(self, layer: str) -> list[str]:
        query = "select table_name from information_schema.tables where table_schema = ? order by 1"
        return [row[0] for row in self.rows(query, [self.schemas.get(layer, layer)])]

    def columns(self, layer: str) -> list[tuple[str, str, str]]:
        query = (
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = ? order by table_name, ordinal_position"
        )
        return [tuple(row) for row in self.rows(query, [self.schemas.get(layer, layer)])]


class Warehouse(ABC):
    """One engine's build and published warehouses: opening them, loading the landing zone, publishing."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    @abstractmethod
    def open(self, *, build: bool, read_only: bool = True) -> AbstractContextManager[WarehouseSql | None]:
        """The build (``build=True``) or published warehouse; ``None`` if nothing is published yet."""

    @abstractmethod
    def describe_published(self) -> str:
        """Where analysts find the published marts."""

    @abstractmethod
    def load_landing(self) -> None:
        """Make the landing zone readable by the build (before source freshness and the build)."""

    @abstractmethod
    def require_build(self) -> None:
        """Raise FileNotFoundError when there is no build warehouse to audit or publish."""

    @abstractmethod
    def start_afresh(self) -> None:
        """Drop everything built, keeping only the run audit, so that the next build is a full one that
        leaves nothing of what was erased from the landing zone."""

    @abstractmethod
    def drop_swapped_out(self) -> None:
        """After an erasure's publish, drop what the publish swapped out, which holds the erased people."""

    @abstractmethod
    def publish(self) -> str:
        """Swap the audited build in for the published marts; what was published, for the log."""

    @abstractmethod
    def build_batch(self, query: str) -> SqlBatch | DataFrameBatch:
        """A query of the build warehouse as a batch GX validates where it lives."""

    @abstractmethod
    def export_marts(self) -> list[Path]:
        """Write every published mart as Parquet under ``paths.exports``; the files written."""

    def replace_audit_rows(
        self, table: AuditTable, key: dict[str, Any], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Delete the audit table's rows for ``key`` and insert ``rows``, in one transaction (idempotent
        on a retry); the schema and table are created on first use."""
        where = " and ".join(f"{column} = ?" for column in key)
        with self.open(build=True, read_only=False) as warehouse:
            assert warehouse is not None
            warehouse.rows("create schema if not exists audit")
            warehouse.rows(table.ddl)
            warehouse.rows(f"delete from audit.{table.name} where {where}", list(key.values()))
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                warehouse.execute_many(f"insert into audit.{table.name} values ({marks})", rows)


def list_marts(warehouse: WarehouseSql) -> list[str]:
    """The marts, sorted: the marts layer's tables but its bookkeeping (``_builds``…)."""
    return [table for table in warehouse.tables("marts") if not table.startswith("_")]
