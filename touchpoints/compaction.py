"""Deleted rows in the DuckDB build warehouse: every night leaves them, publish rewrites them away.

A DuckDB checkpoint "vacuums" deleted rows by rewriting whole row groups, and it does so for every table
of the file whenever anything is checkpointed: the night pays for rows it did not touch, and the more
history, the more it pays. So every connection that writes the build warehouse turns that off
(``NO_VACUUM``; the dbt profile sets the same), row groups whose rows are all deleted are still dropped,
and ``compact`` rewrites a table in place once its deleted rows pass ``DEAD_ROWS_LIMIT`` of what it
stores.
"""

from __future__ import annotations

import os

import duckdb

NO_VACUUM = "set max_vacuum_tasks = 0"
DEAD_ROWS_LIMIT = float(os.environ.get("TOUCHPOINTS_DEAD_ROWS_LIMIT", "0.2"))


def dead_row_shares(connection: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Each table's deleted rows as a share of the rows it stores (live and deleted)."""
    tables = connection.execute(
        "select schema_name, table_name, estimated_size from duckdb_tables() "
        "where database_name = current_database() and not temporary and estimated_size > 0"
    ).fetchall()
    shares = {}
    for schema, table, stored in tables:
        name = f'"{schema}"."{table}"'
        (live,) = connection.execute(f"select count(*) from {name}").fetchone() or (0,)
        shares[name] = (stored - live) / stored
    return shares


def compact(connection: duckdb.DuckDBPyConnection, limit: float = DEAD_ROWS_LIMIT) -> list[str]:
    """Rewrite every table whose deleted rows pass ``limit``; the next checkpoint frees the old row groups.

    The rewrite keeps the table (its columns, constraints and row order) and runs in one transaction.
    """
    compacted = []
    for name, share in dead_row_shares(connection).items():
        if share <= limit:
            continue
        connection.execute("begin")
        try:
            connection.execute(f"create temporary table compacting as select * from {name}")
            connection.execute(f"delete from {name}")
            connection.execute(f"insert into {name} select * from compacting")
            connection.execute("drop table compacting")
        except duckdb.Error:
            connection.execute("rollback")
            raise
        connection.execute("commit")
        compacted.append(name)
    return compacted
