"""Airflow as services on this machine: api-server, scheduler and dag-processor with the LocalExecutor,
on a PostgreSQL metadata database of their own that is created on entry and dropped on exit; or with the
CeleryExecutor and ``airflow celery worker`` processes on a Redis of their own, as docker-compose.yml
runs them. The scheduler end-to-end tests and the scheduler benchmark run the nightly DAG this way, on a
sandbox world of a few days (``sandbox_days``), as production does.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
from psycopg2.extensions import parse_dsn
from sqlalchemy.engine import URL

from sandbox.connections import sandbox_environment
from sandbox.event_files import write_event_files
from sandbox.generator import SandboxConfig, World, generate
from sandbox.server import SandboxServer
from tests.redis_server import RedisServer
from touchpoints.airflow_env import DAG_ID, POOL_ARGS
from touchpoints.config import DAGS_DIR, REPO_ROOT
from touchpoints.warehouse.duckdb import list_marts
from touchpoints.warehouse.postgres import dsn

AIRFLOW = [sys.executable, "-m", "airflow"]
SERVICES = ("api-server", "scheduler", "dag-processor")
WORKER_CONCURRENCY = "2"
READY_SECONDS = 90
# their "ready." and each task they receive
WORKER_LOGGING = {"AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO", "AIRFLOW__LOGGING__CELERY_LOGGING_LEVEL": "INFO"}
# quick polling, so the tests do not sit waiting for the services' default intervals
QUICK_SERVICES = {
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
}
RunRow = tuple[str, str, str]


def _admin(statement: str) -> None:
    connection = psycopg2.connect(dsn("postgres"))
    connection.autocommit = True  # CREATE and DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def _sqlalchemy_url(database: str) -> str:
    """The metadata database's SQLAlchemy URL, from the same settings as the warehouse's ``dsn``."""
    settings = parse_dsn(dsn(database))
    return URL.create(
        "postgresql+psycopg2",
        username=settings.get("user"),
        password=settings.get("password"),
        host=settings.get("host"),
        port=int(settings["port"]) if "port" in settings else None,
        database=settings["dbname"],
    ).render_as_string(hide_password=False)


def _short(worker: str) -> str:
    """A Celery hostname's name part: ``worker-a`` of ``worker-a@%h``."""
    return worker.split("@")[0]


def celery_settings(broker_url: str, metadata_url: str) -> dict[str, str]:
    """What the CeleryExecutor needs beyond the LocalExecutor's settings; docker-compose.yml sets the same
    keys (a unit test checks it). Results go to the metadata database, with the worker that ran each task;
    every component signs and checks the task tokens with one secret."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_url}",
        "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": json.dumps({"result_extended": True}),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
    }


class AirflowServices:
    """The services under ``folder`` (Airflow home, service logs); ``settings`` override Airflow's
    defaults (``AIRFLOW__SECTION__KEY``), ``extra_env`` is what the tasks need (TOUCHPOINTS_*, vendor
    connections). With ``celery_workers`` (Celery hostnames, ``worker-a@%h``) the CeleryExecutor runs the
    tasks on that many ``airflow celery worker`` processes, each of ``WORKER_CONCURRENCY``."""

    def __init__(
        self,
        folder: Path,
        port: int,
        extra_env: dict[str, str],
        settings: dict[str, str],
        celery_workers: Sequence[str] = (),
    ) -> None:
        self.database = f"touchpoints_airflow_{os.getpid()}"
        self.workers = tuple(celery_workers)
        self.redis = RedisServer(folder / "redis") if self.workers else None
        metadata_url = _sqlalchemy_url(self.database)
        celery = celery_settings(self.redis.url, metadata_url) if self.redis else {}
        self.env = {
            **os.environ,
            **extra_env,
            "AIRFLOW_HOME": str(folder / "airflow"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            **celery,
            **settings,
        }
        self.logs = folder / "logs"
        self.processes: list[subprocess.Popen] = []
        self.stack = ExitStack()

    def __enter__(self) -> AirflowServices:
        try:
            self._start_all()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start_all(self) -> None:
        if self.redis:
            self.stack.enter_context(self.redis)
        _admin(f"drop database if exists {self.database}")
        _admin(f"create database {self.database}")
        self.cli("db", "migrate")
        self.cli("pools", "set", *POOL_ARGS)
        self.logs.mkdir(parents=True, exist_ok=True)
        for service in SERVICES:
            self._start(service, [service])
        for worker in self.workers:
            self._start(_short(worker), self._worker_args(worker), WORKER_LOGGING)
        self._wait_for_workers()

    def _worker_args(self, worker: str) -> list[str]:
        """``airflow celery worker`` as ``worker``; its own pid file, and no log server (one port each)."""
        pid = str(self.logs / f"{_short(worker)}.pid")
        return ["celery", "worker", "--celery-hostname", worker, "--concurrency", WORKER_CONCURRENCY,
                "--skip-serve-logs", "--pid", pid]  # fmt: skip

    def _start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.logs / f"{name}.log").open("w")
        self.processes.append(
            subprocess.Popen(
                [*AIRFLOW, *args],
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def _wait_for_workers(self) -> None:
        """Until every Celery worker says it is ready, so that each takes its share of the first run."""
        deadline = time.monotonic() + READY_SECONDS
        waiting = [self.logs / f"{_short(worker)}.log" for worker in self.workers]
        while waiting := [log for log in waiting if " ready." not in log.read_text()]:
            exited = [process.args for process in self.processes if process.poll() is not None]
            if exited or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Celery workers not ready: {[log.name for log in waiting]}; exited: {exited}"
                )
            time.sleep(0.5)

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        _admin(f"drop database if exists {self.database} with (force)")
        self.stack.close()

    def cli(self, *args: str) -> str:
        """An ``airflow`` CLI command against these services; its stdout."""
        return subprocess.run(
            [*AIRFLOW, *args], env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def query(self, statement: str, parameters: tuple = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on the metadata database."""
        with psycopg2.connect(dsn(self.database)) as connection, connection.cursor() as cursor:
            cursor.execute(statement, parameters)
            return cursor.fetchall()

    def trigger(self, conf: dict[str, Any]) -> None:
        """A manual run of the nightly DAG with ``conf``, once the dag-processor has parsed the DAG."""
        deadline = time.monotonic() + READY_SECONDS
        while not self.query("select 1 from serialized_dag where dag_id = %s", (DAG_ID,)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the DAG was never parsed; logs in {self.logs}")
            time.sleep(0.5)
        self.cli("dags", "trigger", DAG_ID, "--conf", json.dumps(conf))

    def runs(self) -> list[RunRow]:
        """(run_type, logical day, state) of every run of the nightly DAG."""
        rows = self.query(
            "select run_type, logical_date::date::text, state from dag_run where dag_id = %s", (DAG_ID,)
        )
        return sorted(rows)

    def wait_for(self, done: Callable[[list[RunRow]], bool], what: str, timeout_seconds: float) -> None:
        """Poll the nightly DAG's runs until ``done`` holds; raise if one fails or time runs out."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            runs = self.runs()
            if any(state == "failed" for _, _, state in runs):
                raise RuntimeError(f"a run failed while waiting for {what}: {runs}; logs in {self.logs}")
            if done(runs):
                return
            time.sleep(1)
        raise RuntimeError(f"timed out waiting for {what}: {self.runs()}; logs in {self.logs}")


@dataclass(frozen=True)
class SandboxDays:
    """A sandbox world of the last two whole days, served while in use; what the tasks need to reach it."""

    world: World
    days: list[str]
    env: dict[str, str]
    warehouse: Path


@contextmanager
def sandbox_days(folder: Path, start_date: date | None = None) -> Iterator[SandboxDays]:
    """60 customers over the last two days; the scheduler's catchup begins on ``start_date`` (the first of
    the days unless given; today schedules nothing)."""
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    world = generate(SandboxConfig(seed=5, customers=60, start=days[0], end=today))
    write_event_files(world, folder / "events")
    sandbox = SandboxServer(world)
    sandbox.start_in_thread()
    home = folder / "home"
    env = {
        **sandbox_environment(sandbox.url, folder / "events"),
        "TOUCHPOINTS_HOME": str(home),
        "TOUCHPOINTS_DUCKDB_PATH": str(home / "warehouse" / "touchpoints.duckdb"),
        "TOUCHPOINTS_START_DATE": (start_date or days[0]).isoformat(),
        "PYTHONPATH": str(REPO_ROOT),
    }
    try:
        yield SandboxDays(
            world, [d.isoformat() for d in days], env, home / "warehouse" / "touchpoints.duckdb"
        )
    finally:
        sandbox.shutdown()


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
