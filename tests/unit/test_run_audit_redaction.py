"""``touchpoints forget`` redacts the failures the run audit quotes: the results of a run whose failed
check quoted a person are written again with ``[erased]`` in its place, and every other row stays as it
was (on DuckDB here; tests/e2e/test_spark_target.py does it on Spark)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from connectors.erasure import Naming
from connectors.identifiers import EMAIL
from expectations.redaction import ERASED
from touchpoints.audit import VALIDATION_RESULTS
from touchpoints.config import Paths
from touchpoints.forget import redact_run_audit
from touchpoints.warehouse.duckdb import DuckDBWarehouse

AT = datetime(2026, 11, 2, 3, 0)


def result(run: str, suite: str, failures: str | None) -> tuple:
    return (run, date(2026, 11, 1), "marts", suite, failures is None, 3, 10, failures, 0.5, AT)


def test_the_failures_that_quote_them_are_erased_and_nothing_else_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOUCHPOINTS_HOME", str(tmp_path))
    monkeypatch.setenv("TOUCHPOINTS_DUCKDB_PATH", str(tmp_path / "warehouse" / "touchpoints.duckdb"))
    monkeypatch.setenv("TOUCHPOINTS_DBT_TARGET", "duckdb")
    paths = Paths.from_env()
    warehouse = DuckDBWarehouse(paths)
    quoting = "cross.orders_reach_the_marts: 1 row missing, e.g. Ada@Example.com (order 1001)"
    runs = {
        "night_1": [result("night_1", "fct_orders", quoting), result("night_1", "fct_touchpoints", None)],
        "night_2": [result("night_2", "fct_orders", "2 rows with revenue below 0")],
    }
    for run, rows in runs.items():
        warehouse.replace_audit_rows(VALIDATION_RESULTS, {"run_id": run}, rows)

    assert redact_run_audit(paths, Naming({EMAIL: {"ada@example.com"}})) == 1

    with warehouse.open(build=True) as audit:
        assert audit is not None
        held = sorted(audit.rows("select * from audit.validation_results"))
    expected = [
        (*row[:7], ERASED, *row[8:]) if row[7] == quoting else row for rows in runs.values() for row in rows
    ]
    assert held == sorted(expected)
