"""One pipeline stage in a process of its own, so that its peak RSS is its own.

``python -m benchmarks.stage <stage> <home> [day]`` prints one JSON line: the stage's seconds and the
process's peak RSS. The home's landing zone and warehouses are the pipeline's usual layout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import peak_rss_mib


def _dbt(*args: str) -> Callable[[date], Any]:
    def run(_day: date) -> Any:
        from touchpoints.config import Paths
        from touchpoints.dbt_runner import run_dbt

        return run_dbt(Paths.from_env(), *args)

    return run


def _raw_sql(_day: date) -> int:
    """The compiled models of the last dbt run, executed in dependency order by DuckDB with no dbt."""
    from benchmarks.compiled import run_compiled_models
    from touchpoints.config import Paths

    paths = Paths.from_env()
    # same file name as the build warehouse: compiled SQL names its database
    raw = paths.home / "raw" / paths.build_warehouse.name
    raw.parent.mkdir(parents=True, exist_ok=True)
    return run_compiled_models(paths.dbt_target / "manifest.json", raw)


def _extract(day: date) -> int:
    from connectors.registry import SOURCES
    from touchpoints.connections import connection_settings
    from touchpoints.pipeline import extract_entity

    return sum(
        extract_entity(source.name, entity, day, connection_settings(source.name))["rows"]
        for source in SOURCES.values()
        for entity in source.entities
    )


def _pipeline(step: str) -> Callable[[date], Any]:
    def run(day: date) -> Any:
        from touchpoints import pipeline

        steps: dict[str, Callable[[], Any]] = {
            "validate_landed": lambda: pipeline.validate_landed(day, "bench"),
            "source_freshness": pipeline.check_source_freshness,
            "build": pipeline.build_warehouse,
            "validate_marts": lambda: pipeline.validate_marts(day, "bench"),
            "publish": pipeline.publish_warehouse,
        }
        return steps[step]()

    return run


STAGES: dict[str, Callable[[date], Any]] = {
    "imports": lambda _day: None,  # the floor every stage's peak memory starts from
    "dbt_run_full": _dbt("run", "--full-refresh"),
    "dbt_build_full": _dbt("build", "--full-refresh"),
    "dbt_build": _dbt("build"),
    "raw_sql": _raw_sql,
    "extract": _extract,
    **{
        step: _pipeline(step)
        for step in ("validate_landed", "source_freshness", "build", "validate_marts", "publish")
    },
}


if __name__ == "__main__":
    stage, home = sys.argv[1], Path(sys.argv[2])
    day = date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else date(2026, 1, 1)
    os.environ["TOUCHPOINTS_HOME"] = str(home)
    os.environ["TOUCHPOINTS_DUCKDB_PATH"] = str(home / "warehouse" / "touchpoints.duckdb")
    import dbt.cli.main  # noqa: F401 - one-off imports stay out of the timing
    import great_expectations  # noqa: F401

    started = time.perf_counter()
    STAGES[stage](day)
    elapsed = time.perf_counter() - started
    peak_mib = peak_rss_mib()
    print(json.dumps({"stage": stage, "seconds": round(elapsed, 3), "peak_rss_mib": round(peak_mib)}))
