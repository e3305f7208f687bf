"""The scenario: a planning week, channels, teams with their labour rules, advisers, demand."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal

import pytz
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Date = date  # `Unavailability.date` would shadow the type inside that class
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Strict(BaseModel):
    """Base for scenario objects: unknown fields are errors, values are frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def parse_clock(value: str) -> time:
    """'07:30' -> time(7, 30); a wall-clock time of day, no zone."""
    match = CLOCK.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a time of day HH:MM (00:00-23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def check_timezone(value: str) -> str:
    if value not in pytz.all_timezones_set:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'Europe/Paris')")
    return value


Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:00"])]
TimeZone = Annotated[
    str, AfterValidator(check_timezone), Field(examples=["Europe/Paris", "Australia/Sydney"])
]
Name = Annotated[str, Field(pattern=NAME, max_length=64)]


class Week(Strict):
    """The planning week: Monday 00:00 to the next Monday 00:00 in the reference zone."""

    monday: date
    timezone: TimeZone = Field(
        description="Reference zone: windows and demand hours are read in it"
    )
    interval_minutes: Literal[15, 30] = 15

    @field_validator("monday")
    @classmethod
    def _is_monday(cls, value: date) -> date:
        if value.weekday() != 0:
            raise ValueError(f"{value.isoformat()} is a {WEEKDAYS[value.weekday()]}, not a monday")
        return value


MAX_PROMISE_HOURS = 72  # a deferred promise must fit well inside the (cyclic) week


def check_fraction(value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"{value:g} is not a fraction from 0 to 1 (write 0.8 for 80%)")
    return value


Fraction = Annotated[float, AfterValidator(check_fraction)]


class ServiceGoal(Strict):
    """A channel's promise: a share of its contacts answered within a wait.

    It turns a forecast into required advisers: Erlang C on a real-time channel (the wait before
    an adviser picks up), the carry-over model on a deferred one (the time until the answer is
    sent). Shares are fractions: 0.8 is 80%.
    """

    service_level: Fraction = Field(
        description="Share of contacts answered within the wait, as a fraction (0.8 for 80%)"
    )
    within_seconds: float | None = Field(
        default=None, gt=0, le=MAX_PROMISE_HOURS * 3600, description="The wait in seconds"
    )
    within_minutes: float | None = Field(
        default=None, gt=0, le=MAX_PROMISE_HOURS * 60, description="The wait in minutes"
    )
    asa_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Real-time only: an average speed of answer to meet as well, in seconds",
    )
    max_occupancy: Fraction = Field(
        default=1.0,
        description="Real-time only: the highest share of their time advisers spend on calls",
    )
    shrinkage: Fraction = Field(
        default=0.0,
        description=(
            "Share of scheduled time not spent on contacts (absence, meetings, coaching); "
            "breaks are in the roster already"
        ),
    )

    @model_validator(mode="after")
    def _goal(self) -> ServiceGoal:
        if not 0 < self.service_level < 1:
            raise ValueError(
                f"service_level {self.service_level:g}: give a share above 0 and below 1 "
                "(no staffing answers every contact within a wait when they arrive at random)"
            )
        if (self.within_seconds is None) == (self.within_minutes is None):
            raise ValueError("give the wait as within_seconds or within_minutes (one of them)")
        if self.max_occupancy <= 0:
            raise ValueError("max_occupancy: give a share above 0")
        if self.shrinkage >= 1:
            raise ValueError("shrinkage: give a share below 1")
        return self

    @property
    def wait_seconds(self) -> float:
        """The wait of the promise, in seconds."""
        if self.within_seconds is not None:
            return self.within_seconds
        assert self.within_minutes is not None  # one of the two, checked above
        return self.within_minutes * 60


class Channel(Strict):
    """A contact channel; `realtime` work must be answered now, `deferred` work can wait."""

    name: Name
    kind: Literal["realtime", "deferred"] = "deferred"
    label: str | None = Field(default=None, description="Shown to people, e.g. 'Social media'")
    service: ServiceGoal | None = Field(
        default=None, description="The service goal that turns a forecast into required advisers"
    )

    @property
    def title(self) -> str:
        return self.label or self.name.capitalize()

    @model_validator(mode="after")
    def _goal_fits_kind(self) -> Channel:
        if self.service is not None and self.kind == "deferred":
            for field in ("asa_seconds", "max_occupancy"):
                if field in self.service.model_fields_set:
                    raise ValueError(f"service.{field} applies to real-time channels only")
        return self


class Window(Strict):
    """A part of the day [start, end) on the wall clock; end <= start crosses midnight.

    start == end means the whole day.
    """

    start: Clock = "00:00"
    end: Clock = "00:00"

    def contains(self, moment: time) -> bool:
        """Whether a wall-clock time of day lies inside the window."""
        lo, hi = parse_clock(self.start), parse_clock(self.end)
        if lo == hi:
            return True
        if lo < hi:
            return lo <= moment < hi
        return moment >= lo or moment < hi


class StartRange(Strict):
    """Shift starts every `every_minutes` from `start` to `end` included (local wall clock)."""

    start: Clock = Field(alias="from")
    end: Clock = Field(alias="to")
    every_minutes: int = Field(default=60, gt=0, le=1440)

    @model_validator(mode="after")
    def _ordered(self) -> StartRange:
        if parse_clock(self.end) < parse_clock(self.start):
            raise ValueError(f"shift start range from {self.start} to {self.end} is empty")
        return self

    def clocks(self) -> list[time]:
        lo, hi = parse_clock(self.start), parse_clock(self.end)
        first, last = lo.hour * 60 + lo.minute, hi.hour * 60 + hi.minute
        if last < first:
            raise ValueError(f"shift start range from {self.start} to {self.end} is empty")
        return [time(m // 60, m % 60) for m in range(first, last + 1, self.every_minutes)]


class BreakRule(Strict):
    """A shift longer than `required_over_hours` holds one break of `minutes`.

    The break starts between `earliest_after_minutes` and `latest_after_minutes` after the
    shift start, on the interval grid.
    """

    minutes: int = Field(default=30, ge=0, le=240)
    required_over_hours: float = Field(default=6, ge=0)
    earliest_after_minutes: int = Field(default=120, ge=0)
    latest_after_minutes: int = Field(default=300, ge=0)
    paid: bool = Field(default=False, description="Whether break time counts as hours worked")

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        if self.latest_after_minutes < self.earliest_after_minutes:
            raise ValueError("latest_after_minutes is before earliest_after_minutes")
        return self


class LabourRules(Strict):
    """A team's labour rules as values (hours are worked hours unless said otherwise)."""

    min_rest_between_shifts_hours: float = Field(default=11, ge=0)
    max_hours_per_day: float = Field(default=10, gt=0, le=24)
    max_hours_per_week: float = Field(default=48, gt=0)
    contract_hours_per_week: float = Field(default=35, ge=0)
    contract_tolerance_hours: float = Field(default=1, ge=0)
    max_consecutive_days: int = Field(default=6, ge=1, le=14)
    min_weekly_rest_hours: float = Field(default=35, ge=0, le=168)
    shift_starts: list[Clock] | StartRange = Field(
        default_factory=lambda: StartRange.model_validate({"from": "07:00", "to": "14:00"}),
        description="Allowed shift starts on the team's local wall clock",
    )
    shift_lengths_hours: list[float] = Field(
        default_factory=lambda: [7.5],
        min_length=1,
        description="Allowed shift lengths in hours, break included",
    )
    break_: BreakRule = Field(default_factory=BreakRule, alias="break")
    min_block_minutes: int = Field(
        default=60, ge=0, description="Shortest stretch on one channel inside a shift"
    )

    def start_clocks(self) -> list[time]:
        if isinstance(self.shift_starts, StartRange):
            return self.shift_starts.clocks()
        return sorted({parse_clock(s) for s in self.shift_starts})

    @field_validator("shift_lengths_hours")
    @classmethod
    def _lengths(cls, values: list[float]) -> list[float]:
        for v in values:
            if not 0 < v <= 24:
                raise ValueError(f"shift length {v} h is not between 0 and 24 hours")
        return sorted(set(values))

    def break_minutes(self, shift_minutes: int) -> int:
        """Minutes of break a shift of that length holds (0 if none is required)."""
        if shift_minutes > self.break_.required_over_hours * 60:
            return self.break_.minutes
        return 0

    def worked_minutes(self, shift_minutes: int) -> int:
        if self.break_.paid:
            return shift_minutes
        return shift_minutes - self.break_minutes(shift_minutes)


Split = dict[str, float]


def check_split(split: Split) -> Split:
    for channel, share in split.items():
        if share < 0 or share > 100:
            raise ValueError(f"share of {channel!r} is {share}%, not between 0 and 100")
    total = sum(split.values())
    if abs(total - 100) > 1e-6:
        raise ValueError(f"channel split adds up to {total:g}%, not 100%")
    return split


class Team(Strict):
    """A team: its zone, labour rules, the part of the day it may cover, its default split."""

    name: Name
    timezone: TimeZone
    rules: LabourRules = Field(default_factory=LabourRules)
    window: Window = Field(
        default_factory=Window,
        description="Part of the day, in the reference zone, that the team's shifts may cover",
    )
    split: Split | None = Field(
        default=None, description="Default share of worked time per channel, in percent"
    )
    split_tolerance_points: float = Field(default=5, ge=0, le=100)

    @field_validator("split")
    @classmethod
    def _split(cls, value: Split | None) -> Split | None:
        return None if value is None else check_split(value)


class Unavailability(Strict):
    """A whole local day (`date`) or a span (`start`, `end`) when the adviser cannot work."""

    date: Date | None = None
    start: datetime | None = None
    end: datetime | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Unavailability:
        if self.date is not None:
            if self.start is not None or self.end is not None:
                raise ValueError("give either a date or a start and an end, not both")
            return self
        if self.start is None or self.end is None:
            raise ValueError("give a date, or both a start and an end")
        for label, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is None:
                raise ValueError(f"{label} {value.isoformat()} has no UTC offset")
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class Preferences(Strict):
    """Wishes the roster tries to honour (soft)."""

    days_off: list[date] = Field(default_factory=list, description="Local dates wished off")
    earliest_start: Clock | None = Field(default=None, description="Local wall clock")
    latest_end: Clock | None = Field(default=None, description="Local wall clock")


class Adviser(Strict):
    """An adviser: skills (channels, languages), channel split target, unavailability, wishes."""

    id: Name
    name: str = ""
    team: Name
    channels: list[Name] = Field(min_length=1)
    languages: list[str] = Field(default_factory=list)
    split: Split | None = Field(default=None, description="Percent per channel; team default")
    split_tolerance_points: float | None = Field(default=None, ge=0, le=100)
    contract_hours_per_week: float | None = Field(default=None, ge=0)
    unavailable: list[Unavailability] = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=Preferences)
    volunteer: bool = False

    @field_validator("split")
    @classmethod
    def _split(cls, value: Split | None) -> Split | None:
        return None if value is None else check_split(value)


class MinimumCover(Strict):
    """An always-on rule: at least `advisers` on `channel` (optionally speaking `language`)."""

    channel: Name
    advisers: int = Field(ge=0)
    language: str | None = None
    window: Window | None = Field(
        default=None, description="In the reference zone; all day if absent"
    )
    days: list[Literal[WEEKDAYS]] | None = None  # type: ignore[valid-type]


class Demand(Strict):
    """Where required advisers come from: a CSV file, a forecast and always-on minimum rules.

    Where the CSV and the forecast both ask for advisers on the same interval, channel and
    language, the larger number holds.
    """

    csv: str | None = Field(
        default=None,
        description="CSV path relative to the scenario: interval_start,channel,required[,language]",
    )
    forecast: str | None = Field(
        default=None,
        description=(
            "Forecast CSV path relative to the scenario: "
            "interval_start,channel,volume,aht_seconds[,language]; "
            "turned into required advisers with the channels' service goals"
        ),
    )
    minimum: list[MinimumCover] = Field(default_factory=list)


class Weights(Strict):
    """Penalty points of the soft rules; coverage terms are per adviser-hour."""

    shortfall: int = Field(default=1000, ge=0, description="Per missing adviser-hour")
    overstaffing: int = Field(default=10, ge=0, description="Per surplus adviser-hour")
    split_deviation: int = Field(default=20, ge=0, description="Per hour away from split target")
    fairness_nights: int = Field(default=50, ge=0, description="Per night shift above fair share")
    fairness_weekends: int = Field(
        default=50, ge=0, description="Per weekend shift above fair share"
    )
    preferences: int = Field(default=30, ge=0, description="Per shift against a wish")


class SolverSettings(Strict):
    """Search knobs: every solve is bounded in time and reproducible."""

    time_limit_seconds: float = Field(default=10, gt=0, le=86400)
    workers: int = Field(default=2, ge=1, le=64)
    seed: int = Field(default=0, ge=0)


class Scenario(Strict):
    """A planning week as a supervisor describes it."""

    name: str = "scenario"
    week: Week
    channels: list[Channel] = Field(min_length=1)
    teams: list[Team] = Field(min_length=1)
    advisers: list[Adviser]
    demand: Demand = Field(default_factory=Demand)
    carry_in: str | None = Field(
        default=None,
        description=(
            "CSV of activities worked before the week (adviser_id,activity,start,end: "
            "a previous solve's activities.csv), for cover and rest rules"
        ),
    )
    weights: Weights = Field(default_factory=Weights)
    solver: SolverSettings = Field(default_factory=SolverSettings)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        channels = {c.name for c in self.channels}
        _unique("channels", [c.name for c in self.channels])
        _unique("teams", [t.name for t in self.teams])
        _unique("advisers", [a.id for a in self.advisers])
        teams = {t.name: t for t in self.teams}
        for i, team in enumerate(self.teams):
            for channel in team.split or {}:
                if channel not in channels:
                    raise ValueError(f"teams[{i}].split: unknown channel {channel!r}")
        for i, adviser in enumerate(self.advisers):
            where = f"advisers[{i}] ({adviser.id})"
            if adviser.team not in teams:
                raise ValueError(f"{where}.team: unknown team {adviser.team!r}")
            for channel in adviser.channels:
                if channel not in channels:
                    raise ValueError(f"{where}.channels: unknown channel {channel!r}")
            split = self.split_of(adviser)
            for channel, share in split.items():
                if channel not in channels:
                    raise ValueError(f"{where}.split: unknown channel {channel!r}")
                if share > 0 and channel not in adviser.channels:
                    raise ValueError(
                        f"{where}.split: {share:g}% on {channel!r}, a channel the adviser lacks"
                    )
        if self.demand.forecast and not any(c.service for c in self.channels):
            raise ValueError(
                "demand.forecast: no channel has a service goal (channels[].service) "
                "to turn the forecast into advisers"
            )
        for i, rule in enumerate(self.demand.minimum):
            if rule.channel not in channels:
                raise ValueError(f"demand.minimum[{i}].channel: unknown channel {rule.channel!r}")
        return self

    def team(self, name: str) -> Team:
        return next(t for t in self.teams if t.name == name)

    def channel(self, name: str) -> Channel:
        return next(c for c in self.channels if c.name == name)

    def adviser(self, adviser_id: str) -> Adviser:
        return next(a for a in self.advisers if a.id == adviser_id)

    def split_of(self, adviser: Adviser) -> Split:
        """The adviser's target share per channel in percent: own, else team's, else even."""
        if adviser.split is not None:
            return adviser.split
        team = next(t for t in self.teams if t.name == adviser.team)
        if team.split is not None:
            known = {c: s for c, s in team.split.items() if c in adviser.channels}
            total = sum(known.values())
            if total > 0:
                return {c: 100 * s / total for c, s in known.items()}
        return {c: 100 / len(adviser.channels) for c in adviser.channels}

    def split_tolerance_of(self, adviser: Adviser) -> float:
        if adviser.split_tolerance_points is not None:
            return adviser.split_tolerance_points
        return self.team(adviser.team).split_tolerance_points

    def contract_hours_of(self, adviser: Adviser) -> float:
        """Contract hours for this week: own or team's, less a fifth per whole day of leave."""
        rules = self.team(adviser.team).rules
        weekly = adviser.contract_hours_per_week
        if weekly is None:
            weekly = rules.contract_hours_per_week
        leave_days = {u.date for u in adviser.unavailable if u.date is not None}
        week = {self.week.monday.toordinal() + i for i in range(7)}
        days = sum(1 for d in leave_days if d.toordinal() in week)
        return max(0.0, weekly * (1 - min(days, 5) / 5))


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what}: {name!r} appears twice")
        seen.add(name)
