"""The ``spark`` dbt target, end to end, in both shapes on one Spark warehouse. First the production
shape: ``touchpoints run`` for each of two nights, in a process of its own, on a Spark Thrift server
(dbt's ``thrift`` method; the audit and publish through the server's Spark Connect). Then, with the
server stopped, the test's own Spark session (dbt's ``session`` method) on the same warehouse: a publish
under readers, ``touchpoints forget`` (a complete build), a failed night and a staging rebuild. Every
published mart equals the DuckDB build of the same two nights, row for row (doubles within 1e-9); the
landing zone is read in place; a failed audit publishes nothing. Few builds, as a Spark session costs
tens of seconds to start and a build minutes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pyhive import hive

from expectations.redaction import ERASED
from sandbox.generator import World
from sandbox.server import SandboxServer
from tests.forgotten_people import addresses_of, chosen_people, files_naming, traces
from tests.pipeline_home import point_pipeline_at
from tests.spark_thrift_server import SparkThriftServer
from tests.warehouses import assert_same_marts, mart_frames, sorted_rows, spark_mart_frames
from touchpoints.airflow_env import run_day
from touchpoints.audit import VALIDATION_RESULTS
from touchpoints.config import Paths
from touchpoints.dbt_runner import run_dbt
from touchpoints.forget import forget
from touchpoints.presentation.kpi_report import report_data
from touchpoints.warehouse.duckdb import DuckDBSql
from touchpoints.warehouse.spark import (
    KEPT_COPIES,
    PUBLISHED_COPY,
    SparkSql,
    SparkWarehouse,
    published_copies,
)

pytestmark = pytest.mark.e2e
FIRST_NIGHT = date(2026, 11, 1)
SECOND_NIGHT = date(2026, 11, 2)


@dataclass(frozen=True)
class ServerNights:
    """A home whose two nights ran on a Spark Thrift server, and what its runs and an analyst saw."""

    paths: Paths
    outputs: list[str]  # each run's stdout and stderr
    counts_through_thrift: dict[str, int]  # each view of marts, as an analyst's SQL tool counts it


@pytest.fixture(scope="module")
def server_nights(
    nightly_dag, sandbox: SandboxServer, events_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerNights]:
    """The production shape: ``touchpoints run`` for 2026-11-01, then for 2026-11-02 (which builds
    incrementally), each in a process of its own with the settings docs/spark.md gives, on a Thrift
    server started from pyspark's own jars over the home's Spark warehouse. dbt builds through Thrift;
    the audit and publish go through the same server's Spark Connect."""
    patch = pytest.MonkeyPatch()
    try:
        root = tmp_path_factory.mktemp("spark")
        point_pipeline_at(patch, root / "home", sandbox, events_dir)
        patch.setenv("TOUCHPOINTS_DBT_TARGET", "spark")
        paths = Paths.from_env()
        outputs = []
        with SparkThriftServer(root / "thrift", paths.spark_warehouse) as server:
            settings = {
                **os.environ,
                "TOUCHPOINTS_SPARK_METHOD": "thrift",
                "TOUCHPOINTS_SPARK_PORT": str(server.port),
                "TOUCHPOINTS_SPARK_REMOTE": server.remote,
            }
            touchpoints = str(Path(sys.executable).parent / "touchpoints")
            for night in (FIRST_NIGHT, SECOND_NIGHT):
                command = [touchpoints, "run", "--start", f"{night}", "--end", f"{night}"]
                done = subprocess.run(command, env=settings, capture_output=True, text=True)
                assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
                outputs.append(done.stdout + done.stderr)
            cursor = hive.connect(host="127.0.0.1", port=server.port, username="analyst").cursor()
            cursor.execute("show views in marts")
            counts = {}
            for view in sorted(row[1] for row in cursor.fetchall()):
                cursor.execute(f"select count(*) from marts.{view}")
                counts[view] = cursor.fetchall()[0][0]
        yield ServerNights(paths, outputs, counts)
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def spark_home(server_nights: ServerNights) -> Paths:
    """The home of ``server_nights``, which the tests go on with in this process's own Spark session
    (``method: session``) on the same warehouse, now that the server is stopped."""
    return server_nights.paths


def view_copy(sql: SparkSql, mart: str) -> str:
    """The published copy a view of ``marts`` reads."""
    text = sql.rows(f"show create table marts.{mart}")[0][0]
    return next(copy for copy in published_copies(sql.session) if f"{copy}." in text)


def published_views(paths: Paths) -> dict[str, str]:
    """Each view of ``marts`` and the copy it reads."""
    with SparkWarehouse(paths).open(build=False) as published:
        assert isinstance(published, SparkSql)
        return {mart: view_copy(published, mart) for mart in published.tables("marts")}


def test_every_mart_published_on_spark_equals_the_duckdb_build(spark_home: Paths, two_nights: Path) -> None:
    views = published_views(spark_home)
    copies = set(views.values())
    assert len(copies) == 1  # every view reads the one copy of the audited build
    published = spark_mart_frames(spark_home.spark_warehouse / f"{copies.pop()}.db")
    duckdb_marts = mart_frames(two_nights)
    assert len(duckdb_marts) >= 19 and set(views) == set(duckdb_marts)
    assert_same_marts(published, duckdb_marts, rtol=1e-9)
    with SparkWarehouse(spark_home).open(build=False) as sql:
        assert sql is not None
        for mart, frame in duckdb_marts.items():  # and each view reads all of its copy
            assert sql.rows(f"select count(*) from marts.{mart}") == [(len(frame),)]


def test_the_pipeline_ran_on_the_thrift_server_with_nothing_but_settings(
    server_nights: ServerNights, two_nights: Path
) -> None:
    """Both nights ran on the server: no Spark started in the pipeline's processes, the docs name the
    server, and what an analyst counted through its Thrift port is the DuckDB build."""
    assert all("Using Spark's default log4j profile" not in output for output in server_nights.outputs)
    report = (server_nights.paths.docs / "report" / "index.html").read_text()
    assert "the Spark server at sc://127.0.0.1:" in report
    duckdb_marts = mart_frames(two_nights)
    assert server_nights.counts_through_thrift == {mart: len(frame) for mart, frame in duckdb_marts.items()}


def test_the_kpi_report_reads_the_same_numbers_from_spark(spark_home: Paths, two_nights: Path) -> None:
    """The docs task wrote the KPI report from the Spark marts; its data is the DuckDB report's."""
    assert (spark_home.docs / "report" / "index.html").exists()
    with (
        SparkWarehouse(spark_home).open(build=False) as spark,
        duckdb.connect(str(two_nights), read_only=True) as db,
    ):
        assert spark is not None
        on_spark, on_duckdb = report_data(spark), report_data(DuckDBSql(db))
    assert on_spark["as_of"] == on_duckdb["as_of"] == "2026-11-02"
    assert on_spark["segments"] == on_duckdb["segments"]
    assert {cut: len(rows) for cut, rows in on_spark["headlines"].items()} == {
        cut: len(rows) for cut, rows in on_duckdb["headlines"].items()
    }
    for name in ("daily", "paths", "attribution"):  # the same columns, rows and dates
        assert on_spark[name].keys() == on_duckdb[name].keys()
        first = next(iter(on_duckdb[name]))
        assert sorted(on_spark[name][first]) == sorted(on_duckdb[name][first]) != []


def test_the_run_audit_records_every_suite_on_spark(spark_home: Paths) -> None:
    with SparkWarehouse(spark_home).open(build=True) as sql:
        assert sql is not None
        results = sql.rows(
            "select stage, count(*), count_if(success), sum(rows_validated) from audit.validation_results"
            " where ds = date '2026-11-02' group by stage order by stage"
        )
        loads = sql.rows("select count(*), count_if(validated) from audit.load_runs")
    assert [stage for stage, *_ in results] == ["landed", "marts"]
    assert all(total == passed > 0 for _, total, passed, _ in results)  # GX's Spark engine passed them
    assert all(rows > 0 for *_, rows in results)
    assert loads[0][0] == loads[0][1] > 0


def test_spark_reads_the_landing_zone_in_place(spark_home: Paths) -> None:
    """Nothing is copied out of the landing zone: the staged tables come from its partitions, the only
    schemas Spark wrote are the build's layers, the audit and the published views and copies (no landing
    copies, as PostgreSQL makes), and the only thing written outside the landing zone for it is the index
    of its manifests."""
    staged = spark_mart_frames(spark_home.spark_warehouse / "build_staging.db")
    partitions = staged["stg_landing__partitions"]
    landed = sorted(spark_home.landing.glob("*/*/ds=*/_manifest.json"))
    assert len(partitions) == len(landed)
    assert set(partitions["entity"]) >= {"orders", "events", "tickets", "campaigns"}
    assert not (spark_home.landing / "landing_index").exists()
    schemas = {folder.name.removesuffix(".db") for folder in spark_home.spark_warehouse.glob("*.db")}
    copies = {schema for schema in schemas if schema.startswith(PUBLISHED_COPY)}
    assert len(copies) == KEPT_COPIES  # each night published one: the one analysts read, the one before
    assert schemas - copies == {"build_staging", "build_intermediate", "build_marts", "marts", "audit"}


def test_the_second_night_staged_only_what_changed(spark_home: Paths) -> None:
    """Each staging table is partitioned by the day its keys first landed. The second night wrote its
    new keys into a partition of their own, and the new versions of older keys into those keys' first
    partition, next to the rows it kept: each kept row still carries the first build's time."""
    staged = spark_mart_frames(spark_home.spark_warehouse / "build_staging.db")
    first_build, second_build = sorted(staged["stg_landing__partitions"]["_batch_at"].unique())
    first_night, second_night = "2026-11-01", str(SECOND_NIGHT)

    def builds(name: str, first_landed: str) -> set:
        frame = staged[name]
        return set(frame.loc[frame["_first_landed_ds"].astype(str) == first_landed, "_batch_at"])

    for name, frame in staged.items():
        if "_first_landed_ds" in frame:
            assert set(frame["_first_landed_ds"].astype(str)) <= {first_night, second_night}, name
            assert builds(name, second_night) <= {second_build}, name
    # events never change: the first night's partition is as the first build wrote it
    assert builds("stg_web__events", first_night) == {first_build}
    assert builds("stg_web__events", second_night) == {second_build}
    # orders and members change: their first partition was overwritten with kept and replaced rows
    assert builds("stg_shopify__orders", first_night) == {first_build, second_build}
    assert builds("stg_mailchimp__members", first_night) == {first_build, second_build}


def test_a_publish_switches_every_view_while_readers_query(spark_home: Paths) -> None:
    """A reader querying the published marts all through two publishes sees whole marts only; each
    publish leaves the copy before it for the queries that began on it, and drops the one before that."""
    warehouse = SparkWarehouse(spark_home)
    before = published_views(spark_home)
    stop, seen, errors = threading.Event(), set(), []

    def read() -> None:
        with warehouse.open(build=False) as sql:
            assert sql is not None
            while not stop.is_set():
                try:
                    seen.add(sql.rows("select count(*) from marts.fct_touchpoints")[0][0])
                except Exception as exc:  # noqa: BLE001 - what the reader saw is the result
                    errors.append(str(exc).splitlines()[0])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        warehouse.publish()
        middle = published_views(spark_home)
        warehouse.publish()
    finally:
        stop.set()
        reader.join(timeout=120)
    after = published_views(spark_home)
    assert errors == [] and len(seen) == 1
    assert len(set(middle.values())) == len(set(after.values())) == 1
    assert set(after.values()) != set(middle.values()) != set(before.values())
    assert published_copies(warehouse.session) == sorted({*middle.values(), *after.values()})


def test_forget_erases_them_from_every_spark_table_and_publishes_without_them(
    spark_home: Paths, world: World
) -> None:
    """``touchpoints forget`` on Spark, after a failed check quoted one of them in the run audit: no file
    of the home names them any more (landing zone, build tables, published copies, run audit, GX,
    logs), the marts are published again from a complete build, and the quoting result is kept with
    ``[erased]`` in its place."""
    people = chosen_people(world)
    addresses = addresses_of(people)
    needles = set().union(*(traces(world, person) for person in people))
    warehouse = SparkWarehouse(spark_home)
    quoting = (
        "quoting", SECOND_NIGHT, "marts", "cross.orders_reach_the_marts", False, 1, 1,
        f"1 row missing, e.g. {addresses[0]}", 0.1, datetime(2026, 11, 3, 3),
    )  # fmt: skip
    warehouse.replace_audit_rows(VALIDATION_RESULTS, {"run_id": "quoting"}, [quoting])
    before = files_naming([spark_home.home], needles)
    assert any(f"{spark_home.spark_warehouse}/published_" in trace for trace in before)
    assert any(f"{spark_home.spark_warehouse}/build_marts.db" in trace for trace in before)
    assert any(f"{spark_home.spark_warehouse}/audit.db" in trace for trace in before)

    forgotten = forget(spark_home, addresses)

    assert forgotten.known == len(people) and forgotten.rebuilt and forgotten.values_redacted >= 1
    assert files_naming([spark_home.home], needles) == []
    views = published_views(spark_home)
    assert len(set(views.values())) == 1 and published_copies(warehouse.session) == list(set(views.values()))
    with warehouse.open(build=True) as sql:
        assert sql is not None
        assert sql.rows("select failures from audit.validation_results where run_id = 'quoting'") == [
            (ERASED,)
        ]


def test_a_day_without_touchpoints_fails_the_audit_and_publishes_nothing(
    spark_home: Paths, nightly_dag, capfd: pytest.CaptureFixture[str]
) -> None:
    """The DuckDB path's failure (tests/e2e/test_write_audit_publish.py), on Spark: a silent vendor
    outage fails the audit, the run fails, and analysts keep reading the marts published before."""
    published = published_views(spark_home)
    capfd.readouterr()
    assert run_day(nightly_dag, date(2026, 11, 3)) == "failed"
    log = capfd.readouterr()
    assert "cross.fresh_for_every_day: FAILED" in log.out + log.err
    assert published_views(spark_home) == published
    with SparkWarehouse(spark_home).open(build=True) as sql:
        assert sql is not None
        recorded = sql.rows(
            "select success from audit.validation_results where ds = date '2026-11-03'"
            " and suite = 'cross.fresh_for_every_day'"
        )
    assert recorded == [(False,)]


def test_a_partition_landed_again_with_fewer_records_rebuilds_staging_without_them(spark_home: Paths) -> None:
    """A re-landed partition may have lost records, which no new row announces: the next build empties
    each staging table and stages every partition again, so the partition of the second night's events,
    landed again without them, is gone, and every other row is as it was."""
    staging = spark_home.spark_warehouse / "build_staging.db"
    before = spark_mart_frames(staging)
    events = spark_home.landing / "web" / "events" / f"ds={SECOND_NIGHT}"
    for file in events.glob("*.parquet"):
        pq.write_table(pq.read_table(file).slice(0, 0), file)
    manifest = json.loads((events / "_manifest.json").read_text())
    (events / "_manifest.json").write_text(json.dumps({**manifest, "rows": 0}))
    SparkWarehouse(spark_home).load_landing()
    run_dbt(spark_home, "run", "--select", "path:models/landing", "path:models/staging")
    after = spark_mart_frames(staging)
    kept = before["stg_web__events"]["_first_landed_ds"].astype(str) != str(SECOND_NIGHT)
    assert 0 < kept.sum() < len(before["stg_web__events"])
    expected = {**before, "stg_web__events": before["stg_web__events"][kept]}
    for name, frame in after.items():
        if name != "stg_landing__partitions" and not frame.empty:
            assert (
                frame["_batch_at"].nunique() == 1
                and frame["_batch_at"].iloc[0] > before[name]["_batch_at"].max()
            )
    assert set(after) == set(expected)
    for name in set(after) - {"stg_landing__partitions"}:
        pd.testing.assert_frame_equal(_without_batch(after[name]), _without_batch(expected[name]), obj=name)


def _without_batch(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows without the time of the build that wrote them, sorted by every other column, as Python
    values (a column left with nulls only reads back as objects rather than strings)."""
    rest = frame.drop(columns="_batch_at", errors="ignore")
    if len(rest.columns):
        rest = sorted_rows(rest)
    return rest.astype(object).where(rest.notna(), None)
