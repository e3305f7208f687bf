"""Which shifts a team's rules allow in the week: starts, lengths, breaks, the team's window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from roster.errors import ScenarioError
from roster.model import Adviser, Scenario, Team
from roster.timegrid import Grid, localize, to_local


@dataclass(frozen=True)
class ShiftOption:
    """A shift a team may work: starts on local `day` at `start` (UTC) and lasts `minutes`."""

    team: str
    day: date
    start: datetime
    minutes: int
    break_minutes: int
    worked_minutes: int
    break_offsets: tuple[int, ...]  # minutes after the start where the break may begin

    @cached_property
    def end(self) -> datetime:
        # read hundreds of thousands of times while labour rules are posted: computed once
        return self.start + timedelta(minutes=self.minutes)


def check_grid(scenario: Scenario) -> None:
    """Shift lengths, breaks and blocks must be whole numbers of intervals."""
    step = scenario.week.interval_minutes
    for i, team in enumerate(scenario.teams):
        where = f"teams[{i}] ({team.name}).rules"
        rules = team.rules
        for hours in rules.shift_lengths_hours:
            if round(hours * 60) % step:
                raise ScenarioError(
                    f"{hours:g} h is not a whole number of {step}-minute intervals",
                    where=f"{where}.shift_lengths_hours",
                )
        for clock in rules.start_clocks():
            if (clock.hour * 60 + clock.minute) % step:
                raise ScenarioError(
                    f"shift start {clock:%H:%M} is not on the {step}-minute grid",
                    where=f"{where}.shift_starts",
                )
        for label, minutes in (
            ("break.minutes", rules.break_.minutes),
            ("break.earliest_after_minutes", rules.break_.earliest_after_minutes),
            ("break.latest_after_minutes", rules.break_.latest_after_minutes),
        ):
            if minutes % step:
                raise ScenarioError(
                    f"{minutes} minutes is not a whole number of {step}-minute intervals",
                    where=f"{where}.{label}",
                )


def team_options(scenario: Scenario, grid: Grid, team: Team) -> list[ShiftOption]:
    """Every shift the team's rules allow that starts inside the week.

    A roster holds the shifts that start in its week; a shift may run past its end.
    """
    rules = team.rules
    days = grid.local_dates(team.timezone)
    days = [days[0] - timedelta(days=1), *days]
    options = []
    for day in days:
        for clock in rules.start_clocks():
            start = localize(day, clock, team.timezone)
            if start is None or not grid.start <= start < grid.end or not grid.on_grid(start):
                continue
            for hours in rules.shift_lengths_hours:
                minutes = round(hours * 60)
                worked = rules.worked_minutes(minutes)
                if worked > rules.max_hours_per_day * 60:
                    continue
                if not in_window(grid, team, start, minutes):
                    continue
                pause = rules.break_minutes(minutes)
                offsets = break_offsets(team, minutes, grid.minutes) if pause else (0,)
                if not offsets:
                    continue
                options.append(ShiftOption(team.name, day, start, minutes, pause, worked, offsets))
    return options


def break_offsets(team: Team, minutes: int, step: int) -> tuple[int, ...]:
    """Where a break may start, in minutes after the shift start, leaving work after it."""
    rule = team.rules.break_
    last = min(rule.latest_after_minutes, minutes - rule.minutes - step)
    return tuple(range(rule.earliest_after_minutes, last + 1, step))


def in_window(grid: Grid, team: Team, start: datetime, minutes: int) -> bool:
    """Whether each interval of [start, start+minutes) is in the team's window (reference zone)."""
    for k in range(0, minutes, grid.minutes):
        local = to_local(start + timedelta(minutes=k), grid.timezone)
        if not team.window.contains(local.time()):
            return False
    return True


def unavailable_spans(adviser: Adviser, team: Team) -> list[tuple[datetime, datetime]]:
    """The adviser's unavailability as UTC spans (a whole date is its local day)."""
    spans = []
    for item in adviser.unavailable:
        if item.date is not None:
            a = day_start(item.date, team.timezone)
            b = day_start(item.date + timedelta(days=1), team.timezone)
            spans.append((a, b))
        else:
            assert item.start is not None and item.end is not None
            spans.append((item.start, item.end))
    return spans


def day_start(day: date, tz_name: str) -> datetime:
    """UTC instant of the local midnight that opens a date (first instant of the date)."""
    for minutes in range(0, 24 * 60, 15):  # a few zones skip midnight itself
        instant = localize(day, (datetime.min + timedelta(minutes=minutes)).time(), tz_name)
        if instant is not None:
            return instant
    raise ValueError(f"{day} has no wall-clock time in {tz_name}")


def adviser_options(options: list[ShiftOption], adviser: Adviser, team: Team) -> list[ShiftOption]:
    """The team's options the adviser can work, given their unavailability."""
    spans = unavailable_spans(adviser, team)
    return [o for o in options if not any(a < o.end and o.start < b for a, b in spans)]
