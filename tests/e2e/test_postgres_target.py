"""The nightly DAG on the ``postgres`` dbt target: same landing, same marts as on DuckDB, published by
an atomic schema swap."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2
import pytest

from expectations.mart_suites import GRAINS
from tests.pipeline_home import point_pipeline_at
from touchpoints.airflow_env import run_day
from touchpoints.config import Paths
from touchpoints.warehouse.duckdb import connect_read_only, list_marts
from touchpoints.warehouse.postgres import dsn

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


def test_the_nightly_dag_on_postgres_builds_the_same_marts_as_on_duckdb(
    nightly_dag, two_nights: Path, postgres_home: Paths
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
    assert audit["loads"].tolist() == [15, 15] and audit["ok"].all()
    stages = postgres_frame("select distinct stage from audit.validation_results order by stage")
    assert stages["stage"].tolist() == ["landed", "marts"]
    manifests = postgres_frame("select count(*) as partitions from landing.manifests")
    assert manifests["partitions"][0] == 30  # 15 entities x 2 days, each loaded once
