"""The DAG under a real Airflow: api-server, scheduler and dag-processor on PostgreSQL metadata with the
LocalExecutor. Catchup schedules the last two days, a backfill re-processes them, and clearing a task in
the middle of a run re-runs it; the marts come out identical each time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import psycopg2
import pytest

from sandbox.connections import sandbox_environment
from sandbox.event_files import write_event_files
from sandbox.generator import SandboxConfig, generate
from sandbox.server import SandboxServer
from tests.receivers import free_port
from touchpoints.airflow_env import POOL_ARGS
from touchpoints.config import DAGS_DIR, REPO_ROOT
from touchpoints.warehouse import list_marts

pytestmark = pytest.mark.e2e

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
AIRFLOW = [sys.executable, "-m", "airflow"]
WAIT_SECONDS = 420


def admin(sql: str) -> None:
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True  # CREATE and DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


class Airflow:
    """A metadata database and the Airflow services, all stopped and dropped on exit."""

    def __init__(self, tmp: Path, extra_env: dict[str, str]) -> None:
        self.database = f"touchpoints_airflow_test_{os.getpid()}"
        port = free_port()
        self.env = {
            **os.environ,
            **extra_env,
            "AIRFLOW_HOME": str(tmp / "airflow"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{self.database}",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        }
        self.logs = tmp / "logs"
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Airflow:
        admin(f"drop database if exists {self.database}")
        admin(f"create database {self.database}")
        self.cli("db", "migrate")
        self.cli("pools", "set", *POOL_ARGS)
        self.logs.mkdir(parents=True, exist_ok=True)
        for service in ("api-server", "scheduler", "dag-processor"):
            log = (self.logs / f"{service}.log").open("w")
            self.processes.append(
                subprocess.Popen(
                    [*AIRFLOW, service],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        return self

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        admin(f"drop database if exists {self.database} with (force)")

    def cli(self, *args: str) -> str:
        return subprocess.run(
            [*AIRFLOW, *args], env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def runs(self) -> list[tuple[str, str, str]]:
        """(run_type, logical day, state) of every run of the DAG, from the metadata database."""
        with psycopg2.connect(dbname=self.database, **PG) as connection, connection.cursor() as cursor:
            cursor.execute(
                "select run_type, logical_date::date::text, state from dag_run where dag_id = 'touchpoints_nightly'"
            )
            return sorted(cursor.fetchall())

    def wait_for(self, done, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            runs = self.runs()
            if any(state == "failed" for _, _, state in runs):
                raise AssertionError(f"a run failed while waiting for {what}: {runs}; logs in {self.logs}")
            if done(runs):
                return
            time.sleep(3)
        raise AssertionError(f"timed out waiting for {what}: {self.runs()}; logs in {self.logs}")


def fingerprint(warehouse: Path) -> tuple:
    """Row counts of every mart and a hash of the touchpoints' keys, customers and stages."""
    with duckdb.connect(str(warehouse), read_only=True) as db:
        counts = tuple(
            (m, db.execute(f"select count(*) from marts.{m}").fetchall()[0][0]) for m in list_marts(db)
        )
        digest = db.sql(
            "select sum(hash(touchpoint_id, customer_id, journey_stage)) from marts.fct_touchpoints"
        )
        return counts, digest.fetchall()[0][0]


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[tuple[Airflow, list[str], Path]]:
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    world = generate(SandboxConfig(seed=5, customers=60, start=days[0], end=today))
    write_event_files(world, tmp_path / "events")
    sandbox = SandboxServer(world)
    sandbox.start_in_thread()
    home = tmp_path / "home"
    env = {
        **sandbox_environment(sandbox.url, tmp_path / "events"),
        "TOUCHPOINTS_HOME": str(home),
        "TOUCHPOINTS_DUCKDB_PATH": str(home / "warehouse" / "touchpoints.duckdb"),
        "TOUCHPOINTS_START_DATE": days[0].isoformat(),
        "PYTHONPATH": str(REPO_ROOT),
    }
    try:
        with Airflow(tmp_path, env) as running:
            yield running, [d.isoformat() for d in days], home / "warehouse" / "touchpoints.duckdb"
    finally:
        sandbox.shutdown()


def test_scheduler_catchup_backfill_and_cleared_task(airflow: tuple[Airflow, list[str], Path]) -> None:
    running, days, warehouse = airflow
    running.wait_for(
        lambda runs: (
            [(t, d, s) for t, d, s in runs if t == "scheduled"]
            == [("scheduled", day, "success") for day in days]
        ),
        "the catchup runs of the last two days",
    )
    nightly = fingerprint(warehouse)
    assert nightly[0] and dict(nightly[0])["fct_touchpoints"] > 0

    running.cli("backfill", "create", "--dag-id", "touchpoints_nightly", "--from-date", days[0], "--to-date", days[1],
                "--reprocess-behavior", "completed")  # fmt: skip
    running.wait_for(
        lambda runs: [(d, s) for t, d, s in runs if t == "backfill"] == [(day, "success") for day in days],
        "the backfill of both days",
    )
    assert fingerprint(warehouse) == nightly

    running.cli("tasks", "clear", "touchpoints_nightly", "--task-regex", "^dbt_build$", "--downstream",
                "--start-date", days[1], "--end-date", days[1], "--yes")  # fmt: skip
    time.sleep(5)
    running.wait_for(
        lambda runs: all(state == "success" for _, _, state in runs), "the cleared tasks to run again"
    )
    assert fingerprint(warehouse) == nightly
