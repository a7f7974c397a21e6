"""One pipeline stage in a process of its own, so that its peak RSS is its own.

``python -m benchmarks.stage <stage> <home> [day]`` prints one JSON line: the stage's seconds, the
process's peak RSS and, for stages that count something (rows, task instances), the count. The home's
landing zone and warehouses are the pipeline's usual layout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks import peak_rss_mib


def _dbt(*args: str, nightly: bool = False) -> Callable[[date], Any]:
    """A dbt command; ``nightly``: with the arguments the nightly build adds (no unit tests)."""

    def run(_day: date) -> Any:
        from touchpoints.config import Paths
        from touchpoints.dbt_runner import NIGHTLY_BUILD_ARGS, run_dbt

        return run_dbt(Paths.from_env(), *args, *(NIGHTLY_BUILD_ARGS if nightly else ()))

    return run


def _spark_build(*args: str) -> Callable[[date], Any]:
    """The nightly build on the spark target (local mode, in this process), after the index of the
    landing zone's manifests it reads; ``args``: ``--full-refresh`` for a full refresh."""

    def run(_day: date) -> Any:
        from touchpoints.config import Paths
        from touchpoints.dbt_runner import NIGHTLY_BUILD_ARGS, run_dbt
        from touchpoints.warehouse.landing_index import write_landing_index

        os.environ["TOUCHPOINTS_DBT_TARGET"] = "spark"
        paths = Paths.from_env()
        write_landing_index(paths.landing, paths.landing_index)
        return run_dbt(paths, "build", *args, *NIGHTLY_BUILD_ARGS)

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
    from touchpoints.pipeline import land_source
    from touchpoints.run_days import RunDays

    return sum(
        land_source(source.name, RunDays(day, day, refetch=True), connection_settings(source.name))["rows"]
        for source in SOURCES.values()
    )


def _pipeline(step: str) -> Callable[[date], Any]:
    def run(day: date) -> Any:
        from touchpoints import pipeline
        from touchpoints.run_days import RunDays

        days = RunDays(day, day)
        steps: dict[str, Callable[[], Any]] = {
            "validate_landed": lambda: pipeline.validate_landed(days, "bench"),
            "source_freshness": pipeline.check_source_freshness,
            "build": pipeline.build_warehouse,
            "validate_marts": lambda: pipeline.validate_marts(days, "bench"),
            "publish": pipeline.publish_warehouse,
            "docs": lambda: pipeline.build_docs("bench"),
        }
        return steps[step]()

    return run


PIPELINE_STEPS = ("validate_landed", "source_freshness", "build", "validate_marts", "publish", "docs")


def _nightly_direct(day: date) -> None:
    """Everything one nightly run does, called straight in this process, in the DAG's order."""
    _extract(day)
    for step in PIPELINE_STEPS:
        _pipeline(step)(day)


@cache
def _airflow_dag() -> Any:
    """The nightly DAG with its metadata database migrated (set-up the timing leaves out)."""
    from touchpoints.airflow_env import configure_airflow, load_dag, migrate_metadata_db
    from touchpoints.config import Paths

    configure_airflow(Paths.from_env())
    migrate_metadata_db()
    return load_dag()


def _nightly_airflow(day: date) -> int:
    """The same nightly run as one DAG run under Airflow (``dag.test``, as ``touchpoints run`` does);
    returns its number of task instances."""
    from touchpoints.airflow_env import run_range, run_result
    from touchpoints.run_days import RunDays

    dag = _airflow_dag()
    result = run_result(dag, run_range(dag, RunDays(day, day, refetch=True)))
    if not result.success:
        raise RuntimeError(f"the DAG run for {day} did not succeed: {result.not_succeeded}")
    return len(result.task_states)


GX_STAGES = {"imports", "validate_landed", "validate_marts", "nightly_direct", "nightly_airflow"}
UNTIMED_SETUP: dict[str, Callable[[], Any]] = {"nightly_airflow": _airflow_dag}

STAGES: dict[str, Callable[[date], Any]] = {
    "imports": lambda _day: None,  # the floor every stage's peak memory starts from
    "dbt_run_full": _dbt("run", "--full-refresh"),
    "dbt_build_full": _dbt("build", "--full-refresh", nightly=True),
    "dbt_build": _dbt("build", nightly=True),
    "spark_build_full": _spark_build("--full-refresh"),
    "spark_build": _spark_build(),
    "raw_sql": _raw_sql,
    "extract": _extract,
    "nightly_direct": _nightly_direct,
    "nightly_airflow": _nightly_airflow,
    **{step: _pipeline(step) for step in PIPELINE_STEPS},
}


if __name__ == "__main__":
    stage, home = sys.argv[1], Path(sys.argv[2])
    day = date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else date(2026, 1, 1)
    os.environ["TOUCHPOINTS_HOME"] = str(home)
    os.environ["TOUCHPOINTS_DUCKDB_PATH"] = str(home / "warehouse" / "touchpoints.duckdb")
    import dbt.cli.main  # noqa: F401 - one-off imports stay out of the timing

    if stage in GX_STAGES:
        import great_expectations  # noqa: F401

    if stage in UNTIMED_SETUP:
        UNTIMED_SETUP[stage]()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = STAGES[stage](day)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    report = {
        "stage": stage,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),  # all of the process's threads: steadier than wall time on a busy host
        "peak_rss_mib": round(peak_rss_mib()),
    }
    print(json.dumps(report | ({"count": result} if isinstance(result, int) else {})))
