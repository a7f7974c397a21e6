"""Landing a range of days for one source: which days still need landing, in which windows, and how many
windows are fetched at once.

A day whose partition landed whole (its manifest is there) is not fetched again unless ``refetch`` asks,
so a range that was killed part-way resumes where it stopped, and a finished range run again lands
nothing. The days left are fetched in windows (``Stream.window_days``): each window is one pass through
the vendor's API for all its days and lands one partition per day when it completes. A source's windows
are fetched ``Source.concurrency`` at a time, its clients paced by the vendor's rate limits (``http``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from connectors.landing import Manifest, is_landed
from connectors.listings import Listings
from connectors.settings import ConnectionSettings, Interval
from connectors.state import load_state
from connectors.streams import Source, extract

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """Consecutive days of one entity fetched in one pass."""

    entity: str
    first: date
    last: date
    full_history: bool

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.entity} {self.first}" + (f"..{self.last}" if self.last != self.first else "")


@dataclass
class RangePlan:
    """What a range run lands for one source: its windows, and the days each entity has landed already."""

    windows: list[Window] = field(default_factory=list)
    already_landed: dict[str, list[str]] = field(default_factory=dict)


def _runs_of_days(days: list[date], most: int | None) -> list[tuple[date, date]]:
    """Consecutive days grouped into runs of at most ``most`` days (any length when None)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day and (most is None or len(runs[-1]) < most):
            runs[-1].append(day)
        else:
            runs.append([day])
    return [(run[0], run[-1]) for run in runs]


def plan_windows(
    source: Source,
    entity: str,
    settings: ConnectionSettings,
    days: list[date],
    landing_root: Path,
    refetch: bool,
) -> tuple[list[Window], list[str]]:
    """The windows that land the entity's missing days (every day when ``refetch``), and the days
    already landed. Only the earliest window can be a state export's full-history sync."""
    stream = source.stream(entity)
    landed = (
        []
        if refetch
        else [d.isoformat() for d in days if is_landed(landing_root, source.name, entity, d.isoformat())]
    )
    missing = [d for d in days if d.isoformat() not in landed]
    state = load_state(landing_root, source.name, entity)
    windows = [
        Window(entity, first, last, full_history=index == 0 and state.is_initial(first.isoformat()))
        for index, (first, last) in enumerate(_runs_of_days(missing, stream.range_window_days(settings)))
    ]
    return windows, landed


def plan_range(
    source: Source,
    settings: ConnectionSettings,
    days: list[date],
    landing_root: Path,
    *,
    refetch: bool = False,
) -> RangePlan:
    """Every entity's windows for ``days`` (sorted, UTC), earliest days first."""
    plan = RangePlan()
    for entity in source.entities:
        windows, landed = plan_windows(source, entity, settings, days, landing_root, refetch)
        plan.windows += windows
        plan.already_landed[entity] = landed
    plan.windows.sort(key=lambda w: (w.first, source.entities.index(w.entity)))
    return plan


def land_windows(
    source: Source,
    settings: ConnectionSettings,
    windows: list[Window],
    landing_root: Path,
    on_landed: Callable[[Window, list[Manifest]], None] | None = None,
) -> list[Manifest]:
    """Land the windows, ``Source.concurrency`` at a time; returns the partitions landed, by day.

    On the first failure no new window starts; the windows already running finish (what they land is
    whole), and the failure is raised, its notes naming the entity and the window's days. A parent listing
    (campaigns, posts) is fetched once per window's interval and shared by the entities that read it.
    """
    landed: list[Manifest] = []
    listings = Listings()

    def land(window: Window) -> None:
        interval = Interval.for_days(window.first, window.last)
        try:
            manifests = extract(
                source, window.entity, settings, interval, landing_root, window.full_history, listings
            )
        except Exception as exc:
            exc.add_note(f"while landing {source.name}.{window} (nothing of that window landed)")
            raise
        landed.extend(manifests)
        if on_landed:
            on_landed(window, manifests)

    with ThreadPoolExecutor(
        max_workers=source.concurrency_for(settings), thread_name_prefix=source.name
    ) as pool:
        futures = [pool.submit(land, window) for window in windows]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        wait(futures)
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]
    return sorted(landed, key=lambda manifest: (manifest.ds, manifest.entity))
