"""A soak test: nights and range runs against the sandbox while faults land at random but seeded points
(429 bursts, 5xx, dropped connections, slow answers, repeated and malformed records, kill -9 of the run
during extract, build and publish, a second run started beside the first). Every run is the real command
in a process of its own. At the end the marts must equal those of a clean run, table for table, and the
published warehouse must have been readable all along. It prints what it injected and what it compared.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.connections import sandbox_environment
from sandbox.event_files import write_event_files
from sandbox.faults import Fault
from sandbox.generator import SandboxConfig, generate
from sandbox.server import ROUTES, SandboxServer
from sandbox.throttling import UNLIMITED
from tests.warehouses import assert_same_marts, mart_frames
from touchpoints.config import REPO_ROOT
from touchpoints.run_lock import holders

pytestmark = pytest.mark.soak

SEED = 20261201
START = date(2026, 10, 1)
DAYS = 5
WORLD = SandboxConfig(seed=SEED, customers=90, start=START, end=START + timedelta(days=DAYS))
FAULTS = {
    "throttle": lambda rng: Fault.throttle(retry_after=rng.choice([None, 0.5, 1])),
    "error": lambda rng: Fault.error(rng.choice([500, 502, 503])),
    "reset": lambda _rng: Fault.reset(),
    "slow": lambda _rng: Fault.slow(0.5),
    "duplicate": lambda _rng: Fault.duplicate(),
    "malformed": lambda _rng: Fault.malformed(),
}
HTTP_ROUTES = [route.__name__ for _, _, route in ROUTES]


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


class Home:
    """One TOUCHPOINTS_HOME and the command run in it, each a process of its own."""

    def __init__(self, root: Path, connections: dict[str, str]) -> None:
        self.root = root
        self.warehouse = root / "warehouse" / "touchpoints.duckdb"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "AIRFLOW_HOME"},
            **connections,
            "TOUCHPOINTS_HOME": str(root),
            "TOUCHPOINTS_DUCKDB_PATH": str(self.warehouse),
            "PYTHONPATH": str(REPO_ROOT),
        }

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "touchpoints.cli", "run", *args], cwd=REPO_ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    def run(self, *args: str) -> str:
        process = self.start(*args)
        output = process.communicate(timeout=600)[0]
        assert process.returncode == 0, f"touchpoints run {' '.join(args)} failed:\n{output[-4000:]}"
        return output

    def running_task(self) -> str | None:
        """The task the home's run is in now, from its Airflow metadata database."""
        try:
            with sqlite3.connect(
                f"file:{self.root / 'airflow' / 'airflow.db'}?mode=ro", uri=True, timeout=0.1
            ) as db:
                row = db.execute(  # the newest run's: a killed run's tasks stay "running" for ever
                    "select task_id from task_instance where state = 'running'"
                    " and run_id = (select run_id from dag_run order by id desc limit 1)"
                ).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def kill_during(self, phase: str, *args: str) -> str:
        """Start the command and kill -9 it while a task of ``phase`` runs; return the task it was in."""
        process = self.start(*args)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            task = self.running_task()
            if task and task.startswith(phase):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return task
            time.sleep(0.005)
        output = process.communicate()[0]
        raise AssertionError(
            f"the run never reached {phase} (it ended {process.returncode}):\n{output[-3000:]}"
        )


class Reader(threading.Thread):
    """Reads the published warehouse, read-only, over and over, as an analyst would during the runs."""

    def __init__(self, warehouse: Path) -> None:
        super().__init__(daemon=True)
        self.warehouse, self.stop, self.reads, self.errors = warehouse, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            if self.warehouse.exists():
                try:
                    with duckdb.connect(str(self.warehouse), read_only=True) as db:
                        db.sql("select count(*) from marts.fct_touchpoints").fetchall()
                    self.reads += 1
                except duckdb.Error as error:
                    self.errors.append(str(error))
            time.sleep(0.05)


def inject(server: SandboxServer, rng: random.Random, injected: Counter) -> None:
    """A few faults on a few routes, each at most twice in a row (the client retries five times)."""
    for route in rng.sample(HTTP_ROUTES, k=4):
        kinds = rng.choices(list(FAULTS), k=rng.randint(1, 2))
        server.faults.inject(route, *[None] * rng.randint(0, 2), *[FAULTS[kind](rng) for kind in kinds])
        injected.update(kinds)


def test_soak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    world = generate(WORLD)
    write_event_files(world, tmp_path / "events")
    clean_sandbox, faulty_sandbox = (
        SandboxServer(world, limits=UNLIMITED),
        SandboxServer(world, limits=UNLIMITED),
    )
    for server in (clean_sandbox, faulty_sandbox):
        server.start_in_thread()
    rng, injected, kills = random.Random(SEED), Counter(), []
    try:
        clean = Home(
            tmp_path / "clean", sandbox_environment(clean_sandbox.url, tmp_path / "events", pace=False)
        )
        clean.run("--start", day(0), "--end", day(DAYS - 1))

        connections = sandbox_environment(
            faulty_sandbox.url, tmp_path / "events", pace=False, backoff_factor=0.1, window_days=1
        )
        home = Home(tmp_path / "soak", connections)
        reader = Reader(home.warehouse)
        reader.start()

        inject(faulty_sandbox, rng, injected)
        home.run("--start", day(0), "--end", day(1))  # a range, through faults

        inject(faulty_sandbox, rng, injected)
        faulty_sandbox.faults.inject("mailchimp_campaigns", *[Fault.slow(1.0)] * 3)
        kills.append(home.kill_during("land_", "--start", day(2), "--end", day(2)))
        home.run("--start", day(2), "--end", day(2))  # started again, it resumes

        inject(faulty_sandbox, rng, injected)
        kills.append(home.kill_during("dbt_build", "--start", day(3), "--end", day(3)))
        inject(faulty_sandbox, rng, injected)  # started again, it is killed further on
        kills.append(home.kill_during("publish", "--start", day(3), "--end", day(3)))
        first = home.start("--start", day(3), "--end", day(4))
        while first.pid not in {holder.pid for holder in holders(home.root / ".touchpoints.lock")}:
            assert first.poll() is None, first.communicate()[0][-3000:]
            time.sleep(0.02)
        beside = home.start("--start", day(3), "--end", day(4))  # a second run beside the first
        beside_output, first_output = beside.communicate(timeout=120)[0], first.communicate(timeout=600)[0]
        assert beside.returncode == 1 and "is being written by touchpoints run" in beside_output
        assert "Traceback" not in beside_output
        assert first.returncode == 0 and "success" in first_output, first_output[-3000:]

        faulty_sandbox.faults.clear()
        quarantined = sorted({p.parent.name.removeprefix("ds=") for p in (home.root / "landing" / "_quarantine").glob(
            "*/*/ds=*/records.jsonl") if p.stat().st_size})  # fmt: skip
        if quarantined:  # what an operator does with a quarantine report, once the vendor is fixed
            home.run("--start", quarantined[0], "--end", quarantined[-1], "--refetch")
        reader.stop.set()
        reader.join()
    finally:
        clean_sandbox.shutdown()
        faulty_sandbox.shutdown()

    soaked, reference = mart_frames(home.warehouse), mart_frames(clean.warehouse)
    assert_same_marts(soaked, reference)
    assert reader.errors == [] and reader.reads > 20
    assert [task.split("_")[0] for task in kills] == ["land", "dbt", "publish"]
    rows = sum(len(frame) for frame in reference.values())
    with capsys.disabled():
        print(
            f"\nsoak: {sum(injected.values())} faults injected ({', '.join(f'{k} {n}' for k, n in sorted(injected.items()))}),"
            f" kill -9 during {', '.join(kills)}, a second run refused beside the first,"
            f" {len(quarantined)} quarantined days landed again; every run survived;"
            f" {len(reference)} marts, {rows:,} rows equal to a clean run's;"
            f" {reader.reads} reads of the published warehouse, {len(reader.errors)} failed;"
            f" {time.monotonic() - started:.0f} s"
        )
