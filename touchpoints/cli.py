"""touchpoints: run the pipeline over a range of days, read its results (summary, report, docs) and
export them."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from touchpoints.config import Paths, scheduler_start
from touchpoints.run_days import RangeRefused, RunDays

console = Console()


def run_days(days: RunDays, wait: bool = False) -> None:
    """Run touchpoints_nightly once for every day from --start to --end (both included): each source is
    landed day by day, then one build, audit, publish and docs. Days already landed whole are kept
    unless --refetch; a run killed part-way picks up where it stopped. One run at a time writes a home
    and a warehouse: another meets it and stops at once, naming it (or waits, with --wait)."""
    from touchpoints.airflow_env import configure_airflow
    from touchpoints.preflight import connection_problems, folder_problems
    from touchpoints.run_lock import LockBusy, writing

    try:
        days.check()
        RunDays.check_scheduler_start(date.fromisoformat(scheduler_start()))
    except RangeRefused as refused:
        raise SystemExit(f"error: {refused}") from None
    paths = Paths.from_env()
    if problems := folder_problems(paths):
        _refuse(problems)
    configure_airflow(paths)  # before anything imports Airflow: it reads its settings once
    # Airflow's in-process API client warns of its own test-client dependency on every run
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    if problems := connection_problems():
        _refuse(problems)
    try:
        with writing(paths, f"touchpoints run {days}", wait=wait, waiting=console.print):
            _run_locked(paths, days)
    except LockBusy as busy:
        raise SystemExit(f"error: {busy}") from None


def _refuse(problems: list[str]) -> None:
    raise SystemExit("error: nothing was run; fix these first:\n  " + "\n  ".join(problems))


def _run_locked(paths: Paths, days: RunDays) -> None:
    """The run, once the home and the warehouse are this command's alone."""
    from airflow.sdk.listener import get_listener_manager

    from connectors.registry import SOURCES
    from touchpoints.airflow_env import load_dag, migrate_metadata_db, run_range, run_result
    from touchpoints.presentation.landing_progress import listen
    from touchpoints.presentation.progress import RetryNotice, RunProgress, progress_bars, run_summary
    from touchpoints.warehouse import warehouse_for

    with console.status("Preparing the Airflow metadata database"):
        migrate_metadata_db()
    dag = load_dag()
    started_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat()
    entity_days = sum(len(source.entities) for source in SOURCES.values()) * len(days.days())
    with progress_bars(console) as bars:
        progress = RunProgress(bars, entity_days, len(dag.tasks))
        get_listener_manager().add_listener(progress)
        stop_listening = listen(progress.landed)
        retries = RetryNotice(console, progress, dag)
        logging.getLogger(RetryNotice.LOGGER).addFilter(retries)
        try:
            run = run_range(dag, days)
        except RangeRefused as refused:
            raise SystemExit(f"error: {refused}") from None
        finally:
            logging.getLogger(RetryNotice.LOGGER).removeFilter(retries)
            stop_listening()
            get_listener_manager().pm.unregister(progress)
    result = run_result(dag, run)
    location = warehouse_for(paths).describe_published()
    console.print(run_summary(paths, result.run_id, started_at, published=result.success))
    if result.success:
        console.print(f"[green]touchpoints_nightly {days}: success[/green]")
        console.print(f"Published: {location}")
        return
    console.print(f"[red]touchpoints_nightly {days}: {result.state}[/red]")
    for failure in progress.failed:
        console.print(f"  [red]{failure}[/red]")
    for task_id, state in result.not_succeeded.items():
        console.print(f"  {task_id}: {state}")
    console.print(
        f"Nothing was published for {days}; the last good warehouse stays at {location}. "
        f"Fix the cause named above, then run the same command again: {days.rerun()} (the days already "
        "landed whole are kept; add --refetch to land them again, e.g. after a failed validation)."
    )
    raise SystemExit(1)


def forget_people(emails: list[str], file: Path | None, wait: bool) -> None:
    """Erase people, given by e-mail address, from the landing zone, quarantine, GX results, warehouses,
    exports and docs, and put every identifier linked to them on the suppression list, so that no later
    extract lands them again. What it did is printed and logged in counts, never naming anyone. One
    writer at a time: a run in progress makes it stop (or wait, with --wait). See docs/privacy.md."""
    from touchpoints.forget import forget
    from touchpoints.run_lock import LockBusy

    if file is not None:
        lines = (line.split("#", 1)[0].strip() for line in file.read_text().splitlines())
        emails = [*emails, *filter(None, lines)]
    if not emails:
        raise SystemExit("error: no e-mail address given (as arguments or with --file)")
    try:
        forgotten = forget(Paths.from_env(), emails, wait=wait, waiting=console.print)
    except LockBusy as refused:
        raise SystemExit(f"error: {refused}") from None
    console.print(f"touchpoints forget: {forgotten.describe()}")


def serve_docs(folder: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 for the docs site (dbt docs, KPI report, Data Docs)."""
    if not (folder / "index.html").exists():
        raise SystemExit(
            f"error: no docs site at {folder}: run the pipeline first (touchpoints run or make demo)"
        )

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            """Quiet."""

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="touchpoints", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run", help="run the pipeline for a range of days", description=run_days.__doc__
    )
    run.add_argument("--start", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    run.add_argument("--end", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD (inclusive)")
    run.add_argument(
        "--refetch", action="store_true", help="land again the days already landed (default: keep them)"
    )
    run.add_argument(
        "--wait",
        action="store_true",
        help="wait for another run writing the same home to end (default: stop)",
    )
    commands.add_parser(
        "summary",
        help="print the KPIs of the published warehouse",
        description="Print the KPIs of the published warehouse.",
    )
    commands.add_parser(
        "report",
        help="rebuild the KPI report page",
        description="Rebuild the KPI report from the published warehouse.",
    )
    docs = commands.add_parser(
        "docs", help="serve the docs site on 127.0.0.1", description=serve_docs.__doc__
    )
    docs.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    forget = commands.add_parser(
        "forget",
        help="erase people, by e-mail address, from everything the project keeps",
        description=forget_people.__doc__,
    )
    forget.add_argument("emails", nargs="*", metavar="EMAIL", help="e-mail addresses to forget")
    forget.add_argument(
        "--file", type=Path, help="a file of e-mail addresses, one per line ('#' starts a comment)"
    )
    forget.add_argument(
        "--wait", action="store_true", help="wait for a run writing the same home to end (default: stop)"
    )
    commands.add_parser(
        "export",
        help="export the published marts as Parquet",
        description="Write every published mart as Parquet.",
    )
    return top


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    paths = Paths.from_env()
    if args.command == "run":
        run_days(RunDays(args.start, args.end, args.refetch), args.wait)
    elif args.command == "summary":
        from touchpoints.presentation.report import print_summary

        print_summary(paths, console)
    elif args.command == "report":
        from touchpoints.presentation.kpi_report import build_report

        console.print(f"KPI report: {build_report(paths, paths.docs / 'report' / 'index.html')}")
    elif args.command == "docs":
        server = serve_docs(paths.docs, args.port)
        console.print(f"Docs on http://127.0.0.1:{args.port}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.shutdown()
    elif args.command == "forget":
        forget_people(args.emails, args.file, args.wait)
    elif args.command == "export":
        from touchpoints.warehouse import warehouse_for

        for path in warehouse_for(paths).export_marts():
            console.print(str(path))


def entry() -> None:
    """The ``touchpoints`` command."""
    exit_after(main)


def exit_after(command: Callable[[list[str]], None]) -> NoReturn:
    """Run ``command`` on the process's arguments, then exit skipping the interpreter's teardown.

    Everything a command does is on disk when it returns; tearing down the Airflow, dbt, GX and DuckDB
    objects of a run costs seconds and ends in DuckDB's leak report, so the process ends at once.
    """
    code: int | str | None = 0
    try:
        command(sys.argv[1:])
    except SystemExit as stopped:
        code = stopped.code
    except KeyboardInterrupt:
        code = 130
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # what a normal exit runs first: logging, multiprocessing's semaphores, Airflow
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    entry()
