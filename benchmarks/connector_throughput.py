"""Connector cost against a bare requests+json loop over the same sandbox pages, at 1x and 10x data, and
the cost of checking every record against a suppression list of 1,000 forgotten people.

Prints records/second of both, their ratio, and the connector's peak RSS at 10x over 1x (it streams
page by page into Parquet, so that ratio should stay near 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date

from rich.console import Console
from rich.table import Table

from sandbox.generator import SandboxConfig, generate
from sandbox.server import SandboxServer
from sandbox.throttling import UNLIMITED


def _child(mode: str, base_url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as landing:
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks._child", mode, base_url, landing],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def main(customers: int) -> None:
    table = Table(title="mailchimp sent_to: connector vs bare requests+json (same pages, 1000 a page)")
    for column in (
        "scale",
        "records",
        "connector rec/s",
        "bare rec/s",
        "connector/bare time",
        "with suppression list/without time",
        "peak RSS MiB",
    ):
        table.add_column(column)
    peaks = {}
    for scale in (1, 10):
        world = generate(
            SandboxConfig(seed=1, customers=customers * scale, start=date(2026, 11, 1), end=date(2026, 11, 2))
        )
        server = SandboxServer(world, max_page_size=1000, limits=UNLIMITED)
        server.start_in_thread()
        try:
            _child("connector", server.url)  # warm the OS caches once
            connector, bare = _child("connector", server.url), _child("bare", server.url)
            suppressed = _child("suppressed", server.url)
        finally:
            server.shutdown()
        assert connector["rows"] == bare["rows"] == suppressed["rows"], "every run must land the same records"
        peaks[scale] = connector["peak_rss_mib"]
        table.add_row(
            f"{scale}x",
            str(int(connector["rows"])),
            f"{connector['rows'] / connector['seconds']:,.0f}",
            f"{bare['rows'] / bare['seconds']:,.0f}",
            f"{connector['seconds'] / bare['seconds']:.2f}x",
            f"{suppressed['seconds'] / connector['seconds']:.2f}x",
            f"{connector['peak_rss_mib']:.0f}",
        )
    console = Console()
    console.print(table)
    console.print(f"connector peak RSS 10x / 1x: {peaks[10] / peaks[1]:.3f}")
