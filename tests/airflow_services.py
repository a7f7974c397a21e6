"""Airflow as services on this machine: api-server, scheduler and dag-processor with the LocalExecutor,
on a PostgreSQL metadata database of their own that is created on entry and dropped on exit. The
scheduler end-to-end test and the scheduler benchmark run the nightly DAG this way, as production does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2.extensions import parse_dsn
from sqlalchemy.engine import URL

from touchpoints.airflow_env import DAG_ID, POOL_ARGS
from touchpoints.config import DAGS_DIR
from touchpoints.warehouse.postgres import dsn

AIRFLOW = [sys.executable, "-m", "airflow"]
SERVICES = ("api-server", "scheduler", "dag-processor")
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


class AirflowServices:
    """The services under ``folder`` (Airflow home, service logs); ``settings`` override Airflow's
    defaults (``AIRFLOW__SECTION__KEY``), ``extra_env`` is what the tasks need (TOUCHPOINTS_*, vendor
    connections)."""

    def __init__(self, folder: Path, port: int, extra_env: dict[str, str], settings: dict[str, str]) -> None:
        self.database = f"touchpoints_airflow_{os.getpid()}"
        self.env = {
            **os.environ,
            **extra_env,
            "AIRFLOW_HOME": str(folder / "airflow"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _sqlalchemy_url(self.database),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            **settings,
        }
        self.logs = folder / "logs"
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> AirflowServices:
        _admin(f"drop database if exists {self.database}")
        _admin(f"create database {self.database}")
        self.cli("db", "migrate")
        self.cli("pools", "set", *POOL_ARGS)
        self.logs.mkdir(parents=True, exist_ok=True)
        for service in SERVICES:
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
        _admin(f"drop database if exists {self.database} with (force)")

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
