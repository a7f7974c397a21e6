"""dbt's compiled models run straight on DuckDB, with no dbt: the floor dbt's overhead is measured against."""

from __future__ import annotations

import json
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

MATERIALIZED_AS = {"table": "table", "incremental": "table", "view": "view"}


def compiled_models(manifest_path: Path) -> list[tuple[str, str, str, str]]:
    """(schema, name, table or view, compiled select) of every model, in dependency order."""
    nodes = json.loads(manifest_path.read_text())["nodes"]
    models = {key: node for key, node in nodes.items() if node["resource_type"] == "model"}
    order = TopologicalSorter(
        {key: [d for d in node["depends_on"]["nodes"] if d in models] for key, node in models.items()}
    ).static_order()
    return [
        (
            models[key]["schema"],
            models[key]["name"],
            MATERIALIZED_AS[models[key]["config"]["materialized"]],
            models[key]["compiled_code"],
        )
        for key in order
    ]


def run_compiled_models(manifest_path: Path, database: Path) -> int:
    """Build every model into a fresh DuckDB file; returns how many were built."""
    database.unlink(missing_ok=True)
    models = compiled_models(manifest_path)
    with duckdb.connect(str(database)) as db:
        db.execute("set TimeZone = 'UTC'")
        for schema in sorted({schema for schema, *_ in models}):
            db.execute(f"create schema if not exists {schema}")
        for schema, name, kind, sql in models:
            db.execute(f"create or replace {kind} {schema}.{name} as {sql}")
    return len(models)
