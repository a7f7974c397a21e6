"""What the CLI shows while the DAG runs: a progress bar fed by Airflow's task listeners, and a
summary table of the run read back from the audit tables."""

from __future__ import annotations

from typing import Any

import pluggy
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from touchpoints.config import Paths
from touchpoints.warehouse_sql import open_warehouse

hookimpl = pluggy.HookimplMarker("airflow")


class TaskProgress:
    """An Airflow listener advancing a rich progress bar as the run's task instances finish."""

    def __init__(self, progress: Progress, task: Any) -> None:
        self.progress, self.task = progress, task
        self.failed: list[str] = []

    @staticmethod
    def _name(task_instance: Any) -> str:
        index = getattr(task_instance, "map_index", -1)
        return (
            f"{task_instance.task_id}[{index}]" if index is not None and index >= 0 else task_instance.task_id
        )

    @hookimpl
    def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
        self.progress.update(self.task, description=f"running {self._name(task_instance)}")

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        self.progress.advance(self.task)

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        self.failed.append(f"{self._name(task_instance)}: {error}")


def progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def run_summary(paths: Paths, run_id: str, *, published: bool) -> Table:
    """Rows landed, quarantined and validated per source, and the audit's verdicts, for one run."""
    table = Table(title=f"run {run_id}")
    for column in (
        "source",
        "entities",
        "rows landed",
        "quarantined",
        "repeats dropped",
        "validated",
        "extract s",
    ):
        table.add_column(column, justify="right" if column != "source" else "left")
    with open_warehouse(paths, build=not published) as db:
        if db is None:
            return table
        rows = db.rows(
            """
            select source, count(*), sum(rows_landed), sum(rows_quarantined), sum(duplicates_dropped),
                   bool_and(validated), round(cast(sum(extract_seconds) as decimal(18, 3)), 1)
            from audit.load_runs where run_id = ? group by source order by source
            """,
            [run_id],
        )
        checks = db.rows(
            "select stage, count(*), count(*) filter (where success) from audit.validation_results "
            "where run_id = ? group by stage order by stage",
            [run_id],
        )
    for source, entities, landed, quarantined, repeats, validated, seconds in rows:
        table.add_row(
            source,
            str(entities),
            f"{landed:,}",
            str(quarantined),
            str(repeats),
            "yes" if validated else "NO",
            str(seconds),
        )
    table.caption = "; ".join(f"{stage}: {passed}/{total} suites passed" for stage, total, passed in checks)
    return table
