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
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from benchmarks.scale_data import land_base_company, tile_days, tile_history

BASE_START = date(2025, 1, 1)
BASE_DAYS = 7
BASE_CUSTOMERS = 200


def run_stage(stage: str, home: Path, day: date | None = None) -> dict[str, float]:
    """One stage in a child process: its seconds and peak RSS (MiB)."""
    args = [sys.executable, "-m", "benchmarks.stage", stage, str(home)] + ([day.isoformat()] if day else [])
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def touchpoints_built(home: Path) -> int:
    with duckdb.connect(str(home / "warehouse" / "build" / "touchpoints.duckdb"), read_only=True) as db:
        return db.execute("select count(*) from marts.fct_touchpoints").fetchall()[0][0]


def base_company(work: Path) -> tuple[Path, float]:
    """The base landing zone and the touchpoints one copy of it makes per day."""
    landing = land_base_company(work / "base", BASE_CUSTOMERS, BASE_START, BASE_DAYS)
    home = work / "base"
    run_stage("dbt_run_full", home)
    return landing, touchpoints_built(home) / BASE_DAYS


def _home(work: Path, name: str, base: Path, days: int, width: int) -> Path:
    home = work / name
    tile_history(base, home / "landing", BASE_START, BASE_DAYS, days, width)
    return home


def transform_table(work: Path, base: tuple[Path, float], targets: list[int]) -> Table:
    """dbt (run and build) against the compiled SQL, at each target size over 30 days."""
    landing, per_day = base
    table = Table(title="dbt against its compiled SQL on DuckDB (full refresh, 30 days)")
    for column in ("touchpoints", "raw SQL s", "dbt run s", "dbt run / raw", "dbt build s (with tests)",
                   "peak MiB raw / run / build"):  # fmt: skip
        table.add_column(column)
    for target in targets:
        width = max(1, math.ceil(target / (30 * per_day)))
        home = _home(work, f"transform-{target}", landing, 30, width)
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
    work: Path, base: tuple[Path, float], per_day_target: int, histories: list[int]
) -> Table:
    """One new day on top of each history size: an incremental ``dbt build`` against a full refresh."""
    landing, per_day = base
    width = max(1, math.ceil(per_day_target / per_day))
    table = Table(title=f"one new day (~{per_day_target:,} touchpoints) on top of a history")
    for column in ("history days", "touchpoints", "full refresh s", "new day s", "new day / full",
                   "peak MiB full / new day"):  # fmt: skip
        table.add_column(column)
    for days in histories:
        home = _home(work, f"incremental-{days}", landing, days, width)
        run_stage("dbt_build_full", home)  # the history, built once
        tile_days(landing, home / "landing", BASE_START, BASE_DAYS, days, days + 1, width)  # the day after
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


NIGHTLY_STAGES = ("validate_landed", "source_freshness", "build", "validate_marts", "publish")


def nightly_table(work: Path, base: tuple[Path, float], per_day_target: int, history_days: int) -> Table:
    """The warehouse stages of one nightly run (the day after a built and published history), each
    with its share of the run and its peak memory."""
    landing, per_day = base
    width = max(1, math.ceil(per_day_target / per_day))
    home = _home(work, "nightly", landing, history_days, width)
    for stage in ("build", "publish"):  # the history, published once
        run_stage(stage, home)
    tile_days(landing, home / "landing", BASE_START, BASE_DAYS, history_days, history_days + 1, width)
    day = BASE_START + timedelta(days=history_days)
    results = {stage: run_stage(stage, home, day) for stage in NIGHTLY_STAGES}
    total = sum(r["seconds"] for r in results.values())
    table = Table(
        title=f"one nightly run after {history_days} days, ~{per_day_target:,} new touchpoints (extract not included)"
    )
    for column in ("stage", "seconds", "share", "peak MiB"):
        table.add_column(column)
    for stage, result in results.items():
        table.add_row(
            stage,
            f"{result['seconds']:.1f}",
            f"{result['seconds'] / total:.0%}",
            f"{result['peak_rss_mib']:.0f}",
        )
    table.add_row("total", f"{total:.1f}", "100%", "")
    return table


def main(targets: list[int], per_day_target: int, histories: list[int], nightly_per_day: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = base_company(work)
        console = Console()
        console.print(f"base company: {BASE_CUSTOMERS} customers, {base[1]:,.0f} touchpoints a day")
        floor = run_stage("imports", work / "base")["peak_rss_mib"]
        console.print(f"peak memory of a stage process that only imports dbt and GX: {floor:.0f} MiB")
        console.print(transform_table(work, base, targets))
        console.print(incremental_table(work, base, per_day_target, histories))
        console.print(nightly_table(work, base, nightly_per_day, 30))
