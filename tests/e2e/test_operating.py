"""Operating it as a careful operator would: two runs at once, a typo in a connection, a folder it may
not write, a landed file damaged on disk, secrets in the URLs a library logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from connectors.landing import DATA_FILE, partition_dir
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
from sandbox.connections import sandbox_environment
from sandbox.faults import Fault
from sandbox.generator import PAGE_ID, World
from sandbox.server import SANDBOX_SECRET, SandboxServer
from sandbox.throttling import UNLIMITED
from tests.warehouses import assert_same_marts, mart_frames
from touchpoints import cli
from touchpoints.config import REPO_ROOT, Paths
from touchpoints.run_lock import holders, lock_files

pytestmark = pytest.mark.e2e

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 2)
RANGE = ["run", "--start", FIRST.isoformat(), "--end", LAST.isoformat()]


def test_a_second_run_meets_the_first_and_is_told_who_runs_and_since_when(
    two_nights: Path, world: World, events_dir: Path, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SandboxServer(world, limits=UNLIMITED)
    slow.start_in_thread()
    try:
        for key, value in sandbox_environment(slow.url, events_dir, pace=False).items():
            monkeypatch.setenv(key, value)
        slow.faults.inject("shopify_orders", *[Fault.slow(1.0)] * 3)
        env = {key: value for key, value in os.environ.items() if key != "AIRFLOW_HOME"}
        first = subprocess.Popen(
            [sys.executable, "-m", "touchpoints.cli", *RANGE], cwd=REPO_ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        paths = Paths.from_env()
        while not holders(lock_files(paths)[0]) and first.poll() is None:
            time.sleep(0.05)
        with pytest.raises(SystemExit) as second:
            cli.main(RANGE)
        output = first.communicate(timeout=300)[0]
    finally:
        slow.shutdown()
    message = str(second.value.code)
    assert f"touchpoints run 2026-11-01..2026-11-02 (pid {first.pid}, since 20" in message
    assert "--wait" in message and "Traceback" not in message
    assert first.returncode == 0, output[-3000:]
    assert "touchpoints_nightly 2026-11-01..2026-11-02: success" in output and "Published:" in output
    assert_same_marts(mart_frames(paths.warehouse), mart_frames(two_nights))


def test_a_malformed_or_missing_connection_fails_at_once_and_says_what_to_set(
    pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    monkeypatch.setenv("AIRFLOW_CONN_SHOPIFY_DEFAULT", "{not json")
    with pytest.raises(SystemExit) as malformed:
        cli.main(RANGE)
    monkeypatch.delenv("AIRFLOW_CONN_SHOPIFY_DEFAULT")
    monkeypatch.delenv("AIRFLOW_CONN_ZENDESK_DEFAULT")
    with pytest.raises(SystemExit) as missing:
        cli.main(RANGE)
    assert time.monotonic() - started < 30, "no retries of a configuration problem"
    assert (
        "AIRFLOW_CONN_SHOPIFY_DEFAULT is not valid JSON: Expecting property name enclosed in double quotes"
        in (str(malformed.value.code))
        and "line 1 column 2" in str(malformed.value.code)
    )
    assert "set AIRFLOW_CONN_ZENDESK_DEFAULT" in str(missing.value.code)
    assert "set AIRFLOW_CONN_SHOPIFY_DEFAULT" in str(missing.value.code)
    assert not Paths.from_env().landing.exists() or not any(Paths.from_env().landing.iterdir())


def test_a_warehouse_folder_it_may_not_write_fails_at_once_naming_it(
    pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOUCHPOINTS_DUCKDB_PATH", "/sys/touchpoints/warehouse.duckdb")  # not even root may
    with pytest.raises(SystemExit) as refused:
        cli.main(RANGE)
    message = str(refused.value.code)
    assert "/sys/touchpoints" in message and "needs permission to create and write files there" in message


def test_a_damaged_partition_of_an_earlier_day_fails_the_next_night_before_the_build(
    pipeline_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(RANGE)
    paths = Paths.from_env()
    orders = partition_dir(paths.landing, "shopify", "orders", FIRST.isoformat()) / DATA_FILE
    content = orders.read_bytes()
    orders.write_bytes(content[: len(content) // 2])  # truncated on disk
    capsys.readouterr()

    night = ["run", "--start", LAST.isoformat(), "--end", LAST.isoformat()]
    with pytest.raises(SystemExit):
        cli.main(night)
    out = " ".join(capsys.readouterr().out.split())
    assert "shopify/orders/ds=2026-11-01: its data file has" in out and "(truncated or replaced)" in out
    assert "land it again: touchpoints run --start 2026-11-01 --end 2026-11-01 --refetch" in out
    assert "dbt_build: not run" in out or "dbt_build: upstream_failed" in out

    cli.main(["run", "--start", FIRST.isoformat(), "--end", FIRST.isoformat(), "--refetch"])  # the advice
    tickets = partition_dir(paths.landing, "zendesk", "tickets", FIRST.isoformat()) / DATA_FILE
    changed = bytearray(tickets.read_bytes())
    changed[len(changed) // 2] ^= 0xFF  # same size, other content
    tickets.write_bytes(bytes(changed))
    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli.main(night)
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "zendesk/tickets/ds=2026-11-01: its data file changed since it landed (its checksum differs)" in out
    )


def test_secrets_in_the_urls_a_library_logs_are_redacted(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Graph API paging URLs carry the access token; urllib3 logs the URL of a request it retries."""
    server = SandboxServer(world, max_page_size=2, limits=UNLIMITED)
    server.start_in_thread()
    server.faults.inject("facebook_comments", None, Fault.reset())  # the second page, a paging.next URL
    caplog.set_level(logging.DEBUG)
    try:
        settings = ConnectionSettings(server.url, None, SANDBOX_SECRET, {"page_id": PAGE_ID, "pace": False})
        extract(SOURCES["facebook"], "comments", settings, Interval.for_day(FIRST), tmp_path)
    finally:
        server.shutdown()
    retried = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("urllib3") and "Retrying" in r.getMessage()
    ]
    assert retried and all("access_token=***" in message for message in retried), retried
    assert SANDBOX_SECRET not in caplog.text
