"""Spark in local mode against DuckDB on the same two cores: the nightly build's full refresh (every
model and data test) over the same landing zone, at each size, and Spark's fixed cost per build (the
same build of the one-week base company, whose data takes DuckDB a few seconds).

``python -m benchmarks.spark_scale 1000000 10000000`` (touchpoints over 30 days).
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import run_stage
from benchmarks.transform_scale import _home, base_company, touchpoints_built


def build_row(home: Path) -> list[str]:
    """Touchpoints, DuckDB's and Spark's seconds and their ratio, and DuckDB's peak memory (Spark's is in
    its JVM, which the stage process does not count)."""
    duckdb = run_stage("dbt_build_full", home)
    spark = run_stage("spark_build_full", home)
    return [
        f"{touchpoints_built(home):,}",
        f"{duckdb['seconds']:.1f}",
        f"{spark['seconds']:.1f}",
        f"{spark['seconds'] / duckdb['seconds']:.1f}x",
        f"{duckdb['peak_rss_mib']:.0f}",
    ]


def main(targets: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = base_company(work)
        landing, per_day = base
        table = Table(title="full refresh (dbt build, every model and data test): DuckDB vs Spark local[*]")
        for column in ("touchpoints", "DuckDB s", "Spark s", "Spark / DuckDB", "DuckDB peak MiB"):
            table.add_column(column)
        table.add_row(*build_row(_home(work, "fixed", landing, 7, 1)))  # the fixed cost: a tiny company
        for target in targets:
            width = max(1, math.ceil(target / (30 * per_day)))
            table.add_row(*build_row(_home(work, f"spark-{target}", landing, 30, width)))
        Console(width=120).print(table)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000_000])
