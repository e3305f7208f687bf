"""A roster: per adviser, shifts made of activity blocks (a channel or a break), in UTC."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

BREAK = "break"


@dataclass(frozen=True)
class Activity:
    """One block inside a shift: a channel name or `break`, over [start, end) in UTC."""

    kind: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Shift:
    """An adviser's shift [start, end) in UTC and the blocks that fill it."""

    adviser_id: str
    start: datetime
    end: datetime
    activities: tuple[Activity, ...] = ()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def break_minutes(self) -> int:
        return sum(a.minutes for a in self.activities if a.kind == BREAK)

    def minutes_on(self, channel: str) -> int:
        return sum(a.minutes for a in self.activities if a.kind == channel)

    @property
    def channels(self) -> list[str]:
        """Channels in order of first appearance."""
        seen: list[str] = []
        for a in self.activities:
            if a.kind != BREAK and a.kind not in seen:
                seen.append(a.kind)
        return seen


@dataclass
class Roster:
    """All shifts of a week, in no particular order."""

    shifts: list[Shift] = field(default_factory=list)

    @classmethod
    def from_blocks(cls, blocks: Iterable[tuple[str, Activity]]) -> Roster:
        """Shifts from (adviser, block) pairs: an adviser's back-to-back blocks form one shift."""
        ordered = sorted(blocks, key=lambda b: (b[0], b[1].start))
        shifts: list[Shift] = []
        current: list[Activity] = []
        owner = ""
        for adviser_id, activity in ordered:
            if current and (adviser_id != owner or activity.start != current[-1].end):
                shifts.append(Shift(owner, current[0].start, current[-1].end, tuple(current)))
                current = []
            owner = adviser_id
            current.append(activity)
        if current:
            shifts.append(Shift(owner, current[0].start, current[-1].end, tuple(current)))
        return cls(shifts)

    def by_adviser(self) -> dict[str, list[Shift]]:
        grouped: dict[str, list[Shift]] = defaultdict(list)
        for shift in sorted(self.shifts, key=lambda s: (s.adviser_id, s.start)):
            grouped[shift.adviser_id].append(shift)
        return dict(grouped)
