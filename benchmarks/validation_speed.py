"""GX validation of a large landed partition next to a plain DuckDB count(*) scan of the same file.

The landed partition is written straight with pyarrow in the web/events schema (the widest event
entity), then validated exactly as the nightly run does (expectations/landed.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from connectors.landing import DATA_FILE, partition_dir
from connectors.web_events import SOURCE as WEB
from expectations.landed import validate_landed

DS = "2026-11-01"


def write_partition(root: Path, rows: int) -> Path:
    """A landed web/events partition of ``rows`` rows, written in row groups of one million."""
    folder = partition_dir(root, "web", "events", DS)
    folder.mkdir(parents=True)
    schema = WEB.stream("events").schema
    rng = np.random.default_rng(7)
    start = np.datetime64("2026-11-01T00:00:00", "us")
    with pq.ParquetWriter(folder / DATA_FILE, schema, compression="zstd") as writer:
        for offset in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - offset)
            ids = np.arange(offset, offset + n)
            kinds = rng.choice(np.array(["page", "screen", "track", "identify"]), n, p=[0.5, 0.2, 0.25, 0.05])
            writer.write_table(
                pa.table(
                    {
                        "message_id": pa.array([f"msg-{i}" for i in ids]),
                        "event_type": pa.array(kinds),
                        "anonymous_id": pa.array([f"anon-{i % 250_000}" for i in ids]),
                        "user_id": pa.nulls(n, pa.string()),
                        "email": pa.nulls(n, pa.string()),
                        "name": pa.array(np.where(kinds == "track", None, "/products")),
                        "event": pa.array(np.where(kinds == "track", "Product Viewed", None)),
                        "occurred_at": pa.array(
                            start + rng.integers(0, 86_400_000_000, n).astype("timedelta64[us]")
                        ).cast(pa.timestamp("us", tz="UTC")),
                    },
                    schema=schema,
                )
            )
    return folder / DATA_FILE


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = write_partition(root / "landing", rows)
        started = time.perf_counter()
        count = duckdb.sql(
            f"select count(*) from read_parquet('{data}') where anonymous_id is not null"
        ).fetchall()[0][0]
        scan = time.perf_counter() - started
        validate_landed(
            root / "landing", root / "gx-warmup", "web", "events", DS
        )  # GX import and context set-up
        started = time.perf_counter()
        outcome = validate_landed(root / "landing", root / "gx", "web", "events", DS)
        validation = time.perf_counter() - started
    assert count == rows and outcome.success and outcome.rows == rows
    table = Table(title=f"validating a landed partition of {rows:,} rows (web/events)")
    for column in ("step", "seconds", "ratio to count(*)"):
        table.add_column(column)
    table.add_row("DuckDB count(*) scan", f"{scan:.2f}", "1.0x")
    table.add_row(
        f"GX suite ({outcome.evaluated} expectations, pandas batch)",
        f"{validation:.2f}",
        f"{validation / scan:.0f}x",
    )
    Console().print(table)
