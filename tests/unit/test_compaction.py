"""Deleted rows: kept by a checkpoint without vacuum, rewritten away by compaction past the limit."""

from __future__ import annotations

from pathlib import Path

import duckdb

from touchpoints.compaction import NO_VACUUM, compact, dead_row_shares

ROWS = 1_000_000  # 9 row groups of DuckDB's 122,880 rows


def stored_rows(db: duckdb.DuckDBPyConnection, table: str) -> int:
    return db.execute("select estimated_size from duckdb_tables() where table_name = ?", [table]).fetchall()[
        0
    ][0]


def contents(db: duckdb.DuckDBPyConnection, table: str) -> tuple:
    """Count and a digest of the rows in storage order."""
    return db.execute(
        f"select count(*), hash(list(k order by rowid)), hash(list(s order by rowid)) from {table}"
    ).fetchall()[0]


def test_deleted_rows_stay_until_compaction_rewrites_the_tables_past_the_limit(tmp_path: Path) -> None:
    path = str(tmp_path / "warehouse.duckdb")
    with duckdb.connect(path) as db:
        db.execute("create schema marts")
        for table in ("marts.spread", "marts.light"):
            db.execute(f"create table {table} (k bigint not null, s varchar)")
            db.execute(
                f"insert into {table} select i, 'key-' || (i * 7919 % {ROWS}) from range({ROWS}) as t(i)"
            )
        db.execute("checkpoint")

    with duckdb.connect(path) as db:
        db.execute(NO_VACUUM)
        db.execute("delete from marts.spread where k % 10 < 6")  # 60% of every row group
        db.execute("delete from marts.light where k % 10 = 0")  # 10%
        db.execute("checkpoint")
        assert stored_rows(db, "spread") == ROWS  # with vacuum on, DuckDB would have merged row groups
        shares = dead_row_shares(db)
        assert round(shares['"marts"."spread"'], 6) == 0.6
        assert round(shares['"marts"."light"'], 6) == 0.1
        before = {table: contents(db, f"marts.{table}") for table in ("spread", "light")}

        assert compact(db, limit=0.2) == ['"marts"."spread"']
        db.execute("checkpoint")

        assert stored_rows(db, "spread") == 400_000
        assert stored_rows(db, "light") == ROWS  # under the limit: left as it is
        assert {table: contents(db, f"marts.{table}") for table in ("spread", "light")} == before
        assert (
            db.execute(
                "select count(*) from duckdb_constraints() where table_name = 'spread' and constraint_type = 'NOT NULL'"
            ).fetchall()[0][0]
            == 1
        )  # the table was rewritten in place, not recreated
