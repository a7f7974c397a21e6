"""Deleted rows and small row groups in the DuckDB build warehouse: every night leaves them, publish
rewrites them away.

A DuckDB checkpoint "vacuums" by rewriting whole row groups: it merges row groups that lost rows to
deletes and the small ones a night appended, and it does so for every table of the file whenever
anything is checkpointed, so the night pays for rows it did not touch, and the more history, the more it
pays. Every connection that writes the build warehouse turns that off (``NO_VACUUM``; the dbt profile
sets the same); row groups whose rows are all deleted are still dropped. ``compact`` rewrites a table in
place once its deleted rows pass ``dead_rows_limit()`` of what it stores, or once its rows are spread
over more than twice the row groups they need (and at least ``SPARE_ROW_GROUPS`` more).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import duckdb

NO_VACUUM = "set max_vacuum_tasks = 0"
ROW_GROUP_ROWS = 122_880  # DuckDB's default row group size
SPARE_ROW_GROUPS = 8


def dead_rows_limit() -> float:
    """The share of deleted rows past which a table is compacted (``TOUCHPOINTS_DEAD_ROWS_LIMIT``)."""
    return float(os.environ.get("TOUCHPOINTS_DEAD_ROWS_LIMIT", "0.2"))


@dataclass(frozen=True)
class TableStorage:
    """What a table stores: rows (live and deleted), live rows and row groups."""

    name: str
    stored: int
    live: int
    row_groups: int

    @property
    def dead_share(self) -> float:
        return (self.stored - self.live) / self.stored

    @property
    def fragmented(self) -> bool:
        needed = math.ceil(self.live / ROW_GROUP_ROWS)
        return self.row_groups > max(2 * needed, needed + SPARE_ROW_GROUPS)


def table_storage(connection: duckdb.DuckDBPyConnection) -> list[TableStorage]:
    """Every table of the warehouse file that stores rows."""
    tables = connection.execute(
        "select schema_name, table_name, estimated_size from duckdb_tables() "
        "where database_name = current_database() and not temporary and estimated_size > 0"
    ).fetchall()
    storage = []
    for schema, table, stored in tables:
        name = f'"{schema}"."{table}"'
        (live,) = connection.execute(f"select count(*) from {name}").fetchone() or (0,)
        (row_groups,) = connection.execute(
            "select count(distinct row_group_id) from pragma_storage_info(?)", [f"{schema}.{table}"]
        ).fetchone() or (0,)
        storage.append(TableStorage(name, stored, live, row_groups))
    return storage


def compact(connection: duckdb.DuckDBPyConnection, limit: float) -> list[str]:
    """Rewrite every table past ``limit`` or fragmented; the next checkpoint frees the old row groups.

    The rewrite keeps the table (its columns, constraints and row order) and runs in one transaction.
    """
    compacted = []
    for table in table_storage(connection):
        if table.dead_share <= limit and not table.fragmented:
            continue
        connection.execute("begin")
        try:
            connection.execute(f"create temporary table compacting as select * from {table.name}")
            connection.execute(f"delete from {table.name}")
            connection.execute(f"insert into {table.name} select * from compacting")
            connection.execute("drop table compacting")
        except duckdb.Error:
            connection.execute("rollback")
            raise
        connection.execute("commit")
        compacted.append(table.name)
    return compacted
