"""Write-audit-publish: readers never see a half-built warehouse; a failed audit publishes nothing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from touchpoints.airflow_env import run_day
from touchpoints.config import Paths
from touchpoints.warehouse.compaction import table_storage

pytestmark = pytest.mark.e2e

READER = """
import json, sys, time
from pathlib import Path
import duckdb
published, stop = Path(sys.argv[1]), Path(sys.argv[2])
seen, errors = [], []
while not stop.exists():
    try:
        with duckdb.connect(str(published), read_only=True) as db:
            seen.append(db.execute("select count(*) from marts.fct_touchpoints").fetchall()[0][0])
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.02)
print(json.dumps({"seen": sorted(set(seen)), "reads": len(seen), "errors": errors}))
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as db:
        return db.execute("select count(*) from marts.fct_touchpoints").fetchall()[0][0]


def test_readers_during_a_run_then_a_failed_audit_then_a_good_run(
    nightly_dag,
    pipeline_env: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = Paths.from_env()
    assert run_day(nightly_dag, date(2026, 11, 1)) == "success"
    day_one_rows = count(paths.warehouse)

    # (a) a separate reader process queries the published file all through the next run
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(paths.warehouse), str(stop)], stdout=subprocess.PIPE, text=True
    )
    time.sleep(0.5)
    assert run_day(nightly_dag, date(2026, 11, 2)) == "success"
    time.sleep(0.3)
    stop.touch()
    report = json.loads(reader.communicate(timeout=60)[0])
    day_two_rows = count(paths.warehouse)
    assert report["errors"] == [] and report["reads"] > 10
    assert set(report["seen"]) <= {day_one_rows, day_two_rows} and day_one_rows in report["seen"]

    # (b) a day with no touchpoints at all (a silent vendor outage) fails the audit: nothing is published
    published_before = digest(paths.warehouse)
    capfd.readouterr()
    assert run_day(nightly_dag, date(2026, 11, 3)) == "failed"
    log = capfd.readouterr()
    assert "cross.fresh_for_every_day: FAILED" in log.out + log.err
    assert digest(paths.warehouse) == published_before
    with duckdb.connect(str(paths.build_warehouse), read_only=True) as db:
        recorded = db.execute(
            "select success from audit.validation_results where ds = date '2026-11-03' and suite = 'cross.fresh_for_every_day'"
        ).fetchall()
    assert recorded == [(False,)]

    # (c) the next good run publishes normally, compacting every table with deleted rows (limit 0 here)
    with duckdb.connect(str(paths.build_warehouse), read_only=True) as db:
        assert max(t.dead_share for t in table_storage(db)) > 0  # the incremental builds left deleted rows
    monkeypatch.setenv("TOUCHPOINTS_DEAD_ROWS_LIMIT", "0")
    inode = paths.warehouse.stat().st_ino
    assert run_day(nightly_dag, date(2026, 11, 2)) == "success"
    assert paths.warehouse.stat().st_ino != inode
    assert count(paths.warehouse) == day_two_rows
    with duckdb.connect(str(paths.warehouse), read_only=True) as db:
        assert max(t.dead_share for t in table_storage(db)) == 0
        runs = db.execute("select count(distinct run_id) from audit.load_runs").fetchall()[0][0]
    assert runs >= 3  # day 1, day 2 and the failed day 3 are all in the audit
