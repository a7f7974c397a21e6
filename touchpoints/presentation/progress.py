"""What the CLI shows while a run goes: the extraction's entity-days, records, rate and ETA (fed by the
landing progress events), the step running now (fed by Airflow's task listeners); and at the end one
summary table for the whole run, read back from the audit tables."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pluggy
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from touchpoints.config import Paths
from touchpoints.pipeline import describe_failure
from touchpoints.presentation.landing_progress import Landed
from touchpoints.warehouse import warehouse_for

hookimpl = pluggy.HookimplMarker("airflow")


class RunProgress:
    """Two bars: entity-days extracted (with records, rate and ETA) and the run's steps. It is an Airflow
    listener for the steps and a landing-progress listener for the extraction."""

    def __init__(self, progress: Progress, entity_days: int, steps: int) -> None:
        self.progress = progress
        self.extract: TaskID = progress.add_task("extract", total=entity_days)
        self.steps: TaskID = progress.add_task("steps", total=steps)
        self.records = 0
        self.started = time.monotonic()
        self.failed: list[str] = []
        self._lock = threading.Lock()

    def landed(self, event: Landed) -> None:
        with self._lock:
            self.records += event.records
            rate = self.records / max(time.monotonic() - self.started, 1e-6)
            self.progress.update(
                self.extract,
                advance=event.days,
                description=f"extract {event.source}: {self.records:,} records, {rate:,.0f}/s",
            )

    @staticmethod
    def _name(task_instance: Any) -> str:
        return task_instance.task_id

    @hookimpl
    def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
        self.progress.update(self.steps, description=f"running {self._name(task_instance)}")

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        self.progress.advance(self.steps)

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        self.failed.append(f"{self._name(task_instance)}: {describe_failure(error)}")


class RetryNotice(logging.Filter):
    """``dag.test`` logs ``No tasks to run. unrunnable tasks: {…}`` (every task instance of the run, about
    1,500 characters) once a second while a task waits to retry; this puts one line in its place per
    wait: which task waits, why, and until when."""

    LOGGER = "airflow.sdk.definitions.dag"

    def __init__(self, console: Console, progress: RunProgress, dag: Any) -> None:
        super().__init__()
        self.console, self.progress, self.dag = console, progress, dag
        self.announced: set[tuple[str, int]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("No tasks to run"):
            return True
        for ti in (record.args or [()])[0]:
            if str(getattr(ti.state, "value", ti.state)) != "up_for_retry":
                continue
            if (ti.task_id, ti.try_number) in self.announced:
                continue
            self.announced.add((ti.task_id, ti.try_number))
            reason = next((f for f in reversed(self.progress.failed) if f.startswith(f"{ti.task_id}:")), "")
            if getattr(ti, "task", None) is None:
                ti.task = self.dag.get_task(ti.task_id)  # what Airflow's retry schedule reads
            when = f"until {ti.next_retry_datetime():%H:%M:%S} UTC" if ti.end_date else "for its retry delay"
            self.console.print(
                f"[yellow]{ti.task_id} failed on try {ti.try_number} and waits to retry, {when}:[/yellow] "
                + (reason.split(": ", 1)[-1].splitlines()[0] if reason else "see the task's log")
            )
        return False


def progress_bars(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<44}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def run_summary(paths: Paths, run_id: str, started_at: str, *, published: bool) -> Table:
    """Per source, over every day of the run: partitions landed by this run out of all (the rest were
    landed already), rows, quarantined and repeated records, validation; and the audit's verdicts."""
    table = Table(title=f"run {run_id}", box=box.SIMPLE_HEAD)
    for column in ("source", "days", "landed now", "rows", "quarantined", "repeats", "valid"):
        table.add_column(column, justify="left" if column == "source" else "right", no_wrap=True)
    with warehouse_for(paths).open(build=not published) as db:
        if db is None:
            return table
        rows = db.rows(
            """
            select source, count(distinct ds), count(*),
                   count(*) filter (where extracted_at >= cast(? as timestamp)),
                   sum(rows_landed), sum(rows_quarantined), sum(duplicates_dropped), bool_and(validated)
            from audit.load_runs where run_id = ? group by source order by source
            """,
            [started_at, run_id],
        )
        checks = db.rows(
            "select stage, count(*), count(*) filter (where success) from audit.validation_results "
            "where run_id = ? group by stage order by stage",
            [run_id],
        )
    for source, days, partitions, landed_now, landed, quarantined, repeats, validated in rows:
        table.add_row(
            source, str(days), f"{landed_now}/{partitions}", f"{landed:,}", str(quarantined), str(repeats),
            "yes" if validated else "NO",
        )  # fmt: skip
    table.caption = "; ".join(f"{stage}: {passed}/{total} suites passed" for stage, total, passed in checks)
    return table
