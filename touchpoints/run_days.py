"""The days one run processes: a scheduled run the UTC day of its data interval, a range run (``touchpoints
run``, or a manual DAG run whose conf holds ``start`` and ``end``) every day of its range."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any


class RangeRefused(ValueError):
    """A range no run may process (reversed, or not over yet): refused before anything is written."""


@dataclass(frozen=True)
class RunDays:
    """UTC days ``first`` to ``last``, both included; ``refetch``: land again the days already landed."""

    first: date
    last: date
    refetch: bool = False

    @classmethod
    def of_run(cls, params: Mapping[str, Any], logical_date: datetime | None) -> RunDays:
        """From a DAG run: its conf's ``start``/``end``/``refetch``, else the day of its logical date
        (a scheduled or backfill run, which always extracts its day afresh)."""
        start, end = params.get("start"), params.get("end")
        if start or end:
            if not (start and end):
                raise RangeRefused("a range run needs both start and end in its conf (YYYY-MM-DD)")
            days = cls(
                date.fromisoformat(str(start)), date.fromisoformat(str(end)), bool(params.get("refetch"))
            )
        elif logical_date is not None:
            day = logical_date.astimezone(UTC).date()
            days = cls(day, day, refetch=True)
        else:
            raise RangeRefused(
                'a manual run without a logical date needs a range in its conf: {"start": "YYYY-MM-DD", '
                '"end": "YYYY-MM-DD"}'
            )
        days.check()
        return days

    def check(self, today: date | None = None) -> None:
        """Refuse a reversed range, or one whose last day has not ended yet (UTC)."""
        today = today or datetime.now(UTC).date()
        if self.last < self.first:
            raise RangeRefused(f"the end, {self.last}, is before the start, {self.first}")
        if self.last >= today:
            raise RangeRefused(
                f"{self.last} has not ended yet (UTC): a run processes whole days, the latest is "
                f"{today - timedelta(days=1)}; nothing was extracted"
            )

    @staticmethod
    def check_scheduler_start(start: date, today: date | None = None) -> None:
        """Refuse a scheduler start date in the future: Airflow creates no task for a run before it."""
        if start > (today or datetime.now(UTC).date()):
            raise RangeRefused(
                f"TOUCHPOINTS_START_DATE is {start}, in the future: Airflow would create no task for a run "
                "today; set it to a past day (it is where the scheduler's catchup begins)"
            )

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def conf(self) -> dict[str, Any]:
        """The DAG run conf that asks for this range."""
        return {"start": self.first.isoformat(), "end": self.last.isoformat(), "refetch": self.refetch}

    def rerun(self, refetch: bool = False) -> str:
        """The command that runs these days again."""
        return f"touchpoints run --start {self.first} --end {self.last}" + (" --refetch" if refetch else "")

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}..{self.last}"
