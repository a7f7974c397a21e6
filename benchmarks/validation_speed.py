"""GX validation of a large landed partition next to a plain DuckDB count(*) scan of the same file.

The landed partition is written straight with pyarrow in the web/events schema (the widest event
entity), then validated exactly as the nightly run does (expectations/landed.py: GX computes every
metric in DuckDB over the Parquet file), and, for contrast, as a pandas batch.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
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
from expectations.runner import open_context

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


def _median_seconds(step: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _count_scan(data: Path) -> int:
    """A plain scan in a fresh DuckDB connection (no cached metadata) that has to read a column."""
    with duckdb.connect() as db:
        query = f"select count(*) from read_parquet('{data}') where anonymous_id is not null"
        return db.execute(query).fetchall()[0][0]


def _pandas_batch(data: Path) -> bool:
    """The previous approach, for contrast: the same suite on a pandas batch read with pyarrow (in an
    ephemeral context, so it pays nothing for storing results)."""
    import great_expectations as gx

    from expectations.raw_suites import raw_suite

    context = gx.get_context(mode="ephemeral")
    frame = pq.read_table(data).to_pandas()
    asset = context.data_sources.add_pandas("pandas").add_dataframe_asset("events")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    return bool(batch.validate(raw_suite(WEB, WEB.stream("events"))).success)


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = write_partition(root / "landing", rows)
        assert _count_scan(data) == rows
        context = open_context(root / "gx")  # opened once per task, like GX's import
        outcome = validate_landed(
            context, root / "views.duckdb", root / "landing", "web", "events", [DS]
        )  # warm-up: first queries
        assert outcome.success and outcome.rows == rows
        scan = _median_seconds(lambda: _count_scan(data))
        in_duckdb = _median_seconds(
            lambda: validate_landed(context, root / "views.duckdb", root / "landing", "web", "events", [DS])
        )
        assert _pandas_batch(data)
        on_pandas = _median_seconds(lambda: _pandas_batch(data), repeats=1)
    table = Table(title=f"validating a landed partition of {rows:,} rows (web/events), median seconds")
    for column in ("step", "seconds", "ratio to count(*)"):
        table.add_column(column)
    table.add_row("DuckDB count(*) scan, fresh connection", f"{scan:.3f}", "1.0x")
    table.add_row(
        f"GX suite in DuckDB ({outcome.evaluated} expectations, the nightly path)",
        f"{in_duckdb:.3f}",
        f"{in_duckdb / scan:.1f}x",
    )
    table.add_row(
        "GX suite on a pandas batch (the previous path)", f"{on_pandas:.3f}", f"{on_pandas / scan:.1f}x"
    )
    Console().print(table)
