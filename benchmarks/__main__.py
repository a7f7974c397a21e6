"""``python -m benchmarks [--scale small|large]``: run the benchmarks and print their tables, each
benchmark's wall time and the total (the small scale is meant to take under 5 minutes)."""

from __future__ import annotations

import argparse
import time
from functools import partial

from rich.console import Console

from benchmarks import (
    airflow_overhead,
    airflow_scheduler,
    connector_throughput,
    dag_parse,
    history_backfill,
    transform_scale,
    validation_speed,
)


def _benchmarks(small: bool) -> list[partial[None]]:
    """The benchmarks of one scale, in the order they run."""
    common = [
        partial(connector_throughput.main, customers=2_000 if small else 20_000),
        partial(validation_speed.main, rows=1_000_000 if small else 5_000_000),
        partial(dag_parse.main),
        partial(airflow_overhead.main, customers=500 if small else 5_000),
    ]
    if small:
        return [
            *common,
            partial(history_backfill.main, year=False),
            partial(
                transform_scale.main,
                targets=[300_000],
                per_day_target=3_000,
                histories=[30, 60],
                double_day=False,
                nightly_per_day=10_000,
                nightly_histories=[7, 14],
            ),
        ]
    return [
        *common,
        # the scheduler's services and metadata database: too slow for the 5-minute small run
        partial(airflow_scheduler.main, customers=5_000),
        partial(history_backfill.main, year=True),
        partial(
            transform_scale.main,
            targets=[1_000_000, 10_000_000, 50_000_000],
            per_day_target=27_000,
            histories=[182, 365],
            double_day=True,
            nightly_per_day=200_000,
            nightly_histories=[30, 60],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    args = parser.parse_args()
    console = Console()
    started = time.perf_counter()
    for benchmark in _benchmarks(args.scale == "small"):
        benchmark_started = time.perf_counter()
        benchmark()
        console.print(
            f"[dim]{benchmark.func.__module__}: {time.perf_counter() - benchmark_started:.0f} s[/dim]"
        )
    console.print(f"{args.scale} scale: {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
