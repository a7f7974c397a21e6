"""One in-process ``dbt`` invocation (dbtRunner) per step, against the build warehouse."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from connectors.private import private_dir
from touchpoints.config import DBT_PROJECT_DIR, Paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DbtOutcome:
    """What one dbt command did."""

    command: str
    success: bool
    passed: int
    failed: list[str]

    def describe(self) -> str:
        if self.success:
            return f"dbt {self.command}: {self.passed} nodes passed"
        return f"dbt {self.command} failed: " + "; ".join(self.failed)


class DbtFailed(RuntimeError):
    """A model, test or contract failed: the run stops before publishing."""


class SourcesStale(RuntimeError):
    """A source is past its error threshold (or its freshness could not be measured): nothing is built
    from it, and a retry would not help."""


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open in-process after an invocation; let it go so that readers
    (and the next step) can open the file with any configuration."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()


def _invoke(paths: Paths, command: str, *args: str) -> Any:
    """``dbt <command> [args]`` in-process on the project; returns dbt's result object."""
    from dbt.cli.main import dbtRunner  # heavy: imported only when a task runs

    from touchpoints.warehouse.duckdb import make_private

    private_dir(paths.build_warehouse.parent)
    cli_args = [
        *command.split(),
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(paths.dbt_target),
        "--log-path", str(paths.home / "logs" / "dbt"),
    ]  # fmt: skip
    with _environment(paths.dbt_env()):
        try:
            return dbtRunner().invoke(cli_args)
        finally:
            _release_duckdb()
            make_private(paths.build_warehouse)  # dbt-duckdb creates it with the umask's mode


# The nightly build runs models, contracts and data tests; dbt's unit tests check the SQL logic on fixed
# inputs, so, as dbt advises, they run in development and CI (tests/dbt), not against every night's data.
NIGHTLY_BUILD_ARGS = ("--exclude-resource-type", "unit_test")
IGNORED_PROJECT_FOLDERS = {"target", "logs", "dbt_packages"}


def project_fingerprint() -> str:
    """What the warehouse's tables are made by: the dbt project's files and dbt's version."""
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256(dbt_version.encode())
    for path in sorted(DBT_PROJECT_DIR.rglob("*")):
        relative = path.relative_to(DBT_PROJECT_DIR)
        if path.is_file() and relative.parts[0] not in IGNORED_PROJECT_FOLDERS:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def last_build_fingerprint(paths: Paths) -> str | None:
    """The fingerprint of the project that made the build warehouse's last complete build, if any."""
    from touchpoints.warehouse import warehouse_for

    with warehouse_for(paths).open(build=True) as warehouse:
        if warehouse is None or ("_builds", "project_fingerprint") not in {
            (table, column) for table, column, _ in warehouse.columns("staging")
        }:
            return None
        rows = warehouse.rows(
            "select project_fingerprint from {staging}._builds order by run_at desc limit 1"
        )
    return rows[0][0] if rows else None


def build_args(paths: Paths) -> tuple[str, ...]:
    """The nightly build's arguments: a full refresh when the last complete build was made by other
    code (a model's columns or logic may have changed, which no changed row announces)."""
    fingerprint = project_fingerprint()
    args = (*NIGHTLY_BUILD_ARGS, "--vars", json.dumps({"project_fingerprint": fingerprint}))
    if last_build_fingerprint(paths) == fingerprint:
        return args
    log.info("the dbt project changed since the last complete build (or there is none): full refresh")
    return (*args, "--full-refresh")


def run_dbt(paths: Paths, command: str, *args: str) -> DbtOutcome:
    """Run ``dbt <command> [args]`` on the project; raise DbtFailed naming every failed node."""
    result = _invoke(paths, command, *args)
    nodes = list(result.result or []) if command in ("build", "run", "test") else []
    failed = [
        f"{node.node.name}: {node.status} {(node.message or '').strip()[:300]}"
        for node in nodes
        if str(node.status) in ("error", "fail", "runtime error")
    ]
    passed = sum(str(node.status) in ("success", "pass") for node in nodes)
    outcome = DbtOutcome(" ".join([command, *args]), bool(result.success) and not failed, passed, failed)
    if not outcome.success:
        detail = outcome.describe() if failed else f"dbt {outcome.command} failed: {result.exception}"
        raise DbtFailed(detail)
    return outcome


@dataclass(frozen=True)
class SourceFreshness:
    """One landed entity's freshness: hours since it last landed new records, against its thresholds."""

    source: str
    entity: str
    status: str  # pass, warn, error or runtime error
    hours_since_records: float | None
    warn_after_hours: float | None
    error_after_hours: float | None

    def describe(self) -> str:
        age = "never landed a record" if self.hours_since_records is None else (
            f"last landed new records {self.hours_since_records:.1f} h ago"
        )  # fmt: skip
        limit = self.error_after_hours if self.status == "error" else self.warn_after_hours
        return f"{self.source}.{self.entity} {age} ({self.status} after {limit:g} h)"


def _hours(threshold: Any) -> float | None:
    if threshold is None or threshold.count is None:
        return None
    per_hour = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}[str(threshold.period.value)]
    return threshold.count * per_hour


def source_freshness(paths: Paths) -> list[SourceFreshness]:
    """``dbt source freshness`` over every landed entity (a DbtFailed only if dbt itself could not run)."""
    result = _invoke(
        paths, "source freshness", "--no-write-json"
    )  # the results are read here, not from sources.json
    if result.result is None:
        raise DbtFailed(f"dbt source freshness could not run: {result.exception}")
    checks = []
    for row in result.result.results:
        if str(row.node.resource_type) != "source":  # the project's on-run-start/end hooks
            continue
        age = getattr(row, "age", None)
        never = getattr(row, "max_loaded_at", None) is not None and row.max_loaded_at.year == 1
        checks.append(
            SourceFreshness(
                source=row.node.source_name,
                entity=row.node.name,
                status=str(row.status),
                hours_since_records=None if age is None or never else round(age / 3600, 2),
                warn_after_hours=_hours(row.node.freshness.warn_after),
                error_after_hours=_hours(row.node.freshness.error_after),
            )
        )
    return checks
