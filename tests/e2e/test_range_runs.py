"""`touchpoints run` over a range is one DAG run: it lands every day whatever TOUCHPOINTS_START_DATE says,
builds, audits and publishes once, gives the marts of one nightly run per day, resumes after a kill -9
without fetching again what landed, and never reports success for a run in which a step did not run."""

from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.landing import DATA_FILE, MANIFEST_FILE
from connectors.registry import SOURCES
from sandbox.connections import sandbox_environment
from sandbox.faults import Fault
from sandbox.generator import World
from sandbox.server import SandboxServer
from sandbox.throttling import UNLIMITED
from tests.warehouses import assert_same_marts, mart_frames
from touchpoints import cli
from touchpoints.airflow_env import run_result
from touchpoints.config import REPO_ROOT, Paths

pytestmark = pytest.mark.e2e

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 2)
RANGE = ["run", "--start", FIRST.isoformat(), "--end", LAST.isoformat()]
PARTITIONS = sum(len(source.entities) for source in SOURCES.values()) * 2  # every entity, both days


def manifests(paths: Paths) -> dict[Path, str]:
    return {path: path.read_text() for path in sorted(paths.landing.glob(f"*/*/ds=*/{MANIFEST_FILE}"))}


def test_a_range_run_before_the_start_date_gives_the_marts_of_one_nightly_run_per_day(
    two_nights: Path, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nightly = mart_frames(two_nights)
    monkeypatch.setenv("TOUCHPOINTS_START_DATE", "2026-11-20")  # the scheduler's catchup starts later
    cli.main(RANGE)
    out = capsys.readouterr().out
    assert "touchpoints_nightly 2026-11-01..2026-11-02: success" in out
    paths = Paths.from_env()
    assert_same_marts(mart_frames(paths.warehouse), nightly)
    with duckdb.connect(str(paths.warehouse), read_only=True) as db:
        runs = db.sql(
            "select count(distinct run_id), count(distinct ds), count(*) from audit.load_runs"
        ).fetchall()
    assert runs == [(1, 2, 34)]  # one run landed 17 entities for each of the two days

    landed = manifests(paths)
    cli.main(RANGE)  # a finished range run again changes nothing
    out = capsys.readouterr().out
    assert "success" in out and manifests(paths) == landed
    assert_same_marts(mart_frames(paths.warehouse), nightly)


def test_a_dag_run_in_which_no_task_ran_is_not_a_success(nightly_dag, pipeline_env: Path) -> None:
    """Airflow creates no task instance for a logical date before the DAG's start date, and calls such a
    run successful; the run's result, which `touchpoints run` reports, does not."""
    run = nightly_dag.test(logical_date=datetime(2026, 10, 1, tzinfo=UTC))
    assert str(run.state) == "success"  # Airflow's verdict
    result = run_result(nightly_dag, run)
    assert not result.success
    assert set(result.not_succeeded.values()) == {"not run"}
    assert set(result.not_succeeded) == set(nightly_dag.task_ids)


def test_ranges_no_run_can_process_are_refused_before_anything_is_written(
    pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(UTC).date()
    with pytest.raises(SystemExit, match=f"{today} has not ended yet"):
        cli.main(["run", "--start", (today - timedelta(days=1)).isoformat(), "--end", today.isoformat()])
    with pytest.raises(SystemExit, match="is before the start"):
        cli.main(["run", "--start", LAST.isoformat(), "--end", FIRST.isoformat()])
    monkeypatch.setenv("TOUCHPOINTS_START_DATE", (today + timedelta(days=30)).isoformat())
    with pytest.raises(SystemExit, match="TOUCHPOINTS_START_DATE is .* in the future"):
        cli.main(RANGE)
    assert not Paths.from_env().landing.exists()


def test_a_range_run_killed_during_extraction_resumes_without_fetching_what_landed(
    two_nights: Path, world: World, events_dir: Path, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nightly = mart_frames(two_nights)
    slow = SandboxServer(world, limits=UNLIMITED)  # a sandbox of its own: its faults reach no other test
    slow.start_in_thread()
    try:
        connections = sandbox_environment(slow.url, events_dir, pace=False, window_days=1, max_concurrency=1)
        for key, value in connections.items():
            monkeypatch.setenv(key, value)
        for route in ("trustpilot_reviews", "shopify_orders", "zendesk_tickets", "mailchimp_campaigns"):
            slow.faults.inject(route, *[Fault.slow(1.5)] * 10)
        env = {key: value for key, value in os.environ.items() if key != "AIRFLOW_HOME"}
        child = subprocess.Popen([sys.executable, "-m", "touchpoints.cli", *RANGE], cwd=REPO_ROOT, env=env)
        paths = Paths.from_env()
        while len(list(paths.landing.glob(f"*/*/ds=*/{DATA_FILE}"))) < 3 and child.poll() is None:
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait()
        before = {p: p.stat().st_ino for p in paths.landing.glob(f"*/*/ds=*/{DATA_FILE}")}
        assert 3 <= len(before) < PARTITIONS, "killed during extraction, after some partitions landed"

        slow.faults.clear()
        cli.main(RANGE)
    finally:
        slow.shutdown()
    after = {p: p.stat().st_ino for p in paths.landing.glob(f"*/*/ds=*/{DATA_FILE}")}
    assert len(after) == PARTITIONS
    assert all(after[p] == inode for p, inode in before.items()), "a landed partition was fetched again"
    assert_same_marts(mart_frames(paths.warehouse), nightly)


def test_a_range_that_fails_validation_names_the_days_and_publishes_nothing(
    world: World, events_dir: Path, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    broken = copy.deepcopy(world)
    next(r for r in broken.trustpilot_reviews if r["createdAt"].startswith(LAST.isoformat()))["stars"] = 9
    server = SandboxServer(broken, limits=UNLIMITED)
    server.start_in_thread()
    try:
        for key, value in sandbox_environment(server.url, events_dir, pace=False).items():
            monkeypatch.setenv(key, value)
        with pytest.raises(SystemExit):
            cli.main(RANGE)
    finally:
        server.shutdown()
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert "raw.trustpilot.reviews: FAILED expect_column_values_to_be_between on stars" in out
    assert f"failing days: {LAST}" in out and f"failing days: {FIRST}" not in out
    assert "--refetch" in out
    assert not Paths.from_env().warehouse.exists()


def test_a_task_waiting_to_retry_is_one_line_not_a_stream_of_airflow_internals(
    world: World, events_dir: Path, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Trustpilot answers 503 to every request of the first try: the task fails, Airflow retries it after
    its retry delay, the retry lands the day. While it waits the command says so once."""
    server = SandboxServer(world, limits=UNLIMITED)
    server.start_in_thread()
    try:
        for key, value in sandbox_environment(server.url, events_dir, pace=False, retries=0).items():
            monkeypatch.setenv(key, value)
        server.faults.inject("trustpilot_reviews", Fault.error(503))
        cli.main(["run", "--start", FIRST.isoformat(), "--end", FIRST.isoformat()])
    finally:
        server.shutdown()
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert out.count("waits to retry") == 1
    assert re.search(
        r"land_trustpilot failed on try 1 and waits to retry, until \d\d:\d\d:\d\d UTC: .*503", out
    )
    assert "No tasks to run" not in out
    assert "touchpoints_nightly 2026-11-01: success" in out
