"""Where everything lives, from environment variables (documented in the README), with local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGS_DIR = REPO_ROOT / "dags"
# One slot: the steps that write or swap the DuckDB warehouse never overlap, even across runs (backfills).
WAREHOUSE_POOL = "touchpoints_warehouse"


def scheduler_start() -> str:
    """``TOUCHPOINTS_START_DATE``: the first day the scheduler's catchup runs (YYYY-MM-DD)."""
    return os.environ.get("TOUCHPOINTS_START_DATE", "2026-11-01")


@dataclass(frozen=True)
class Paths:
    """The pipeline's files: landing zone, build and published warehouses, GX project, Airflow home."""

    home: Path
    landing: Path
    warehouse: Path
    build_warehouse: Path
    gx: Path
    airflow_home: Path
    web_events_url: str | None
    warehouse_target: str  # the dbt target: "duckdb" (default) or "postgres" (scale-out)
    landing_index: (
        Path  # the manifests as a Parquet table, for Spark (touchpoints/warehouse/landing_index.py)
    )
    spark_warehouse: Path  # where a Spark session in dbt's process keeps its tables and catalog

    @classmethod
    def from_env(cls) -> Paths:
        home = Path(os.environ.get("TOUCHPOINTS_HOME", REPO_ROOT / "var")).resolve()
        warehouse = Path(
            os.environ.get("TOUCHPOINTS_DUCKDB_PATH", REPO_ROOT / "warehouse" / "touchpoints.duckdb")
        )
        build = os.environ.get("TOUCHPOINTS_BUILD_DUCKDB_PATH")
        return cls(
            home=home,
            landing=Path(os.environ.get("TOUCHPOINTS_LANDING_DIR", home / "landing")).resolve(),
            warehouse=warehouse.resolve(),
            build_warehouse=Path(build).resolve()
            if build
            else warehouse.resolve().parent / "build" / warehouse.name,
            gx=Path(os.environ.get("TOUCHPOINTS_GX_DIR", home / "gx")).resolve(),
            airflow_home=Path(os.environ.get("AIRFLOW_HOME", home / "airflow")).resolve(),
            web_events_url=os.environ.get("TOUCHPOINTS_WEB_EVENTS_URL"),
            warehouse_target=os.environ.get("TOUCHPOINTS_DBT_TARGET", "duckdb"),
            landing_index=Path(
                os.environ.get("TOUCHPOINTS_LANDING_INDEX_DIR", home / "landing_index")
            ).resolve(),
            spark_warehouse=Path(
                os.environ.get("TOUCHPOINTS_SPARK_WAREHOUSE_DIR", warehouse.resolve().parent / "spark")
            ).resolve(),
        )

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder (manifest, catalog, run results) for this home."""
        return self.home / "dbt_target"

    @property
    def docs(self) -> Path:
        return self.home / "docs"

    @property
    def exports(self) -> Path:
        """Parquet copies of the published marts, for tools that do not speak DuckDB."""
        return self.home / "exports" / "marts"

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt's profile and sources read."""
        return {
            "TOUCHPOINTS_LANDING_DIR": str(self.landing),
            "TOUCHPOINTS_LANDING_INDEX_DIR": str(self.landing_index),
            "TOUCHPOINTS_BUILD_DUCKDB_PATH": str(self.build_warehouse),
            "TOUCHPOINTS_SPARK_WAREHOUSE_DIR": str(self.spark_warehouse),
            "TOUCHPOINTS_DBT_TARGET": self.warehouse_target,
        }
