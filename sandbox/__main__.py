"""``python -m sandbox``: serve the vendor-API sandbox and write its web/app event files."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sandbox.event_files import write_event_files
from sandbox.faults import NAMED_FAULTS, parse_fault_spec
from sandbox.generator import SandboxConfig, generate
from sandbox.server import SANDBOX_SECRET, SandboxServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--seed", type=int, default=SandboxConfig.seed)
    parser.add_argument("--customers", type=int, default=SandboxConfig.customers, help="company size")
    parser.add_argument("--start", type=date.fromisoformat, default=SandboxConfig.start)
    parser.add_argument("--end", type=date.fromisoformat, default=SandboxConfig.end, help="exclusive")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--events-dir", type=Path, default=Path("var/web_events"))
    parser.add_argument(
        "--max-page-size",
        type=int,
        default=1000,
        help="most records a page holds (the vendors' usual largest)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        type=parse_fault_spec,
        metavar="ROUTE=KIND[,KIND...]",
        help="queue faults for a route's next requests, e.g. shopify_orders=throttle,error503,ok,duplicate "
        "(kinds: " + ", ".join(NAMED_FAULTS) + ")",
    )
    args = parser.parse_args()
    world = generate(SandboxConfig(args.seed, args.customers, args.start, args.end))
    write_event_files(world, args.events_dir)
    server = SandboxServer(world, port=args.port, secret=SANDBOX_SECRET, max_page_size=args.max_page_size)
    for route, faults in args.fault:
        server.faults.inject(route, *faults)
    print(f"sandbox serving on {server.url}; web events in {args.events_dir}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
