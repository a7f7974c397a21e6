"""One writer per home and warehouse.

A command that writes (``touchpoints run``, and ``make demo`` through it) holds an exclusive lock on the home and
on the published warehouse for as long as it runs; each task a scheduler runs holds a shared one, so the
tasks of the scheduler's runs go on side by side while a command waits for them, or they for it. The
locks are ``flock`` locks: the kernel drops them when their process ends, killed with -9 included. Who
holds a lock is written beside it, so that whoever meets it is told who, doing what, since when.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from touchpoints.config import Paths

LOCK_NAME = ".touchpoints.lock"
HOLDER_ENV = (
    "TOUCHPOINTS_LOCK_HOLDER"  # the pid of the command that holds the locks (its own tasks skip them)
)


class LockBusy(RuntimeError):
    """Another command or task writes the same home or warehouse."""


@dataclass(frozen=True)
class Holder:
    pid: int
    doing: str
    since: str

    def __str__(self) -> str:
        return f"{self.doing} (pid {self.pid}, since {self.since})"


def lock_files(paths: Paths) -> list[Path]:
    """The home's lock and the published warehouse's (two homes may publish to one warehouse)."""
    return sorted({paths.home / LOCK_NAME, paths.warehouse.parent / f".{paths.warehouse.name}.lock"})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holders(lock: Path) -> list[Holder]:
    """Who holds the lock now: the exclusive holder (in the lock file) and the shared ones (beside it),
    leaving out what a process that died left behind."""
    found = []
    for record in [lock, *lock.parent.glob(f"{lock.name}.*")]:
        with suppress(OSError, ValueError, TypeError):
            holder = Holder(**json.loads(record.read_text()))
            if _alive(holder.pid):
                found.append(holder)
            elif record != lock:
                record.unlink(missing_ok=True)
    return found


def _busy(lock: Path, advice: str) -> LockBusy:
    held = "; ".join(str(h) for h in holders(lock)) or "a process that is starting or ending"
    return LockBusy(f"{lock.parent} is being written by {held}: {advice}")


@contextmanager
def _locked(
    lock: Path, exclusive: bool, advice: str, waiting: Callable[[str], object] | None = None
) -> Iterator[None]:
    """The lock, or LockBusy naming its holder; with ``waiting``, say who is waited for and wait."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        flags = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, flags | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is None:
                raise _busy(lock, advice) from None
            waiting(f"waiting: {_busy(lock, 'this run starts when it ends')}")
            fcntl.flock(fd, flags)
        yield
    finally:
        os.close(fd)


def _record(target: Path, doing: str) -> None:
    holder = Holder(os.getpid(), doing, datetime.now(UTC).isoformat(timespec="seconds"))
    target.write_text(json.dumps(asdict(holder)))


@contextmanager
def writing(
    paths: Paths, doing: str, *, wait: bool = False, waiting: Callable[[str], object] = print
) -> Iterator[None]:
    """Hold the home and the warehouse exclusively while the block runs (a command's whole run); refuse
    at once, naming the holder, when another command or a scheduler's task writes them, or (``wait``)
    tell ``waiting`` who is waited for and wait."""
    advice = "wait for it to end, or run again with --wait to wait for it"
    with ExitStack() as stack:
        for lock in lock_files(paths):
            stack.enter_context(_locked(lock, True, advice, waiting if wait else None))
            _record(lock, doing)
        os.environ[HOLDER_ENV] = str(os.getpid())
        try:
            yield
        finally:
            os.environ.pop(HOLDER_ENV, None)
            for lock in lock_files(paths):
                with suppress(OSError):
                    lock.write_text("")


@contextmanager
def task_writing(paths: Paths, doing: str) -> Iterator[None]:
    """A scheduler's task: hold shared locks while it runs, so that no command writes beside it (meeting
    one it fails, to be retried); inside a command's own run (``touchpoints run`` runs its tasks in its
    own process) there is nothing to take."""
    if os.environ.get(HOLDER_ENV) == str(os.getpid()):
        yield
        return
    records = [lock.with_name(f"{lock.name}.{os.getpid()}") for lock in lock_files(paths)]
    with ExitStack() as stack:
        for lock, record in zip(lock_files(paths), records, strict=True):
            stack.enter_context(_locked(lock, False, "the task is retried after its retry delay"))
            _record(record, doing)
            stack.callback(record.unlink, missing_ok=True)
        yield
