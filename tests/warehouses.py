"""Reading whole marts out of a DuckDB warehouse, to compare two builds table for table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from touchpoints.warehouse.duckdb import list_marts


def mart_frames(warehouse: Path) -> dict[str, pd.DataFrame]:
    """Every mart of the warehouse, its rows sorted by every column."""
    with duckdb.connect(str(warehouse), read_only=True) as db:
        frames = {}
        for name in list_marts(db):
            frame = db.sql(f"select * from marts.{name}").df()
            frames[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


def assert_same_marts(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    """The same marts with the same rows; doubles may differ in the last bits of their sums' order."""
    assert set(actual) == set(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(actual[name], frame, check_exact=False, rtol=1e-12, obj=name)
