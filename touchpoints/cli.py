"""``touchpoints``: run the nightly pipeline over a range of days, or the whole demo on the sandbox."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta

from rich.console import Console

from touchpoints.config import Paths

console = Console()


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise SystemExit(f"--end {end} is before --start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def run_days(start: date, end: date) -> None:
    """Run touchpoints_nightly for every day from start to end inclusive, stopping at the first failure."""
    from touchpoints.airflow_env import configure_airflow, load_dag, migrate_metadata_db, run_day

    paths = Paths.from_env()
    configure_airflow(paths)
    with console.status("Preparing the Airflow metadata database"):
        migrate_metadata_db()
    dag = load_dag()
    for day in _days(start, end):
        with console.status(f"touchpoints_nightly for {day}"):
            state = run_day(dag, day)
        if state != "success":
            console.print(f"[red]touchpoints_nightly {day}: {state}[/red]")
            console.print(
                "The task log above names the failed step. Landed data and the published warehouse are "
                f"unchanged for that step onwards; fix the cause and re-run: touchpoints run --start {day} --end {end}"
            )
            raise SystemExit(1)
        console.print(f"[green]touchpoints_nightly {day}: success[/green]")


def demo(start: date, days: int, customers: int, seed: int) -> None:
    """Start the sandbox, point the pipeline at it, run a week, print where the results are."""
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="touchpoints", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the nightly DAG for each day of a range (inclusive)")
    run.add_argument("--start", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    run.add_argument("--end", type=date.fromisoformat, required=True, help="last day, YYYY-MM-DD (inclusive)")
    demo_parser = commands.add_parser("demo", help="run a week on the local vendor-API sandbox")
    demo_parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 1))
    demo_parser.add_argument("--days", type=int, default=7)
    demo_parser.add_argument("--customers", type=int, default=300, help="company size of the sandbox")
    demo_parser.add_argument("--seed", type=int, default=7)
    commands.add_parser("summary", help="print the KPIs of the published warehouse")
    args = parser.parse_args(argv)
    if args.command == "run":
        run_days(args.start, args.end)
    elif args.command == "demo":
        demo(args.start, args.days, args.customers, args.seed)
    else:
        from touchpoints.report import print_summary

        print_summary(Paths.from_env(), console)


if __name__ == "__main__":
    main(sys.argv[1:])
