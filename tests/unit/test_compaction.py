"""Deleted rows and small row groups: kept by a checkpoint without vacuum, rewritten away by compaction."""

from __future__ import annotations

from pathlib import Path

import duckdb

from touchpoints.warehouse.compaction import NO_VACUUM, TableStorage, compact, table_storage

ROWS = 1_000_000  # 9 row groups of DuckDB's 122,880 rows


def storage(db: duckdb.DuckDBPyConnection) -> dict[str, TableStorage]:
    return {table.name.split(".")[1].strip('"'): table for table in table_storage(db)}


def contents(db: duckdb.DuckDBPyConnection, table: str) -> tuple:
    """Count and a digest of the rows in storage order."""
    query = f"select count(*), hash(list(k order by rowid)), hash(list(s order by rowid)) from marts.{table}"
    return db.execute(query).fetchall()[0]


def test_deleted_rows_and_small_row_groups_stay_until_compaction_rewrites_the_tables(tmp_path: Path) -> None:
    path = str(tmp_path / "warehouse.duckdb")
    with duckdb.connect(path) as db:
        db.execute("create schema marts")
        for table in ("spread", "light", "appended"):
            db.execute(f"create table marts.{table} (k bigint not null, s varchar)")
        for table in ("spread", "light"):
            db.execute(
                f"insert into marts.{table} select i, 'key-' || (i * 7919 % {ROWS}) from range({ROWS}) as t(i)"
            )
        db.execute("checkpoint")

    with duckdb.connect(path) as db:
        db.execute(NO_VACUUM)
        db.execute("delete from marts.spread where k % 10 < 6")  # 60% of every row group
        db.execute("delete from marts.light where k % 10 = 0")  # 10%
        for night in range(12):  # twelve nights' appends of 3,000 rows
            db.execute(f"insert into marts.appended select i, 'night-{night}' from range(3000) as t(i)")
            db.execute("checkpoint")
        tables = storage(db)
        # with vacuum on, DuckDB would have merged row groups at these checkpoints
        assert (tables["spread"].stored, tables["spread"].row_groups) == (ROWS, 9)
        assert tables["appended"].row_groups == 12 and tables["appended"].fragmented
        assert round(tables["spread"].dead_share, 6) == 0.6 and not tables["spread"].fragmented
        assert round(tables["light"].dead_share, 6) == 0.1 and not tables["light"].fragmented
        before = {table: contents(db, table) for table in tables}

        assert sorted(compact(db, limit=0.2)) == ['"marts"."appended"', '"marts"."spread"']
        db.execute("checkpoint")

        tables = storage(db)
        assert (tables["spread"].stored, tables["spread"].row_groups) == (400_000, 4)
        assert (tables["appended"].stored, tables["appended"].row_groups) == (36_000, 1)
        assert tables["light"].stored == ROWS  # under the limit: left as it is
        assert {table: contents(db, table) for table in tables} == before
        not_null = db.execute(
            "select count(*) from duckdb_constraints() where table_name = 'spread' and constraint_type = 'NOT NULL'"
        )
        assert not_null.fetchall()[0][0] == 1  # rewritten in place, not recreated
