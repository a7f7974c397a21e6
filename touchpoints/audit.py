"""The run audit in the warehouse: ``audit.load_runs`` and ``audit.validation_results``.

Rows are keyed by run, day and what they describe, and replaced on a retry, so a retried task never
duplicates them. They are written to the build warehouse and published with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from connectors.landing import Manifest
from expectations.outcomes import ValidationOutcome

DDL = """
create schema if not exists audit;
create table if not exists audit.load_runs (
    run_id varchar, ds date, source varchar, entity varchar,
    rows_extracted bigint, rows_quarantined bigint, duplicates_dropped bigint, rows_landed bigint,
    pages bigint, extract_seconds double, extracted_at timestamp,
    suite varchar, validated boolean, validation_seconds double, recorded_at timestamp
);
create table if not exists audit.validation_results (
    run_id varchar, ds date, stage varchar, suite varchar, success boolean,
    expectations bigint, rows_validated bigint, failures varchar, seconds double, validated_at timestamp
);
"""


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(warehouse))
    connection.execute(DDL)
    return connection


def record_loads(
    warehouse: Path, run_id: str, ds: date, loads: Iterable[tuple[Manifest, ValidationOutcome]]
) -> None:
    """One row per landed entity: what was extracted, quarantined, landed, and its raw validation."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            run_id, ds, m.source, m.entity, m.rows + m.quarantined + m.duplicates_dropped, m.quarantined,
            m.duplicates_dropped, m.rows, m.pages, m.seconds, datetime.fromisoformat(m.extracted_at).replace(tzinfo=None),
            o.suite, o.success, o.seconds, now,
        )
        for m, o in loads
    ]  # fmt: skip
    with _connect(warehouse) as db:
        db.execute("delete from audit.load_runs where run_id = ? and ds = ?", [run_id, ds])
        db.executemany(
            "insert into audit.load_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )


def record_validations(
    warehouse: Path, run_id: str, ds: date, stage: str, outcomes: list[ValidationOutcome]
) -> None:
    """One row per suite or cross-check run at a stage (``landed`` or ``marts``)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            run_id,
            ds,
            stage,
            o.suite,
            o.success,
            o.evaluated,
            o.rows,
            "; ".join(o.failures) or None,
            o.seconds,
            now,
        )
        for o in outcomes
    ]
    with _connect(warehouse) as db:
        db.execute(
            "delete from audit.validation_results where run_id = ? and ds = ? and stage = ?",
            [run_id, ds, stage],
        )
        db.executemany("insert into audit.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
