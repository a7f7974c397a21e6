"""The ``spark`` dbt target: Spark in local mode, in dbt's own process (the default), builds every mart
from the two nights' landing zone read in place, and each equals the mart the nightly DAG published on
DuckDB, row for row (doubles within 1e-9). One full build, as a Spark session costs tens of seconds to
start; then the production shape, dbt's ``thrift`` method against a Spark Thrift server, on a few models."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spark_thrift_server import SparkThriftServer
from tests.warehouses import assert_same_marts, mart_frames, spark_mart_frames
from touchpoints.config import Paths
from touchpoints.dbt_runner import NIGHTLY_BUILD_ARGS, run_dbt
from touchpoints.warehouse.landing_index import write_landing_index

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def spark_build(two_nights: Path, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """dbt build on the spark target over the landing zone of ``two_nights``, in a home of its own."""
    landing = Paths.from_env().landing
    home = tmp_path_factory.mktemp("spark-home")
    patch = pytest.MonkeyPatch()
    try:
        patch.setenv("TOUCHPOINTS_HOME", str(home))
        patch.setenv("TOUCHPOINTS_LANDING_DIR", str(landing))
        patch.setenv("TOUCHPOINTS_DBT_TARGET", "spark")
        paths = Paths.from_env()
        assert write_landing_index(paths.landing, paths.landing_index) > 0
        outcome = run_dbt(paths, "build", *NIGHTLY_BUILD_ARGS)
    finally:
        patch.undo()
    assert outcome.passed > 100, outcome.describe()  # every model and data test ran, none failed
    return paths


def test_every_mart_built_on_spark_equals_the_duckdb_build(spark_build: Paths, two_nights: Path) -> None:
    duckdb_marts = mart_frames(two_nights)
    spark_marts = spark_mart_frames(spark_build.spark_warehouse / "build_marts.db")
    assert len(duckdb_marts) >= 19
    assert_same_marts(spark_marts, duckdb_marts, rtol=1e-9)


def test_spark_reads_the_landing_zone_in_place(spark_build: Paths) -> None:
    """Nothing is copied out of the landing zone: the staged tables come from its partitions, the only
    schemas Spark wrote are the build's layers (no landing copies, as PostgreSQL makes), and the only
    thing written outside the landing zone for it is the index of its manifests."""
    staged = spark_mart_frames(spark_build.spark_warehouse / "build_staging.db")
    partitions = staged["stg_landing__partitions"]
    landed = sorted(spark_build.landing.glob("*/*/ds=*/_manifest.json"))
    assert len(partitions) == len(landed)
    assert set(partitions["entity"]) >= {"orders", "events", "tickets", "campaigns"}
    assert not (spark_build.landing / "landing_index").exists()
    schemas = {folder.name for folder in spark_build.spark_warehouse.glob("*.db")}
    assert schemas == {"build_staging.db", "build_intermediate.db", "build_marts.db"}


def test_dbt_reaches_a_spark_thrift_server(
    spark_build: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Thrift server started from pyspark's own jars, reached with nothing but settings, stages the
    orders as the session build did."""
    with SparkThriftServer(tmp_path / "thrift") as server:
        for key, value in {
            "TOUCHPOINTS_HOME": str(tmp_path / "home"),
            "TOUCHPOINTS_LANDING_DIR": str(spark_build.landing),
            "TOUCHPOINTS_LANDING_INDEX_DIR": str(spark_build.landing_index),
            "TOUCHPOINTS_DBT_TARGET": "spark",
            "TOUCHPOINTS_SPARK_METHOD": "thrift",
            "TOUCHPOINTS_SPARK_PORT": str(server.port),
        }.items():
            monkeypatch.setenv(key, value)
        run_dbt(Paths.from_env(), "run", "--select", "+stg_shopify__orders")
    orders = [
        spark_mart_frames(warehouse / "build_staging.db")["stg_shopify__orders"].drop(columns="_batch_at")
        for warehouse in (server.warehouse, spark_build.spark_warehouse)
    ]
    assert len(orders[0]) > 0
    assert_same_marts({"orders": orders[0]}, {"orders": orders[1]})
