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
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from connectors.landing import DATA_FILE, MANIFEST_FILE, partition_dir
from connectors.registry import SOURCES

EMAIL_COLUMNS = {"email", "email_address", "customer_email", "referral_email"}
ID_OFFSET = 10**14  # integer ids of tile r are shifted by r * ID_OFFSET (vendor ids are below 10**13)


def land_base_company(folder: Path, customers: int, start: date, days: int, seed: int = 5) -> Path:
    """Generate a sandbox company and land ``days`` days of it through the connectors (HTTP on
    127.0.0.1); returns the landing zone. Points this process's connections at the sandbox."""
    from connectors.settings import Interval
    from connectors.streams import extract
    from sandbox.connections import sandbox_environment
    from sandbox.event_files import write_event_files
    from sandbox.generator import SandboxConfig, generate
    from sandbox.server import SandboxServer
    from touchpoints.connections import connection_settings

    world = generate(
        SandboxConfig(seed=seed, customers=customers, start=start, end=start + timedelta(days=days))
    )
    events = folder / "web_events"
    write_event_files(world, events)
    server = SandboxServer(world)
    server.start_in_thread()
    landing = folder / "landing"
    try:
        os.environ.update(sandbox_environment(server.url, events))
        for offset in range(days):
            day = start + timedelta(days=offset)
            for source in SOURCES.values():
                for entity in source.entities:
                    extract(source, entity, connection_settings(source.name), Interval.for_day(day), landing)
    finally:
        server.shutdown()
    return landing


def _column_expression(name: str, arrow_type: str, shift_days: int, replica: int) -> str:
    quoted = f'"{name}"'
    if name in EMAIL_COLUMNS:
        return f"replace({quoted}, '@', '+t{replica}@') as {quoted}"
    if arrow_type.startswith("timestamp"):
        return f"{quoted} + interval {shift_days} day as {quoted}"
    is_id = name.endswith("_id") or name in ("id", "email_id")
    if is_id and arrow_type == "string":
        return f"{quoted} || '~t{replica}' as {quoted}"
    if is_id and arrow_type.startswith("int"):
        return f"{quoted} + {replica * ID_OFFSET} as {quoted}"
    return quoted


def write_day(base: Path, target: Path, base_day: date, new_day: date, replicas: range) -> int:
    """Land ``new_day`` in ``target`` for every entity: the base day's rows, once per replica in
    ``replicas`` (its own ids and e-mails), shifted to ``new_day``. Returns the rows written."""
    shift = (new_day - base_day).days
    written = 0
    for source in SOURCES.values():
        for entity in source.entities:
            folder = partition_dir(base, source.name, entity, base_day.isoformat())
            schema = pq.read_schema(folder / DATA_FILE)
            out = partition_dir(target, source.name, entity, new_day.isoformat())
            out.mkdir(parents=True, exist_ok=True)
            selects = [
                "select "
                + ", ".join(_column_expression(f.name, str(f.type), shift, replica) for f in schema)
                + f" from read_parquet('{folder / DATA_FILE}', hive_partitioning = false)"
                for replica in replicas
            ]
            query = " union all ".join(selects)
            with duckdb.connect() as db:
                db.execute(f"copy ({query}) to '{out / DATA_FILE}' (format parquet, compression zstd)")
                rows = db.execute(f"select count(*) from read_parquet('{out / DATA_FILE}')").fetchall()[0][0]
            manifest = json.loads((folder / MANIFEST_FILE).read_text())
            manifest.update(ds=new_day.isoformat(), rows=rows)
            (out / MANIFEST_FILE).write_text(json.dumps(manifest))
            written += rows
    return written


def tile_day(
    base: Path, target: Path, base_days: list[date], first_day: date, offset: int, width: int
) -> int:
    """Day ``first_day + offset`` of a tiled history: ``width`` replicas of a base day (cycling through
    ``base_days``). Every block of ``len(base_days)`` days gets fresh replica numbers, so customers never
    repeat across blocks; returns the rows written."""
    block, position = divmod(offset, len(base_days))
    replicas = range(block * width, (block + 1) * width)
    return write_day(base, target, base_days[position], first_day + timedelta(days=offset), replicas)


def tile_history(
    base: Path, target: Path, base_days: list[date], first_day: date, days: int, width: int
) -> None:
    """``days`` tiled days from ``first_day`` into a fresh landing zone ``target``."""
    if target.exists():
        shutil.rmtree(target)
    for offset in range(days):
        tile_day(base, target, base_days, first_day, offset, width)
