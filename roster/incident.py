"""Incidents: a surge of contacts over a window and the people who may answer it.

An incident scales the week's demand by channel (by a severity level from a library kept as
data, or by explicit factors) and names who volunteered and for how many extra hours, the
managers who may be on duty (one for every `advisers_per_manager` advisers working) and any
outsourcer's pool. `roster.surge_demand` makes the week it describes; a surge plan
(solver.surge) must respect `roster.surge_rules` besides the labour rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from roster.errors import ScenarioError
from roster.model import Name, Scenario, Strict
from roster.solution import Activity, Shift
from roster.timegrid import Grid

# Severity levels, as data: factors on each channel's demand and lines opened. Ours, from the
# domain brief's examples (level 1: social x1.5; level 3: social x5, phone x3); a scenario with
# a priority line (a channel) gives its own levels to open it, e.g. {"priority": 2} at level 3.
LEVELS: dict[int, dict[str, dict[str, float]]] = {
    1: {"factors": {"social": 1.5}},
    2: {"factors": {"social": 3.0, "phone": 2.0}},
    3: {"factors": {"social": 5.0, "phone": 3.0}},
}
# Rules the surge lifts: volunteers' hours follow their offer (surge_extra_hours), and
# advisers on duty may change channel, so their week's split moves with the crisis.
SUSPENDED_RULES = ("contract_hours", "channel_split")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


Instant = Annotated[AwareDatetime, AfterValidator(_utc)]
Span = tuple[datetime, datetime]


class Offer(Strict):
    """What one volunteer accepts: extra hours this week, and from when they can start."""

    adviser: Name
    extra_hours: float = Field(default=12, ge=0, le=60)
    available_from: Instant | None = None


class Costs(Strict):
    """Points for each change the plan makes, against 1,000 per missing adviser-hour."""

    call_up: int = Field(default=40, ge=0, description="Per shift added to a volunteer's week")
    extension: int = Field(default=20, ge=0, description="Per volunteer's shift made longer")
    move: int = Field(default=200, ge=0, description="Per volunteer's shift taken away")
    channel_change: int = Field(default=5, ge=0, description="Per block moved to a channel")
    manager_duty: int = Field(default=40, ge=0, description="Per manager's duty planned")
    # Twice a missing adviser-hour: the ratio is a must, so the plan does not call up an
    # adviser whom no manager could cover (advisers already on duty count all the same).
    manager_shortfall: int = Field(
        default=2000, ge=0, description="Per manager-hour missing from the ratio"
    )


class Level(Strict):
    """A severity level: factors on channels' demand, and lines opened over the incident."""

    factors: dict[Name, float] = Field(default_factory=dict)
    lines: dict[Name, int] = Field(
        default_factory=dict, description="Advisers on a channel all through the incident"
    )

    @model_validator(mode="before")
    @classmethod
    def _factors_only(cls, data: object) -> object:
        """A level may be given as its factors alone: {"social": 5, "phone": 3}."""
        if isinstance(data, dict) and not {"factors", "lines"} & data.keys():
            return {"factors": data}
        return data


class ExtraDemand(Strict):
    """More demand on a channel over [start, end): advisers, or contacts per hour that the
    channel's service goal sizes (the staffing model of `roster.staffing`)."""

    channel: Name
    language: str | None = None
    start: Instant
    end: Instant
    advisers: int | None = Field(default=None, ge=0, le=100_000)
    contacts_per_hour: float | None = Field(default=None, ge=0, le=1_000_000)
    aht_seconds: float | None = Field(default=None, gt=0, le=86_400)

    @model_validator(mode="after")
    def _one_kind(self) -> ExtraDemand:
        if self.end <= self.start:
            raise ValueError("end must come after start")
        if (self.advisers is None) == (self.contacts_per_hour is None):
            raise ValueError("give either advisers or contacts_per_hour")
        if self.contacts_per_hour is not None and self.aht_seconds is None:
            raise ValueError("contacts_per_hour needs aht_seconds")
        return self


class Manager(Strict):
    """A manager who may be on duty during the incident, under their team's labour rules."""

    id: Name
    name: str = ""
    team: Name = Field(description="Whose time zone, shift starts and labour rules apply")
    hours: float = Field(default=24, gt=0, le=60, description="Hours of duty offered")
    available_from: Instant | None = None


class External(Strict):
    """An outsourcer's pool: advisers with these skills, so many at once, booked by shifts."""

    name: Name
    channels: list[Name] = Field(min_length=1)
    languages: list[str] = Field(default_factory=list)
    capacity: int = Field(ge=1, le=10_000, description="Advisers at once")
    available_from: Instant | None = None
    shift_hours: float = Field(default=8, gt=0, le=24)
    cost_per_hour: int = Field(
        default=150, ge=0, description="Points per adviser-hour booked, against 1,000 missing"
    )


class Confirmed(Strict):
    """Work someone accepted (a call-up, a manager's duty): a new plan keeps it as it is."""

    person: Name = Field(description="A volunteer's or a manager's id")
    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> Confirmed:
        if self.end <= self.start:
            raise ValueError("end must come after start")
        return self


@dataclass(frozen=True)
class Duty:
    """A manager on duty over [start, end) during the incident."""

    manager_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Booking:
    """Advisers of an external pool booked on a channel over [start, end)."""

    pool: str
    channel: str
    start: datetime
    end: datetime
    advisers: int


class Incident(Strict):
    """A surge over [start, end), requested at `requested_at`, answered by volunteers."""

    name: str = "incident"
    requested_at: Instant
    start: Instant
    end: Instant
    level: int | None = Field(default=None, description="A key of `levels`")
    factors: dict[Name, float] = Field(
        default_factory=dict, description="Demand factor per channel; overrides the level's"
    )
    levels: dict[int, Level] = Field(
        default_factory=lambda: {n: Level.model_validate(v) for n, v in LEVELS.items()}
    )
    extra_demand: list[ExtraDemand] = Field(
        default_factory=list, description="Demand added on top of the scaled week's"
    )
    lead_time_hours: float = Field(default=6, ge=0, le=72)
    acceptance_rate: float = Field(default=0.4, gt=0, le=1)
    volunteers: list[Offer] | None = Field(
        default=None, description="Who opted in; default: advisers marked volunteer"
    )
    declined: list[Name] = Field(default_factory=list, description="Asked, said no or nothing")
    confirmed: list[Confirmed] = Field(
        default_factory=list, description="Call-ups and duties accepted: kept as they are"
    )
    withdrawn: list[Confirmed] = Field(
        default_factory=list,
        description="Work an earlier plan published that its adviser no longer does: taken back",
    )
    managers: list[Manager] = Field(
        default_factory=list, description="Who may be on duty; the ratio is planned if any"
    )
    advisers_per_manager: int = Field(default=10, ge=1, le=1000)
    external: list[External] = Field(default_factory=list, description="Outsourcers' pools")
    extra_shift_lengths_hours: list[float] = Field(
        default_factory=list, description="Shift lengths allowed during the incident"
    )
    costs: Costs = Field(default_factory=Costs)

    @model_validator(mode="after")
    def _consistent(self) -> Incident:
        if self.end <= self.start:
            raise ValueError("end must come after start")
        if self.level is not None and self.level not in self.levels:
            raise ValueError(f"level {self.level} is not one of {sorted(self.levels)}")
        for label, names in (
            ("managers", [m.id for m in self.managers]),
            ("external", [p.name for p in self.external]),
        ):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{label}: {', '.join(twice)} given twice")
        return self

    @property
    def earliest_call_up(self) -> datetime:
        """No call-up starts before the request plus the mobilisation lead time."""
        return self.requested_at + timedelta(hours=self.lead_time_hours)

    def chosen_level(self) -> Level:
        """The severity level given, or none (no factor, no line)."""
        return self.levels[self.level] if self.level is not None else Level()

    def channel_factors(self) -> dict[str, float]:
        """Demand factors per channel: the level's, overridden by those given."""
        return {**self.chosen_level().factors, **self.factors}

    def demand_added(self) -> list[ExtraDemand]:
        """The level's lines opened over the whole incident, then the extra demand given."""
        level = self.chosen_level()
        lines = [
            ExtraDemand(channel=c, start=self.start, end=self.end, advisers=n)
            for c, n in level.lines.items()
        ]
        return lines + self.extra_demand

    def offers(self, scenario: Scenario) -> dict[str, Offer]:
        """The volunteers still available: those offered, less those who declined."""
        given = self.volunteers
        if given is None:
            given = [Offer(adviser=a.id) for a in scenario.advisers if a.volunteer]
        return {o.adviser: o for o in given if o.adviser not in self.declined}

    def withdrawals(self, adviser_id: str) -> list[Span]:
        """The spans of published work taken back from this adviser."""
        return [(w.start, w.end) for w in self.withdrawn if w.person == adviser_id]

    def available_managers(self) -> list[Manager]:
        """The managers still available: those of the pool, less those who declined."""
        return [m for m in self.managers if m.id not in self.declined]

    def check(self, scenario: Scenario, source: str = "incident") -> None:
        """Names in the incident must exist in the scenario; raise ScenarioError otherwise."""

        def fail(message: str, where: str) -> None:
            raise ScenarioError(message, source=source, where=where)

        channels = {c.name for c in scenario.channels}
        for name in self.factors:
            if name not in channels:
                fail(f"unknown channel {name!r}", "factors")
        level = self.chosen_level()
        for part in ("factors", "lines"):
            for name in getattr(level, part):
                if name not in channels:
                    fail(f"unknown channel {name!r}", f"levels[{self.level}].{part}")
        for i, extra in enumerate(self.extra_demand):
            if extra.channel not in channels:
                fail(f"unknown channel {extra.channel!r}", f"extra_demand[{i}].channel")
            if (
                extra.contacts_per_hour is not None
                and scenario.channel(extra.channel).service is None
            ):
                fail(
                    f"channel {extra.channel!r} has no service goal to size contacts with",
                    f"extra_demand[{i}].contacts_per_hour",
                )
        advisers = {a.id for a in scenario.advisers}
        for i, offer in enumerate(self.volunteers or []):
            if offer.adviser not in advisers:
                fail(f"unknown adviser {offer.adviser!r}", f"volunteers[{i}].adviser")
        teams = {t.name for t in scenario.teams}
        for i, manager in enumerate(self.managers):
            if manager.team not in teams:
                fail(f"unknown team {manager.team!r}", f"managers[{i}].team")
            if manager.id in advisers:
                fail(f"{manager.id!r} is an adviser's id", f"managers[{i}].id")
        step = scenario.week.interval_minutes
        for i, pool in enumerate(self.external):
            for name in pool.channels:
                if name not in channels:
                    fail(f"unknown channel {name!r}", f"external[{i}].channels")
            if round(pool.shift_hours * 60) % step:
                fail(
                    f"{pool.shift_hours:g} h is not a whole number of {step}-minute intervals",
                    f"external[{i}].shift_hours",
                )
        for i, hours in enumerate(self.extra_shift_lengths_hours):
            if hours <= 0 or round(hours * 60) % step:
                fail(
                    f"{hours:g} h is not a positive whole number of {step}-minute intervals",
                    f"extra_shift_lengths_hours[{i}]",
                )
        for i, work in enumerate(self.withdrawn):
            if work.person not in advisers:
                fail(f"unknown adviser {work.person!r}", f"withdrawn[{i}].person")
        people = set(self.offers(scenario)) | {m.id for m in self.available_managers()}
        for i, work in enumerate(self.confirmed):
            if work.person not in people:
                fail(
                    f"{work.person!r} is not an available volunteer or manager",
                    f"confirmed[{i}].person",
                )


def withdraw(shifts: Sequence[Shift], spans: Sequence[Span]) -> list[Shift]:
    """The shifts without the work taken back: a shift that is a span goes; one that ends
    with a span (a shift made longer) is cut back to where the span starts."""
    out = []
    for shift in shifts:
        cut = next((a for a, b in spans if b == shift.end and shift.start <= a < b), None)
        if cut is None:
            out.append(shift)
        elif cut > shift.start:
            kept = [a for a in shift.activities if a.start < cut]
            acts = tuple(Activity(a.kind, a.start, min(a.end, cut)) for a in kept)
            out.append(Shift(shift.adviser_id, shift.start, cut, acts))
    return out


def incident_window(grid: Grid, incident: Incident) -> range:
    """The intervals of the week that the incident covers."""
    return grid.span(incident.start, incident.end)
