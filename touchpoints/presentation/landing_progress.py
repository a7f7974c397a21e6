"""Extraction progress as a run's windows land: a log line every so often (what a task log shows under
a scheduler), and an event for every in-process listener (the CLI's progress bar)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 15.0


@dataclass(frozen=True)
class Landed:
    """Days of one entity done: landed now (``records`` rows), or found landed already."""

    source: str
    entity: str
    days: int
    records: int
    already_landed: bool = False


Listener = Callable[[Landed], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Call ``listener`` for every event in this process until the returned function is called."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


class SourceProgress:
    """One source's extraction in a run: entity-days done out of ``total``, records, rate and ETA."""

    def __init__(self, source: str, total: int) -> None:
        self.source, self.total = source, total
        self.done = self.fetched = self.records = 0
        self.started = self._logged = time.monotonic()
        self._lock = threading.Lock()

    def add(self, event: Landed) -> None:
        with self._lock:
            self.done += event.days
            if not event.already_landed:
                self.fetched += event.days
                self.records += event.records
            due = time.monotonic() - self._logged >= LOG_EVERY_SECONDS or self.done >= self.total
            if due:
                self._logged = time.monotonic()
                log.info(self.describe())
        for listener in list(_listeners):
            listener(event)

    def describe(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.records / elapsed if elapsed > 0 else 0.0
        left = self.total - self.done
        eta = _duration(elapsed / self.fetched * left) if self.fetched and left else "-"
        return (
            f"{self.source}: {self.done}/{self.total} entity-days, {self.records:,} records landed, "
            f"{rate:,.0f} records/s, {_duration(elapsed)} elapsed, ETA {eta}"
        )
