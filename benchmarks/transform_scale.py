"""Transform at scale: dbt against its own compiled SQL run straight on DuckDB, and the cost of one new
day on top of a long history against a full refresh, with each stage's peak memory.

Every stage runs in a process of its own (``benchmarks/stage.py``). Landing zones are tiled from a
sandbox company (``benchmarks/scale_data.py``).
"""

from __future__ import annotations

import math
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from benchmarks import run_stage
from benchmarks.scale_data import land_base_company, sandbox_company, tile_days, tile_history

BASE_START = date(2025, 1, 1)
BASE_DAYS = 7
BASE_CUSTOMERS = 200


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
    work: Path, base: tuple[Path, float], per_day_target: int, histories: list[int], double_day: bool
) -> Table:
    """One new day on top of each history size against a full refresh, in wall and CPU seconds; with
    ``double_day``, then a day twice as large on top of that: the new day's cost should follow the day's
    size, not the history's (at small scale dbt's fixed cost hides the day's size, so it is left out)."""
    landing, per_day = base
    width = max(1, math.ceil(per_day_target / per_day))
    table = Table(title=f"one new day (~{per_day_target:,} touchpoints) on top of a history")
    new_days = {"new day": width} | ({"day x2": 2 * width} if double_day else {})  # each on the one before
    for column in ("history days", "touchpoints", "full refresh s", "new day s (CPU s)", "new day / full",
                   *[f"{name} s (CPU s)" for name in list(new_days)[1:]], " / ".join(["peak MiB full", *new_days])):  # fmt: skip
        table.add_column(column)
    for days in histories:
        home = _home(work, f"incremental-{days}", landing, days, width)
        run_stage("dbt_build_full", home)  # the history, built once
        builds = []
        for offset, day_width in enumerate(new_days.values()):
            tile_days(
                landing, home / "landing", BASE_START, BASE_DAYS, days + offset, days + offset + 1, day_width
            )
            builds.append(run_stage("dbt_build", home))
        full = run_stage("dbt_build_full", home)
        timed = [f"{build['seconds']:.1f} ({build['cpu_seconds']:.1f})" for build in builds]
        table.add_row(
            str(days),
            f"{touchpoints_built(home):,}",
            f"{full['seconds']:.1f}",
            timed[0],
            f"{builds[0]['seconds'] / full['seconds']:.0%}",
            *timed[1:],
            " / ".join(f"{run['peak_rss_mib']:.0f}" for run in (full, *builds)),
        )
    return table


NIGHTLY_STAGES = ("extract", "validate_landed", "source_freshness", "build", "validate_marts", "publish")


def nightly_run(work: Path, base: tuple[Path, float], per_day_target: int, history_days: int) -> dict:
    """One nightly run after a built and published tiled history: the new day extracted over HTTP from a
    sandbox company sized for ``per_day_target`` touchpoints, then every warehouse stage, each in its own
    process. Returns each stage's seconds and peak memory, and the touchpoints the day added."""
    landing, per_day = base
    home = _home(
        work, f"nightly-{history_days}", landing, history_days, max(1, math.ceil(per_day_target / per_day))
    )
    for stage in ("build", "publish"):  # the history, published once
        run_stage(stage, home)
    before = touchpoints_built(home)
    day = BASE_START + timedelta(days=history_days)
    customers = math.ceil(BASE_CUSTOMERS * per_day_target / per_day)
    # the company's day before is generated too (so the new day is not its first), but not landed
    with sandbox_company(work / f"sandbox-{history_days}", customers, day - timedelta(days=1), 2, seed=11):
        stages = {stage: run_stage(stage, home, day) for stage in NIGHTLY_STAGES}
    return {"stages": stages, "new_touchpoints": touchpoints_built(home) - before}


def nightly_table(work: Path, base: tuple[Path, float], per_day_target: int, histories: list[int]) -> Table:
    """The stages of one nightly run at each history size: seconds, share of the run, peak memory."""
    runs = {days: nightly_run(work, base, per_day_target, days) for days in histories}
    table = Table(title=f"one nightly run, ~{per_day_target:,} new touchpoints, after each history")
    table.add_column("stage")
    for days in runs:
        table.add_column(f"after {days} d: s (share)")
        table.add_column("peak MiB")
    totals = {days: sum(s["seconds"] for s in run["stages"].values()) for days, run in runs.items()}
    for stage in NIGHTLY_STAGES:
        cells = []
        for days, run in runs.items():
            result = run["stages"][stage]
            share = result["seconds"] / totals[days]
            cells += [f"{result['seconds']:.1f} ({share:.0%})", f"{result['peak_rss_mib']:.0f}"]
        table.add_row(stage, *cells)
    table.add_row("total", *[cell for days in runs for cell in (f"{totals[days]:.1f}", "")])
    table.add_row(
        "records extracted", *[c for r in runs.values() for c in (f"{r['stages']['extract']['count']:,}", "")]
    )
    table.add_row("touchpoints added", *[c for r in runs.values() for c in (f"{r['new_touchpoints']:,}", "")])
    return table


def main(
    targets: list[int],
    per_day_target: int,
    histories: list[int],
    double_day: bool,
    nightly_per_day: int,
    nightly_histories: list[int],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = base_company(work)
        console = Console(width=120)
        console.print(f"base company: {BASE_CUSTOMERS} customers, {base[1]:,.0f} touchpoints a day")
        floor = run_stage("imports", work / "base")["peak_rss_mib"]
        console.print(f"peak memory of a stage process that only imports dbt and GX: {floor:.0f} MiB")
        console.print(transform_table(work, base, targets))
        console.print(incremental_table(work, base, per_day_target, histories, double_day))
        console.print(nightly_table(work, base, nightly_per_day, nightly_histories))
