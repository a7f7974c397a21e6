"""Transform at scale: dbt against its own compiled SQL run straight on DuckDB, and the cost of one new
day on top of a long history against a full refresh, with each stage's peak memory.

Every stage runs in a process of its own (``benchmarks/stage.py``). Landing zones are tiled from a
sandbox company (``benchmarks/scale_data.py``).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from benchmarks.scale_data import land_base_company, tile_day, tile_history

BASE_START = date(2025, 1, 1)
BASE_DAYS = 7
BASE_CUSTOMERS = 200
HISTORY_START = date(2025, 1, 1)


def run_stage(stage: str, home: Path, day: date | None = None) -> dict[str, float]:
    """One stage in a child process: its seconds and peak RSS (MiB)."""
    args = [sys.executable, "-m", "benchmarks.stage", stage, str(home)] + ([day.isoformat()] if day else [])
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def touchpoints_built(home: Path) -> int:
    with duckdb.connect(str(home / "warehouse" / "build" / "touchpoints.duckdb"), read_only=True) as db:
        return db.execute("select count(*) from marts.fct_touchpoints").fetchall()[0][0]


def base_company(work: Path) -> tuple[Path, list[date], float]:
    """The base landing zone, its days, and the touchpoints one copy of it makes per day."""
    landing = land_base_company(work / "base", BASE_CUSTOMERS, BASE_START, BASE_DAYS)
    home = work / "base"
    run_stage("dbt_run_full", home)
    per_day = touchpoints_built(home) / BASE_DAYS
    return landing, [BASE_START + timedelta(days=d) for d in range(BASE_DAYS)], per_day


def _home(work: Path, name: str, base: Path, base_days: list[date], days: int, width: int) -> Path:
    home = work / name
    tile_history(base, home / "landing", base_days, HISTORY_START, days, width)
    return home


def transform_table(work: Path, base: tuple[Path, list[date], float], targets: list[int]) -> Table:
    """dbt (run and build) against the compiled SQL, at each target size over 30 days."""
    landing, base_days, per_day = base
    table = Table(title="dbt against its compiled SQL on DuckDB (full refresh, 30 days)")
    for column in ("touchpoints", "raw SQL s", "dbt run s", "dbt run / raw", "dbt build s (with tests)",
                   "peak MiB raw / run / build"):  # fmt: skip
        table.add_column(column)
    for target in targets:
        width = max(1, math.ceil(target / (30 * per_day)))
        home = _home(work, f"transform-{target}", landing, base_days, 30, width)
        dbt_run = run_stage("dbt_run_full", home)
        raw = run_stage("raw_sql", home)
        build = run_stage("dbt_build_full", home)
        table.add_row(
            f"{touchpoints_built(home):,}",
            f"{raw['seconds']:.1f}",
            f"{dbt_run['seconds']:.1f}",
            f"{dbt_run['seconds'] / raw['seconds']:.2f}x",
            f"{build['seconds']:.1f}",
            f"{raw['peak_rss_mib']:.0f} / {dbt_run['peak_rss_mib']:.0f} / {build['peak_rss_mib']:.0f}",
        )
    return table


def incremental_table(
    work: Path, base: tuple[Path, list[date], float], per_day_target: int, histories: list[int]
) -> Table:
    """One new day on top of each history size: an incremental ``dbt build`` against a full refresh."""
    landing, base_days, per_day = base
    width = max(1, math.ceil(per_day_target / per_day))
    table = Table(title=f"one new day (~{per_day_target:,} touchpoints) on top of a history")
    for column in ("history days", "touchpoints", "full refresh s", "new day s", "new day / full",
                   "peak MiB full / new day"):  # fmt: skip
        table.add_column(column)
    for days in histories:
        home = _home(work, f"incremental-{days}", landing, base_days, days, width)
        run_stage("dbt_build_full", home)  # the history, built once
        tile_day(landing, home / "landing", base_days, HISTORY_START, days, width)  # the day after
        incremental = run_stage("dbt_build", home)
        full = run_stage("dbt_build_full", home)
        table.add_row(
            str(days),
            f"{touchpoints_built(home):,}",
            f"{full['seconds']:.1f}",
            f"{incremental['seconds']:.1f}",
            f"{incremental['seconds'] / full['seconds']:.0%}",
            f"{full['peak_rss_mib']:.0f} / {incremental['peak_rss_mib']:.0f}",
        )
    return table


def main(work: Path, targets: list[int], per_day_target: int, histories: list[int]) -> None:
    base = base_company(work)
    console = Console()
    console.print(f"base company: {BASE_CUSTOMERS} customers, {base[2]:,.0f} touchpoints a day")
    console.print(transform_table(work, base, targets))
    console.print(incremental_table(work, base, per_day_target, histories))
