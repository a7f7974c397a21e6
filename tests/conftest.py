"""Shared fixtures: one sandbox world and server per session, isolated pipeline homes per test.

Airflow reads its settings once per process, so this file points it at a private home before anything
imports Airflow.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="touchpoints-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"

from sandbox.event_files import write_event_files  # noqa: E402
from sandbox.generator import SandboxConfig, World, generate  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from sandbox.throttling import UNLIMITED  # noqa: E402
from tests.pipeline_home import point_pipeline_at  # noqa: E402

# The files that take minutes each, longest first (their durations: .ci/run's --durations report). They
# are run first, so that pytest-xdist's two workers (make test: --dist loadfile, files in collection
# order) end together instead of one running the longest file alone at the end.
LONGEST_FIRST = (
    "tests/e2e/test_spark_target.py",
    "tests/soak/",
    "tests/e2e/test_scheduler_postgres.py",
    "tests/e2e/test_forget.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the tests of the longest files to the front, in that order; the rest keep theirs."""

    def rank(item: pytest.Item) -> int:
        return next((i for i, p in enumerate(LONGEST_FIRST) if item.nodeid.startswith(p)), len(LONGEST_FIRST))

    items.sort(key=rank)


TEST_CONFIG = SandboxConfig(seed=11, customers=120, start=date(2026, 11, 1), end=date(2026, 11, 3))


@pytest.fixture(scope="session")
def world() -> World:
    return generate(TEST_CONFIG)


@pytest.fixture(scope="session")
def sandbox(world: World) -> Iterator[SandboxServer]:
    server = SandboxServer(world, limits=UNLIMITED)  # shared by many tests: each throttling test has its own
    server.start_in_thread()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def events_dir(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web_events")
    write_event_files(world, folder)
    return folder


@pytest.fixture
def pipeline_env(
    sandbox: SandboxServer, events_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh TOUCHPOINTS_HOME whose connections point at the sandbox; returns the home."""
    home = tmp_path / "home"
    point_pipeline_at(monkeypatch, home, sandbox, events_dir)
    return home


@pytest.fixture(scope="session")
def nightly_dag():
    """The parsed DAG, with the session's Airflow metadata database migrated."""
    from touchpoints.airflow_env import load_dag, migrate_metadata_db

    migrate_metadata_db()
    return load_dag()


@pytest.fixture(scope="session")
def two_nights(nightly_dag, sandbox, events_dir, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nightly DAG run for 2026-11-01 and 2026-11-02 against the sandbox, once per session; returns
    the published warehouse (TOUCHPOINTS_HOME stays set to the run's home while tests use it)."""
    from _pytest.monkeypatch import MonkeyPatch

    from touchpoints.airflow_env import run_day

    patch = MonkeyPatch()
    paths = point_pipeline_at(patch, tmp_path_factory.mktemp("e2e-home"), sandbox, events_dir)
    try:
        assert run_day(nightly_dag, date(2026, 11, 1)) == "success"
        assert run_day(nightly_dag, date(2026, 11, 2)) == "success"
        yield paths.warehouse
    finally:
        patch.undo()


@pytest.fixture(scope="session")
def company_without_them(nightly_dag, world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The nightly DAG run for the two nights of ``two_nights`` against vendors that never had the people
    the erasure tests forget (tests/forgotten_people.py); returns its published warehouse."""
    from _pytest.monkeypatch import MonkeyPatch

    from tests.forgotten_people import chosen_people, without_them
    from touchpoints.airflow_env import run_day

    erased = without_them(world, chosen_people(world))
    server = SandboxServer(erased, limits=UNLIMITED)
    server.start_in_thread()
    root = tmp_path_factory.mktemp("company-without-them")
    write_event_files(erased, root / "events")
    patch = MonkeyPatch()
    try:
        paths = point_pipeline_at(patch, root / "home", server, root / "events")
        assert run_day(nightly_dag, date(2026, 11, 1)) == "success"
        assert run_day(nightly_dag, date(2026, 11, 2)) == "success"
    finally:
        patch.undo()  # the settings of the tests that asked for it (two_nights's) come back
        server.shutdown()
    return paths.warehouse
