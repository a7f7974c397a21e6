"""The run's steps as plain functions: the DAG's tasks and the tests call these.

Each step takes the days it works on (one for a nightly run, many for a range) and returns a small
JSON-able summary (it becomes the task's XCom).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from touchpoints.config import Paths
from touchpoints.run_days import RangeRefused, RunDays

log = logging.getLogger(__name__)
LANDED_VIEWS = "landed_batches.duckdb"  # in the GX project: the views the raw suites validate


def permanent_errors() -> tuple[type[Exception], ...]:
    """Failures a retry cannot fix: bad credentials or settings, failed validations, failed dbt models or
    tests, a folder the pipeline may not write."""
    from connectors.errors import ConfigurationError, FatalApiError
    from connectors.integrity import LandingDamaged
    from expectations.outcomes import ValidationFailed
    from touchpoints.dbt_runner import DbtFailed, SourcesStale

    return (
        FatalApiError,
        ValidationFailed,
        DbtFailed,
        SourcesStale,
        RangeRefused,
        ConfigurationError,
        PermissionError,
        LandingDamaged,
    )


def describe_failure(error: BaseException) -> str:
    """A failure's message with its notes (which name the window that failed); for a folder the pipeline
    may not write, what to do about it."""
    if isinstance(error, PermissionError) and error.filename:
        from touchpoints.preflight import unwritable

        return unwritable(Path(error.filename).parent) or str(error)
    return "\n".join([str(error), *getattr(error, "__notes__", [])])


def land_source(source: str, days: RunDays, connection: Any) -> dict[str, Any]:
    """Land every entity of a source for every day of the run (``connection`` is a ConnectionSettings);
    days already landed whole are kept unless the run refetches."""
    from connectors.ranges import land_windows, plan_range
    from connectors.registry import SOURCES
    from touchpoints.presentation.landing_progress import Landed, SourceProgress

    paths = Paths.from_env()
    registered = SOURCES[source]
    progress = SourceProgress(source, len(registered.entities) * len(days.days()))
    started = time.monotonic()
    plan = plan_range(registered, connection, days.days(), paths.landing, refetch=days.refetch)
    for entity, landed in plan.already_landed.items():
        if landed:
            progress.add(Landed(source, entity, len(landed), 0, already_landed=True))
    manifests = land_windows(
        registered,
        connection,
        plan.windows,
        paths.landing,
        on_landed=lambda window, landed: progress.add(
            Landed(source, window.entity, window.days, sum(m.rows for m in landed))
        ),
    )
    quarantined = sum(m.quarantined for m in manifests)
    summary = {
        "partitions_landed": len(manifests),
        "partitions_already_landed": sum(len(landed) for landed in plan.already_landed.values()),
        "rows": sum(m.rows for m in manifests),
        "quarantined": quarantined,
        "suppressed": sum(m.suppressed for m in manifests),  # records of forgotten people, dropped
        "seconds": round(time.monotonic() - started, 3),
    }
    log.info("%s %s: %s", source, days, summary)
    if quarantined:
        log.warning(
            "%s: %d records quarantined; see %s/_quarantine/%s/<entity>/ds=<day>/records.jsonl",
            source, quarantined, paths.landing, source,
        )  # fmt: skip
    return summary


def validate_landed(days: RunDays, run_id: str) -> list[dict[str, Any]]:
    """Check every landed partition against its manifest (a damaged one of any day fails the run before
    a build reads it), run the raw suite of every entity over the run's partitions and record the loads
    in the audit tables; raise ValidationFailed, naming the failing days, if any suite fails."""
    from connectors.integrity import LandingDamaged, damaged_partitions
    from connectors.landing import read_manifest
    from connectors.registry import SOURCES
    from expectations.landed import validate_days
    from expectations.outcomes import ValidationFailed
    from expectations.runner import open_context
    from touchpoints.audit import record_loads, record_validations

    paths = Paths.from_env()
    if damage := damaged_partitions(paths.landing):
        raise LandingDamaged(damage)
    ds = [day.isoformat() for day in days.days()]
    context = open_context(paths.gx)
    outcomes, loads = [], []
    for source in SOURCES.values():
        for entity in source.entities:
            outcome, failed_days = validate_days(
                context, paths.gx / LANDED_VIEWS, paths.landing, source.name, entity, ds, run_id
            )
            outcomes.append(outcome)
            loads += [
                (read_manifest(paths.landing, source.name, entity, d), outcome, d not in failed_days)
                for d in ds
            ]
    record_loads(paths, run_id, loads)
    record_validations(paths, run_id, days.last, "landed", outcomes)
    quarantined = sum(manifest.quarantined for manifest, _, _ in loads)
    log.info("%d partitions validated for %s, %d records quarantined", len(loads), days, quarantined)
    if not all(o.success for o in outcomes):
        raise ValidationFailed(outcomes)
    return [asdict(o) for o in outcomes]


def check_source_freshness() -> list[dict[str, Any]]:
    """``dbt source freshness``: log the stale entities, and raise SourcesStale past an error threshold."""
    from touchpoints.dbt_runner import SourcesStale, source_freshness
    from touchpoints.warehouse import warehouse_for

    paths = Paths.from_env()
    warehouse_for(paths).load_landing()
    checks = source_freshness(paths)
    for check in checks:
        if check.status == "warn":
            log.warning("stale source: %s", check.describe())
    failed = [check for check in checks if check.status not in ("pass", "warn")]
    if failed:
        raise SourcesStale(
            "stale sources, nothing was built: "
            + "; ".join(check.describe() for check in failed)
            + ". What to do: look at the land_<source> tasks of the last nights and the source's Airflow"
            " connection (expired credentials, a quiet API); re-run the missed days with"
            " `touchpoints run --start <day> --end <day>` or `airflow backfill create`. A source that is"
            " quiet on purpose takes higher thresholds: TOUCHPOINTS_FRESHNESS_WARN_HOURS and"
            " TOUCHPOINTS_FRESHNESS_ERROR_HOURS."
        )
    log.info("%d landed entities checked for freshness, %d stale", len(checks), len(checks) - sum(
        check.status == "pass" for check in checks))  # fmt: skip
    return [asdict(check) for check in checks]


def build_warehouse(full_refresh: bool = False) -> dict[str, Any]:
    """``dbt build`` (models, contracts and data tests) into the build warehouse; every model rebuilt
    from the landing zone with ``full_refresh`` (else when the dbt project changed)."""
    from touchpoints.dbt_runner import build_args, run_dbt
    from touchpoints.warehouse import warehouse_for

    paths = Paths.from_env()
    warehouse_for(paths).load_landing()
    args = build_args(paths)
    if full_refresh and "--full-refresh" not in args:
        args = (*args, "--full-refresh")
    outcome = run_dbt(paths, "build", *args)
    log.info(outcome.describe())
    return asdict(outcome)


def validate_marts(days: RunDays, run_id: str, *, bound_shrinking: bool = True) -> list[dict[str, Any]]:
    """Audit the build warehouse (mart suites and cross-checks), record the results, and raise
    ValidationFailed if anything fails, so that nothing is published. ``bound_shrinking=False`` drops
    the bound on how far a mart may shrink from the published one (an erasure shrinks it on purpose)."""
    from expectations.marts import validate_marts as audit_build
    from expectations.outcomes import ValidationFailed
    from touchpoints.audit import record_validations

    paths = Paths.from_env()
    outcomes = audit_build(paths, days.first, days.last, run_id, bound_shrinking=bound_shrinking)
    record_validations(paths, run_id, days.last, "marts", outcomes)
    if not all(o.success for o in outcomes):
        raise ValidationFailed(outcomes)
    return [asdict(o) for o in outcomes]


def publish_warehouse() -> str:
    """Swap the audited build warehouse in for the published one and export its marts as Parquet."""
    from touchpoints.warehouse import warehouse_for

    warehouse = warehouse_for(Paths.from_env())
    log.info("published %s", warehouse.publish())
    return warehouse.describe_published()


def build_docs(run_id: str) -> dict[str, str]:
    """dbt docs (static page, when the project or the schema changed), the KPI report and the GX Data
    Docs with the run's validation results."""
    from touchpoints.presentation.docs import build_docs as build

    return build(Paths.from_env(), run_id)
