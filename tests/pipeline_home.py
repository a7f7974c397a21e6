"""Helpers that point the pipeline at a fresh home and the sandbox, and land days without Airflow."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.registry import SOURCES
from connectors.settings import Interval
from connectors.streams import extract
from sandbox.connections import sandbox_environment
from sandbox.server import SandboxServer
from touchpoints.config import Paths
from touchpoints.connections import connection_settings


def point_pipeline_at(
    patch: pytest.MonkeyPatch, home: Path, sandbox: SandboxServer, events_dir: Path
) -> Paths:
    """Settings for a fresh TOUCHPOINTS_HOME whose connections point at the sandbox (which many tests share:
    client pacing is off, the throttling tests pace on a sandbox of their own)."""
    patch.setenv("TOUCHPOINTS_HOME", str(home))
    patch.setenv("TOUCHPOINTS_DUCKDB_PATH", str(home / "warehouse" / "touchpoints.duckdb"))
    for variable in (
        "TOUCHPOINTS_LANDING_DIR",
        "TOUCHPOINTS_LANDING_INDEX_DIR",
        "TOUCHPOINTS_BUILD_DUCKDB_PATH",
        "TOUCHPOINTS_SPARK_WAREHOUSE_DIR",
        "TOUCHPOINTS_GX_DIR",
    ):
        patch.delenv(variable, raising=False)
    for key, value in sandbox_environment(sandbox.url, events_dir, pace=False).items():
        patch.setenv(key, value)
    return Paths.from_env()


def land_day(paths: Paths, day: date) -> None:
    """Extract every entity of every source for one day into the landing zone."""
    for source in SOURCES.values():
        for entity in source.entities:
            extract(source, entity, connection_settings(source.name), Interval.for_day(day), paths.landing)
