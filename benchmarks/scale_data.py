"""Landing zones at benchmark scale: a sandbox company landed once through the real connectors, then
tiled straight into the landing zone by DuckDB.

Each tile is a copy of the base company's landed days with its own ids and e-mail addresses (so every
tile is a distinct set of customers, campaigns, posts, tickets and orders) and its days shifted, so
that tiles side by side make a bigger company and tiles one after another make a longer history.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from connectors.landing import DATA_FILE, MANIFEST_FILE, partition_dir
from connectors.registry import SOURCES

EMAIL_COLUMNS = {"email", "email_address", "customer_email", "referral_email"}
ID_OFFSET = 10**14  # integer ids of tile r are shifted by r * ID_OFFSET (vendor ids are below 10**13)


@contextmanager
def sandbox_company(folder: Path, customers: int, start: date, days: int, seed: int) -> Iterator[None]:
    """A generated company served over HTTP on 127.0.0.1 while the block runs, with this process's
    connections (and its children's) pointed at it. Pages hold up to 1,000 records, the vendors' usual
    maximum (the sandbox's default of 50 exercises paging in the tests)."""
    from sandbox.connections import sandbox_environment
    from sandbox.event_files import write_event_files
    from sandbox.generator import SandboxConfig, generate
    from sandbox.server import SandboxServer

    world = generate(
        SandboxConfig(seed=seed, customers=customers, start=start, end=start + timedelta(days=days))
    )
    events = folder / "web_events"
    write_event_files(world, events)
    server = SandboxServer(world, max_page_size=1000)
    server.start_in_thread()
    try:
        os.environ.update(sandbox_environment(server.url, events))
        yield
    finally:
        server.shutdown()


def land_base_company(folder: Path, customers: int, start: date, days: int, seed: int = 5) -> Path:
    """Generate a sandbox company and land ``days`` days of it through the connectors (HTTP on
    127.0.0.1); returns the landing zone."""
    from connectors.settings import Interval
    from connectors.streams import extract
    from touchpoints.connections import connection_settings

    landing = folder / "landing"
    with sandbox_company(folder, customers, start, days, seed):
        for offset in range(days):
            day = start + timedelta(days=offset)
            for source in SOURCES.values():
                for entity in source.entities:
                    extract(source, entity, connection_settings(source.name), Interval.for_day(day), landing)
    return landing


def _column_expression(name: str, arrow_type: str) -> str:
    """The column in tile ``replica`` (a SQL column), shifted by ``shift`` days (an integer column)."""
    quoted = f'"{name}"'
    if name in EMAIL_COLUMNS:
        return f"replace({quoted}, '@', '+t' || replica || '@') as {quoted}"
    if arrow_type.startswith("timestamp"):
        return f"{quoted} + to_days(cast(shift as integer)) as {quoted}"
    is_id = name.endswith("_id") or name == "id"
    if is_id and arrow_type == "string":
        return f"{quoted} || '~t' || replica as {quoted}"
    if is_id and arrow_type.startswith("int"):
        return f"{quoted} + replica * {ID_OFFSET} as {quoted}"
    return quoted


def _name_data_file(partition: Path, schema: pa.Schema) -> None:
    """One data file per partition, named as the connectors name it (an empty one for a quiet day)."""
    written = [f for f in partition.glob("part-*.parquet") if f.name != DATA_FILE]
    if len(written) > 1:
        raise RuntimeError(f"{partition}: {len(written)} files where one was expected")
    if written:
        written[0].rename(partition / DATA_FILE)
    elif not (partition / DATA_FILE).exists():
        pq.write_table(schema.empty_table(), partition / DATA_FILE)


def tile_days(
    base: Path, target: Path, base_start: date, base_days: int, first: int, last: int, width: int
) -> int:
    """Days ``first`` to ``last - 1`` (counted from ``base_start``) of a tiled history in ``target``.

    Day ``d`` is base day ``d % base_days``, ``width`` times over with replicas
    ``(d // base_days) * width + k + 1`` (replica 0, the sandbox's own ids, is left to live sandbox
    companies): every block of ``base_days`` days is a fresh set of ``width`` companies (ids and e-mails
    of their own), so customers never repeat across blocks. Returns the rows written; each day gets one
    Parquet file and a manifest per entity, as the connectors land them.
    """
    written = 0
    with duckdb.connect() as db:
        db.execute("set TimeZone = 'UTC'")
        for source in SOURCES.values():
            for entity in source.entities:
                folder = base / source.name / entity
                schema = pq.read_schema(next(folder.glob(f"ds=*/{DATA_FILE}")))
                columns = ", ".join(_column_expression(f.name, str(f.type)) for f in schema)
                days = f"""
                    select block, k, block * {width} + k + 1 as replica, block * {base_days} as shift
                    from range({first // base_days}, {(last - 1) // base_days + 1}) as b(block),
                         range({width}) as w(k)
                """
                query = f"""
                    select {columns}, strftime(cast(base_rows.ds as date) + to_days(cast(shift as integer)), '%Y-%m-%d') as ds
                    from read_parquet('{folder}/ds=*/{DATA_FILE}', hive_partitioning = true) as base_rows
                    cross join ({days}) as tiles
                    where cast(base_rows.ds as date) + to_days(cast(shift as integer))
                        between date '{base_start}' + to_days({first}) and date '{base_start}' + to_days({last - 1})
                """
                out = target / source.name / entity
                out.mkdir(parents=True, exist_ok=True)
                db.execute(
                    f"copy ({query}) to '{out}' (format parquet, compression zstd, partition_by (ds), "
                    "overwrite_or_ignore true, filename_pattern 'part-{uuid}')"
                )
                counts = db.execute(
                    f"select cast(ds as varchar), count(*) from read_parquet('{out}/ds=*/*.parquet', hive_partitioning = true) "
                    f"where cast(ds as date) between date '{base_start}' + to_days({first}) "
                    f"and date '{base_start}' + to_days({last - 1}) group by ds"
                ).fetchall()
                manifest = json.loads(next(folder.glob(f"ds=*/{MANIFEST_FILE}")).read_text())
                landed = dict(counts)
                for offset in range(first, last):
                    ds = (base_start + timedelta(days=offset)).isoformat()
                    partition = partition_dir(target, source.name, entity, ds)
                    partition.mkdir(parents=True, exist_ok=True)
                    _name_data_file(partition, schema)
                    interval = (
                        f"[{ds}T00:00:00+00:00, {base_start + timedelta(days=offset + 1)}T00:00:00+00:00)"
                    )
                    manifest.update(ds=ds, interval=interval, rows=landed.get(ds, 0))
                    (partition / MANIFEST_FILE).write_text(json.dumps(manifest))
                    written += landed.get(ds, 0)
    return written


def tile_history(base: Path, target: Path, base_start: date, base_days: int, days: int, width: int) -> int:
    """A fresh landing zone ``target`` of ``days`` tiled days from ``base_start``."""
    if target.exists():
        shutil.rmtree(target)
    return tile_days(base, target, base_start, base_days, 0, days, width)
