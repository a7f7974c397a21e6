"""``python -m sandbox.demo`` (``make demo``): start the vendor-API sandbox, point the pipeline at it, run
the days as one range with ``touchpoints run``, then print the KPI summary and where the results are."""

from __future__ import annotations

import argparse
import os
from datetime import date, timedelta

from rich.console import Console

from sandbox.connections import sandbox_environment
from sandbox.event_files import write_event_files
from sandbox.generator import SandboxConfig, generate
from sandbox.server import SandboxServer
from touchpoints import cli
from touchpoints.config import Paths


def demo(start: date, days: int, customers: int, seed: int) -> None:
    """Generate ``customers``' ``days`` from ``start``, serve them and run the pipeline over them."""
    end = start + timedelta(days=days)
    paths = Paths.from_env()
    world = generate(SandboxConfig(seed=seed, customers=customers, start=start, end=end))
    events_dir = paths.home / "sandbox" / "web_events"
    write_event_files(world, events_dir)
    server = SandboxServer(world, max_page_size=1000)  # the vendors' usual largest page
    server.start_in_thread()
    Console().print(f"Sandbox vendor APIs on {server.url}; web/app event files in {events_dir}")
    os.environ.update(sandbox_environment(server.url, events_dir))
    try:
        cli.main(["run", "--start", start.isoformat(), "--end", (end - timedelta(days=1)).isoformat()])
    finally:
        server.shutdown()
    cli.main(["summary"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.demo", description=__doc__)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 10, 12), help="first day")
    parser.add_argument("--days", type=int, default=31, help="how many days (default 31)")
    parser.add_argument("--customers", type=int, default=300, help="company size of the sandbox")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    args = parser.parse_args(argv)
    demo(args.start, args.days, args.customers, args.seed)


if __name__ == "__main__":
    cli.exit_after(main)
