"""The run audit in the warehouse: ``audit.load_runs``, ``audit.validation_results`` and
``audit.erasures``.

Rows are keyed by run, day and what they describe, and replaced on a retry, so a retried task never
duplicates them. On DuckDB they are written to the build warehouse and published with it; on PostgreSQL
and Spark the ``audit`` schema is shared by build and published (it logs runs, failed ones included).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from connectors.erasure import Erased
from connectors.landing import Manifest
from expectations.outcomes import ValidationOutcome
from touchpoints.config import Paths
from touchpoints.warehouse import warehouse_for
from touchpoints.warehouse.base import AuditTable

LOAD_RUNS = AuditTable("load_runs", (
    ("run_id", "varchar"), ("ds", "date"), ("source", "varchar"), ("entity", "varchar"),
    ("rows_extracted", "bigint"), ("rows_quarantined", "bigint"), ("duplicates_dropped", "bigint"),
    ("rows_landed", "bigint"), ("pages", "bigint"), ("extract_seconds", "double precision"),
    ("extracted_at", "timestamp"), ("suite", "varchar"), ("validated", "boolean"),
    ("validation_seconds", "double precision"), ("recorded_at", "timestamp"),
))  # fmt: skip
VALIDATION_RESULTS = AuditTable("validation_results", (
    ("run_id", "varchar"), ("ds", "date"), ("stage", "varchar"), ("suite", "varchar"),
    ("success", "boolean"), ("expectations", "bigint"), ("rows_validated", "bigint"),
    ("failures", "varchar"), ("seconds", "double precision"), ("validated_at", "timestamp"),
))  # fmt: skip
ERASURES = AuditTable("erasures", (
    ("run_id", "varchar"), ("erased_at", "timestamp"), ("people", "bigint"),
    ("partitions_rewritten", "bigint"), ("rows_erased", "bigint"), ("quarantined_erased", "bigint"),
))  # fmt: skip


def record_loads(
    paths: Paths, run_id: str, loads: Iterable[tuple[Manifest, ValidationOutcome, bool]]
) -> None:
    """One row per landed partition of the run: what was extracted, quarantined, landed, and whether it
    passed its entity's raw suite."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            run_id, date.fromisoformat(m.ds), m.source, m.entity, m.rows + m.quarantined + m.duplicates_dropped + m.suppressed,
            m.quarantined, m.duplicates_dropped, m.rows, m.pages, m.seconds,
            datetime.fromisoformat(m.extracted_at).replace(tzinfo=None), o.suite, passed, o.seconds, now,
        )
        for m, o, passed in loads
    ]  # fmt: skip
    warehouse_for(paths).replace_audit_rows(LOAD_RUNS, {"run_id": run_id}, rows)


def record_validations(
    paths: Paths, run_id: str, ds: date, stage: str, outcomes: list[ValidationOutcome]
) -> None:
    """One row per suite or cross-check run at a stage (``landed`` or ``marts``), dated by the run's
    last day."""
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
    warehouse_for(paths).replace_audit_rows(
        VALIDATION_RESULTS, {"run_id": run_id, "ds": ds, "stage": stage}, rows
    )


def record_erasure(paths: Paths, run_id: str, people: int, erased: Erased) -> None:
    """One row per ``touchpoints forget``: how many people and records went (never who)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    row = (run_id, now, people, erased.partitions, erased.rows, erased.quarantined)
    warehouse_for(paths).replace_audit_rows(ERASURES, {"run_id": run_id}, [row])
