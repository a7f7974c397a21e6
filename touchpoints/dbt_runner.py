"""One in-process ``dbt`` invocation (dbtRunner) per step, against the build warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from touchpoints.config import DBT_PROJECT_DIR, Paths


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
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()


def run_dbt(paths: Paths, command: str, *args: str) -> DbtOutcome:
    """Run ``dbt <command> [args]`` on the project; raise DbtFailed naming every failed node."""
    from dbt.cli.main import dbtRunner  # heavy: imported only when a task runs

    paths.build_warehouse.parent.mkdir(parents=True, exist_ok=True)
    cli_args = [
        command,
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(paths.dbt_target),
        "--log-path", str(paths.home / "logs" / "dbt"),
    ]  # fmt: skip
    with _environment(paths.dbt_env()):
        try:
            result = dbtRunner().invoke(cli_args)
        finally:
            _release_duckdb()
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
