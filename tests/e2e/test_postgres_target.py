"""The nightly DAG on the ``postgres`` dbt target: same landing, same marts as on DuckDB, published by
an atomic schema swap that grants the analysts' role the marts and nothing else; ``touchpoints forget``
there leaves no row naming the people and the marts of vendors that never had them."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg2
import psycopg2.errors
import pytest
from rich.console import Console

from expectations.mart_suites import GRAINS
from sandbox.generator import World
from tests.forgotten_people import addresses_of, chosen_people, traces
from tests.pipeline_home import point_pipeline_at
from touchpoints.airflow_env import run_day
from touchpoints.config import Paths
from touchpoints.forget import forget
from touchpoints.presentation.report import QUERIES, print_summary
from touchpoints.warehouse.duckdb import connect_read_only, list_marts
from touchpoints.warehouse.postgres import analyst_role, dsn

pytestmark = pytest.mark.e2e


@pytest.fixture
def postgres_home(sandbox, events_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    """A fresh home whose warehouse is a new PostgreSQL database (dropped afterwards)."""
    database = f"touchpoints_test_{uuid.uuid4().hex[:8]}"
    paths = point_pipeline_at(monkeypatch, tmp_path / "home", sandbox, events_dir)
    monkeypatch.setenv("TOUCHPOINTS_DBT_TARGET", "postgres")
    monkeypatch.setenv("TOUCHPOINTS_PG_DATABASE", database)
    yield Paths.from_env()
    server = psycopg2.connect(dsn("postgres"))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'drop database if exists "{database}" with (force)')
    server.close()
    assert not paths.warehouse.exists(), "the postgres target must not write a DuckDB warehouse"


def postgres_frame(query: str) -> pd.DataFrame:
    with psycopg2.connect(dsn()) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def comparable(frame: pd.DataFrame, reference: pd.DataFrame, grain: list[str]) -> pd.DataFrame:
    """``frame`` with the reference's column kinds, sorted by the mart's grain."""
    frame = frame.copy()
    for column in reference.columns:
        if pd.api.types.is_datetime64_any_dtype(reference[column]):
            frame[column] = pd.to_datetime(frame[column]).astype(reference[column].dtype)
        elif pd.api.types.is_numeric_dtype(reference[column]) and not pd.api.types.is_bool_dtype(
            reference[column]
        ):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.sort_values(grain, na_position="first").reset_index(drop=True)


def assert_same_mart(mart: str, duck: pd.DataFrame, pg: pd.DataFrame) -> None:
    assert list(pg.columns) == list(duck.columns), mart
    assert len(pg) == len(duck), mart
    grain = GRAINS[mart]
    duck, pg = comparable(duck, duck, grain), comparable(pg, duck, grain)
    for column in duck.columns:
        left, right = duck[column], pg[column]
        if pd.api.types.is_float_dtype(left):
            assert np.allclose(left.to_numpy(), right.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True), (
                mart,
                column,
            )
        else:
            assert left.tolist() == right.tolist(), (mart, column)


@contextmanager
def analyst() -> Iterator[Any]:
    """A login role that is a member of the analysts' role (as docs/configuration.md says to make one),
    connected in autocommit (every refused statement stands alone); dropped afterwards."""
    name = f"analyst_{uuid.uuid4().hex[:8]}"
    with psycopg2.connect(dsn()) as admin, admin.cursor() as cursor:
        cursor.execute(f'create role "{name}" login; grant "{analyst_role()}" to "{name}"')
    connection = psycopg2.connect(dsn(), user=name)
    connection.autocommit = True
    try:
        yield connection
    finally:
        connection.close()
        with psycopg2.connect(dsn()) as admin, admin.cursor() as cursor:
            cursor.execute(f'drop role "{name}"')


def refused(connection: Any, statement: str) -> bool:
    with connection.cursor() as cursor:
        try:
            cursor.execute(statement)
        except psycopg2.errors.InsufficientPrivilege:
            return True
    return False


def assert_analysts_read_the_marts_only(marts: list[str]) -> None:
    """Every mart answers a select; every other table (the build's, staging, intermediate, audit,
    landing) and every write into a mart are refused."""
    others = postgres_frame(
        "select table_schema || '.' || table_name as name from information_schema.tables"
        " where table_schema not in ('marts', 'pg_catalog', 'information_schema')"
    )["name"].tolist()
    assert {name.split(".")[0] for name in others} >= {
        "staging", "intermediate", "audit", "build_marts", "build_staging", "landing",
    }  # fmt: skip
    with analyst() as connection, connection.cursor() as cursor:
        for mart in marts:
            cursor.execute(f"select count(*) from marts.{mart}")
        assert [name for name in others if not refused(connection, f"select 1 from {name} limit 1")] == []
        assert refused(
            connection, "insert into marts.kpi_support_daily select * from marts.kpi_support_daily"
        )
        assert refused(connection, "update marts.dim_customers set country_code = null")
        assert refused(connection, "delete from marts.fct_touchpoints")
        assert refused(connection, "create table marts.mine (x int)")


def database_values() -> Iterator[tuple[str, str]]:
    """``(table, row as text)`` for every row of every table of the warehouse database."""
    tables = postgres_frame(
        "select table_schema || '.' || table_name as name from information_schema.tables"
        " where table_schema not in ('pg_catalog', 'information_schema')"
    )["name"].tolist()
    for table in tables:
        for row in postgres_frame(f"select t::text as row from {table} as t")["row"]:
            yield table, row


def test_the_nightly_dag_on_postgres_builds_the_same_marts_as_on_duckdb(
    nightly_dag, two_nights: Path, company_without_them: Path, world: World, postgres_home: Paths
) -> None:
    for day in (date(2026, 11, 1), date(2026, 11, 2)):
        assert run_day(nightly_dag, day) == "success"

    with connect_read_only(two_nights) as duck:
        marts = list_marts(duck)
        assert set(GRAINS) <= set(marts)
        for mart in marts:
            assert_same_mart(
                mart,
                duck.sql(f"select * from marts.{mart}").df(),
                postgres_frame(f"select * from marts.{mart}"),
            )

    audit = postgres_frame(
        "select ds, count(*) as loads, bool_and(validated) as ok from audit.load_runs group by ds order by ds"
    )
    assert audit["loads"].tolist() == [17, 17] and audit["ok"].all()
    stages = postgres_frame("select distinct stage from audit.validation_results order by stage")
    assert stages["stage"].tolist() == ["landed", "marts"]
    manifests = postgres_frame("select count(*) as partitions from landing.manifests")
    assert manifests["partitions"][0] == 34  # 17 entities x 2 days, each loaded once
    assert_analysts_read_the_marts_only(marts)  # as granted by the second night's swap
    summary = io.StringIO()
    print_summary(postgres_home, Console(file=summary, width=200))
    assert all(title in summary.getvalue() for title in QUERIES)

    people = chosen_people(world)
    needles = {trace.lower() for person in people for trace in traces(world, person) if len(trace) >= 8}
    assert any(needle in row.lower() for _, row in database_values() for needle in needles)
    assert forget(postgres_home, addresses_of(people)).known == len(people)
    named = {table for table, row in database_values() if any(needle in row.lower() for needle in needles)}
    assert named == set()  # landing copies, staging, intermediate, marts, audit: none names them
    with connect_read_only(company_without_them) as duck:
        for mart in marts:  # the marts equal those of vendors that never had them, built on DuckDB
            assert_same_mart(
                mart,
                duck.sql(f"select * from marts.{mart}").df(),
                postgres_frame(f"select * from marts.{mart}"),
            )
