"""What a connector is given: where the API lives, its credentials and the interval to extract."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from connectors.errors import ConfigurationError


@dataclass(frozen=True)
class ConnectionSettings:
    """An API root (scheme, host and port) with credentials; ``extra`` holds per-vendor ids."""

    base_url: str
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict)

    def require_extra(self, key: str, source: str) -> str:
        value = self.extra.get(key)
        if not value:
            raise ConfigurationError(
                f'{source}: the connection\'s extra needs {key!r} (e.g. {{"{key}": "..."}})'
            )
        return str(value)


@dataclass(frozen=True)
class Interval:
    """A half-open extraction interval ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @classmethod
    def for_day(cls, day: date) -> Interval:
        return cls.for_days(day, day)

    @classmethod
    def for_days(cls, first: date, last: date) -> Interval:
        """The whole UTC days from ``first`` to ``last``, both included."""
        start = datetime.combine(first, time(), tzinfo=UTC)
        return cls(start, datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=1))

    @property
    def ds(self) -> str:
        """The first landing partition this interval writes."""
        return self.start.date().isoformat()

    def days(self) -> list[date]:
        count = max(1, (self.end - self.start).days)
        return [self.start.date() + timedelta(days=i) for i in range(count)]

    def contains(self, ts: datetime) -> bool:
        return self.start <= ts < self.end

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"
