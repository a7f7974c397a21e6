"""What the pipeline needs from a warehouse engine, whichever holds the marts (DuckDB file or PostgreSQL).

Queries name layers as ``{marts}``, ``{intermediate}``, ``{staging}`` and take ``?`` parameters, so that
audits, reports and the run audit tables run unchanged on both engines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from touchpoints.config import Paths

if TYPE_CHECKING:
    from expectations.runner import SqlBatch

LAYERS = ("staging", "intermediate", "marts")


class WarehouseSql(Protocol):
    """An open warehouse: frames, rows and statements, with layers resolved."""

    def frame(self, query: str) -> pd.DataFrame: ...

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def execute_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...


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
    def build_batch(self, query: str) -> SqlBatch:
        """A query of the build warehouse as a batch GX validates where it lives."""

    @abstractmethod
    def export_marts(self) -> list[Path]:
        """Write every published mart as Parquet under ``paths.exports``; the files written."""


def list_marts(warehouse: WarehouseSql) -> list[str]:
    """The tables of the marts layer, sorted."""
    query = "select table_name from information_schema.tables where table_schema = '{marts}'"
    return sorted(row[0] for row in warehouse.rows(query))
