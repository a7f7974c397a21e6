"""One writer per home and warehouse, between real processes: a command meets another command or a
scheduler's task and is told who, doing what, since when; the lock goes with its holder, kill -9 too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from touchpoints.config import REPO_ROOT, Paths
from touchpoints.run_lock import LockBusy, holders, lock_files, task_writing, writing

HOLD = """
import sys, time
from pathlib import Path
from touchpoints.config import Paths
from touchpoints.run_lock import task_writing, writing
paths = Paths.from_env()
hold = writing(paths, sys.argv[1]) if sys.argv[2] == "command" else task_writing(paths, sys.argv[1])
with hold:
    Path(sys.argv[3]).touch()
    time.sleep(float(sys.argv[4]))
"""


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.setenv("TOUCHPOINTS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TOUCHPOINTS_DUCKDB_PATH", str(tmp_path / "warehouse" / "touchpoints.duckdb"))
    monkeypatch.delenv("TOUCHPOINTS_LOCK_HOLDER", raising=False)
    return Paths.from_env()


def hold_in_a_child(tmp_path: Path, doing: str, kind: str, seconds: float = 60) -> subprocess.Popen:
    ready = tmp_path / f"ready-{kind}"
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, doing, kind, str(ready), str(seconds)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    while not ready.exists():
        assert child.poll() is None, "the child died before it held the lock"
        time.sleep(0.02)
    return child


def test_a_command_meets_another_command_and_is_told_who_and_since_when(paths: Paths, tmp_path: Path) -> None:
    child = hold_in_a_child(tmp_path, "touchpoints run 2026-11-01..2026-11-07", "command")
    try:
        with pytest.raises(LockBusy) as met, writing(paths, "touchpoints run 2026-11-08"):
            pytest.fail("two commands wrote the same home")
        message = str(met.value)
        assert f"touchpoints run 2026-11-01..2026-11-07 (pid {child.pid}, since 20" in message
        assert "--wait" in message
        with pytest.raises(LockBusy, match="retried"), task_writing(paths, "task land_web of run r1"):
            pytest.fail("a scheduler's task wrote beside a command")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with writing(paths, "touchpoints run 2026-11-08"):  # kill -9 released it
        assert [h.pid for h in holders(lock_files(paths)[0])] == [os.getpid()]


def test_the_scheduler_s_tasks_share_and_keep_commands_out(paths: Paths, tmp_path: Path) -> None:
    child = hold_in_a_child(tmp_path, "task dbt_build of run scheduled__2026-11-08", "task")
    try:
        with task_writing(paths, "task land_web of run scheduled__2026-11-08"):
            pass  # tasks go on side by side
        busy = f"task dbt_build of run scheduled__2026-11-08 \\(pid {child.pid}"
        with pytest.raises(LockBusy, match=busy), writing(paths, "touchpoints run 2026-11-08"):
            pytest.fail("a command wrote beside a scheduler's task")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert holders(lock_files(paths)[0]) == []  # a dead task's record is not taken for a holder


def test_a_command_can_wait_for_the_one_before_it(paths: Paths, tmp_path: Path) -> None:
    child = hold_in_a_child(tmp_path, "touchpoints run 2026-11-01..2026-11-07", "command", seconds=1.0)
    said: list[str] = []
    started = time.monotonic()
    with writing(paths, "touchpoints run 2026-11-08", wait=True, waiting=said.append):
        waited = time.monotonic() - started
    child.wait()
    assert child.returncode == 0 and waited > 0.2
    assert (
        len(said) == 1
        and said[0].startswith("waiting:")
        and "touchpoints run 2026-11-01..2026-11-07" in said[0]
    )
