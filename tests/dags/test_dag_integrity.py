"""The DAG file parses cleanly, cheaply and follows the team's Airflow conventions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from connectors.registry import SOURCES
from touchpoints.config import DAGS_DIR, REPO_ROOT


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert "touchpoints_nightly" in dagbag.dag_ids


def test_tags_retries_and_serial_runs(dagbag) -> None:
    dag = dagbag.dags["touchpoints_nightly"]
    assert {"touchpoints", "nightly"} <= set(dag.tags)
    assert dag.max_active_runs == 1
    assert dag.catchup is True
    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff, task.task_id


def test_pipeline_shape(dagbag) -> None:
    dag = dagbag.dags["touchpoints_nightly"]
    ids = set(dag.task_ids)
    for source in SOURCES:
        assert f"land_{source}" in ids
        assert dag.get_task(f"land_{source}").downstream_task_ids == {"validate_landed"}
    assert dag.get_task("validate_landed").downstream_task_ids == {"source_freshness"}
    assert dag.get_task("source_freshness").downstream_task_ids == {"dbt_build"}
    assert dag.get_task("dbt_build").downstream_task_ids == {"validate_marts"}
    assert dag.get_task("validate_marts").downstream_task_ids == {"publish"}
    assert dag.get_task("publish").downstream_task_ids == {"docs"}


def test_dag_sources_match_the_connector_registry() -> None:
    sys.path.insert(0, str(DAGS_DIR))
    try:
        import touchpoints_nightly
    finally:
        sys.path.remove(str(DAGS_DIR))
    assert tuple(SOURCES) == touchpoints_nightly.SOURCES


def test_parsing_imports_nothing_heavy() -> None:
    probe = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "heavy = [m for m in ('dbt', 'great_expectations', 'pyarrow', 'requests', 'duckdb') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(DAGS_DIR / "touchpoints_nightly.py")],
        capture_output=True, text=True, check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    assert result.stdout.strip() == ""


def test_ruff_air3_clean() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--select", "AIR3", str(DAGS_DIR)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_landing_and_publishing_emit_assets(dagbag) -> None:
    dag = dagbag.dags["touchpoints_nightly"]
    for source in SOURCES:
        outlets = dag.get_task(f"land_{source}").outlets
        assert [a.name for a in outlets] == [f"touchpoints.landing.{source}"]
    assert [a.name for a in dag.get_task("publish").outlets] == ["touchpoints.warehouse.published"]


def test_warehouse_steps_share_a_one_slot_pool(dagbag) -> None:
    dag = dagbag.dags["touchpoints_nightly"]
    for task_id in ("validate_landed", "source_freshness", "dbt_build", "validate_marts", "publish", "docs"):
        assert dag.get_task(task_id).pool == "touchpoints_warehouse", task_id
