"""Real time: the week as UTC instants on an interval grid, and wall clocks in named zones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

import pytz

UTC = pytz.utc


def zone(name: str) -> pytz.BaseTzInfo:
    return pytz.timezone(name)


def localize(day: date, clock: time, tz_name: str) -> datetime | None:
    """The UTC instant of a wall-clock time in a zone, or None where the clock skips it.

    A time that happens twice (the hour the clocks go back) is taken at its first occurrence.

    >>> localize(date(2026, 3, 29), time(2, 30), "Europe/Paris") is None
    True
    >>> localize(date(2026, 10, 25), time(2, 30), "Europe/Paris").isoformat()
    '2026-10-25T00:30:00+00:00'
    """
    tz = zone(tz_name)
    naive = datetime.combine(day, clock)
    try:
        local = tz.localize(naive, is_dst=None)
    except pytz.NonExistentTimeError:
        return None
    except pytz.AmbiguousTimeError:
        local = tz.localize(naive, is_dst=True)
    return local.astimezone(UTC)


def to_local(instant: datetime, tz_name: str) -> datetime:
    """An aware instant shown on the wall clock of a zone."""
    return instant.astimezone(zone(tz_name))


def to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()} has no UTC offset")
    return instant.astimezone(UTC)


def iso_utc(instant: datetime) -> str:
    """'2026-11-23T07:00:00Z'."""
    return to_utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Grid:
    """The planning week as `count` intervals of `minutes` from `start` (UTC), in a reference zone.

    A week holding a clock change has 4 quarter-hours more or fewer than 672.
    """

    start: datetime
    end: datetime
    minutes: int
    timezone: str

    @classmethod
    def for_week(cls, monday: date, tz_name: str, minutes: int = 15) -> Grid:
        start = localize(monday, time(0), tz_name)
        end = localize(monday + timedelta(days=7), time(0), tz_name)
        assert start is not None and end is not None  # midnight exists in every IANA zone we use
        return cls(start=start, end=end, minutes=minutes, timezone=tz_name)

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @cached_property
    def count(self) -> int:
        return int((self.end - self.start) / self.step)

    @cached_property
    def instants(self) -> list[datetime]:
        return [self.start + i * self.step for i in range(self.count)]

    @cached_property
    def local_instants(self) -> list[datetime]:
        """Each interval start on the reference wall clock."""
        tz = zone(self.timezone)
        return [t.astimezone(tz) for t in self.instants]

    def index(self, instant: datetime) -> int:
        """Interval number of an instant on the grid; ValueError if off the grid or the week."""
        offset = to_utc(instant) - self.start
        if offset % self.step:
            raise ValueError(
                f"{instant.isoformat()} is not on the {self.minutes}-minute grid of the week"
            )
        i = int(offset / self.step)
        if not 0 <= i < self.count:
            raise ValueError(
                f"{instant.isoformat()} is outside the week "
                f"{self.start.isoformat()} - {self.end.isoformat()}"
            )
        return i

    def on_grid(self, instant: datetime) -> bool:
        return not (to_utc(instant) - self.start) % self.step

    def span(self, start: datetime, end: datetime) -> range:
        """Intervals of the week that [start, end) covers (clipped to the week)."""
        lo = max(start, self.start)
        hi = min(end, self.end)
        if hi <= lo:
            return range(0)
        first = int((lo - self.start) / self.step)
        last = -int(-(hi - self.start) // self.step)
        return range(first, last)

    def instant(self, i: int) -> datetime:
        return self.start + i * self.step

    def local_dates(self, tz_name: str) -> list[date]:
        """Local dates of a zone whose wall-clock day meets the week."""
        first = to_local(self.start, tz_name).date()
        last = to_local(self.end - timedelta(seconds=1), tz_name).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def night_hours(day: date, tz_name: str, start: time = time(22), end: time = time(8)) -> float:
    """Real length in hours of the night from `day` at `start` to the next morning at `end`.

    >>> night_hours(date(2026, 3, 28), "Europe/Paris")
    9.0
    >>> night_hours(date(2026, 10, 24), "Europe/Paris")
    11.0
    """
    a = localize(day, start, tz_name)
    b = localize(day + timedelta(days=1), end, tz_name)
    assert a is not None and b is not None
    return (b - a).total_seconds() / 3600
