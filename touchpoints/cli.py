"""touchpoints: run the nightly pipeline over a range of days, run the demo on the sandbox, read its
results (summary, report, docs) and export them."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console

from touchpoints.config import Paths

console = Console()


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise SystemExit(f"error: --end {end} is before --start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def run_days(start: date, end: date) -> None:
    """Run touchpoints_nightly for every day from start to end inclusive, stopping at the first failure."""
    from touchpoints.airflow_env import (
        configure_airflow,
        load_dag,
        migrate_metadata_db,
        task_instances_per_run,
        test_day,
    )
    from touchpoints.progress import TaskProgress, progress_bar, run_summary

    paths = Paths.from_env()
    configure_airflow(paths)  # before anything imports Airflow: it reads its settings once
    from airflow.sdk.listener import get_listener_manager

    with console.status("Preparing the Airflow metadata database"):
        migrate_metadata_db()
    dag = load_dag()
    for day in _days(start, end):
        with progress_bar(console) as progress:
            listener = TaskProgress(progress, progress.add_task(f"{day}", total=task_instances_per_run(dag)))
            get_listener_manager().add_listener(listener)
            try:
                run = test_day(dag, day)
            finally:
                get_listener_manager().pm.unregister(listener)
        state = str(run.state)
        console.print(run_summary(paths, run.run_id, published=state == "success"))
        if state != "success":
            console.print(f"[red]touchpoints_nightly {day}: {state}[/red]")
            for failure in listener.failed:
                console.print(f"  [red]{failure}[/red]")
            console.print(
                f"Nothing was published for {day}; the last good warehouse stays at {paths.warehouse}. "
                f"Fix the cause named above, then re-run: touchpoints run --start {day} --end {end}"
            )
            raise SystemExit(1)
        console.print(f"[green]touchpoints_nightly {day}: success[/green]")


def demo(start: date, days: int, customers: int, seed: int) -> None:
    """Start the sandbox, point the pipeline at it, run the days, print where the results are."""
    from sandbox.connections import sandbox_environment
    from sandbox.event_files import write_event_files
    from sandbox.generator import SandboxConfig, generate
    from sandbox.server import SandboxServer
    from touchpoints.report import print_summary

    end = start + timedelta(days=days)
    paths = Paths.from_env()
    world = generate(SandboxConfig(seed=seed, customers=customers, start=start, end=end))
    events_dir = paths.home / "sandbox" / "web_events"
    write_event_files(world, events_dir)
    server = SandboxServer(world)
    server.start_in_thread()
    console.print(f"Sandbox vendor APIs on {server.url}; web/app event files in {events_dir}")
    os.environ.update(sandbox_environment(server.url, events_dir))
    try:
        run_days(start, end - timedelta(days=1))
    finally:
        server.shutdown()
    print_summary(Paths.from_env(), console)


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
        "run", help="run the nightly DAG for each day of a range", description=run_days.__doc__
    )
    run.add_argument("--start", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    run.add_argument("--end", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD (inclusive)")
    demo_parser = commands.add_parser(
        "demo", help="run days on the local vendor-API sandbox", description=demo.__doc__
    )
    demo_parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 1), help="first day")
    demo_parser.add_argument("--days", type=int, default=7, help="how many days (default 7)")
    demo_parser.add_argument("--customers", type=int, default=300, help="company size of the sandbox")
    demo_parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
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
        run_days(args.start, args.end)
    elif args.command == "demo":
        demo(args.start, args.days, args.customers, args.seed)
    elif args.command == "summary":
        from touchpoints.report import print_summary

        print_summary(paths, console)
    elif args.command == "report":
        from touchpoints.kpi_report import build_report

        console.print(f"KPI report: {build_report(paths, paths.docs / 'report' / 'index.html')}")
    elif args.command == "docs":
        server = serve_docs(paths.docs, args.port)
        console.print(f"Docs on http://127.0.0.1:{args.port}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.shutdown()
    elif args.command == "export":
        from touchpoints.warehouse import export_marts

        for path in export_marts(paths.warehouse, paths.exports):
            console.print(str(path))


if __name__ == "__main__":
    main(sys.argv[1:])
