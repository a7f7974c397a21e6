"""Spark in local mode against DuckDB on the same two cores: the nightly build's full refresh (every
model and data test) over the same landing zone, at each size, and Spark's fixed cost per build (the
same build of the one-week base company, whose data takes DuckDB a few seconds); then one new day on
top of a 30-day history, built incrementally on each engine.

``python -m benchmarks.spark_scale 1000000 10000000`` (touchpoints over 30 days);
``python -m benchmarks.spark_scale --new-day 1000000``: only the new day on top of that history.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import run_stage
from benchmarks.scale_data import tile_days
from benchmarks.transform_scale import BASE_DAYS, BASE_START, _home, base_company, touchpoints_built

HISTORY_DAYS = 30
ENGINES = {"DuckDB": "dbt_build", "Spark": "spark_build"}  # each engine's incremental build stage


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


def full_refresh_table(work: Path, base: tuple[Path, float], targets: list[int]) -> Table:
    """The fixed cost, then each target size over 30 days: a full refresh on each engine."""
    landing, per_day = base
    table = Table(title="full refresh (dbt build, every model and data test): DuckDB vs Spark local[*]")
    for column in ("touchpoints", "DuckDB s", "Spark s", "Spark / DuckDB", "DuckDB peak MiB"):
        table.add_column(column)
    table.add_row(*build_row(_home(work, "fixed", landing, BASE_DAYS, 1)))  # the fixed cost: a tiny company
    for target in targets:
        width = max(1, math.ceil(target / (HISTORY_DAYS * per_day)))
        table.add_row(*build_row(_home(work, f"spark-{target}", landing, HISTORY_DAYS, width)))
    return table


def new_day_table(work: Path, base: tuple[Path, float], target: int) -> Table:
    """Each engine's full refresh of a 30-day history of ``target`` touchpoints, then one new day on top
    of it, built incrementally (DuckDB: every layer; Spark: staging, then the rest rebuilt whole)."""
    landing, per_day = base
    width = max(1, math.ceil(target / (HISTORY_DAYS * per_day)))
    home = _home(work, f"new-day-{target}", landing, HISTORY_DAYS, width)
    full = {engine: run_stage(f"{stage}_full", home) for engine, stage in ENGINES.items()}
    history = touchpoints_built(home)
    tile_days(landing, home / "landing", BASE_START, BASE_DAYS, HISTORY_DAYS, HISTORY_DAYS + 1, width)
    new_day = {engine: run_stage(stage, home) for engine, stage in ENGINES.items()}
    table = Table(title=f"one new day on top of {HISTORY_DAYS} days ({history:,} touchpoints)")
    for column in ("engine", "full refresh of the history s", "new day s", "new day / full"):
        table.add_column(column)
    for engine in ENGINES:
        seconds = full[engine]["seconds"], new_day[engine]["seconds"]
        table.add_row(engine, f"{seconds[0]:.1f}", f"{seconds[1]:.1f}", f"{seconds[1] / seconds[0]:.0%}")
    return table


def main(targets: list[int], new_day: int | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = base_company(work)
        console = Console(width=120)
        if targets:
            console.print(full_refresh_table(work, base, targets))
        if new_day:
            console.print(new_day_table(work, base, new_day))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--new-day"]:
        main([], int(arguments[1]))
    else:
        main([int(arg) for arg in arguments] or [1_000_000], None)
