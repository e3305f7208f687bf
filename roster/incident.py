"""Incidents: a surge of contacts over a window, the volunteers who may answer it, its rules.

An incident scales the week's demand by channel (by a severity level from a library kept as
data, or by explicit factors) and names who volunteered and for how many extra hours. The surge
plan (solver.surge) must then respect the rules checked here besides the labour rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from roster.demand import Requirements
from roster.errors import ScenarioError
from roster.model import Name, Scenario, Strict
from roster.problem import Problem
from roster.rules import Violation
from roster.solution import Roster, Shift
from roster.timegrid import iso_utc

# Severity levels: factors on each channel's demand. Ours, from the domain brief's examples
# (level 1: social x1.5; level 3: social x5, phone x3); an incident file may bring its own.
LEVELS: dict[int, dict[str, float]] = {
    1: {"social": 1.5},
    2: {"social": 3.0, "phone": 2.0},
    3: {"social": 5.0, "phone": 3.0},
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
    levels: dict[int, dict[Name, float]] = Field(default_factory=lambda: dict(LEVELS))
    lead_time_hours: float = Field(default=6, ge=0, le=72)
    acceptance_rate: float = Field(default=0.4, gt=0, le=1)
    volunteers: list[Offer] | None = Field(
        default=None, description="Who opted in; default: advisers marked volunteer"
    )
    declined: list[Name] = Field(default_factory=list, description="Asked, said no or nothing")
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
        return self

    @property
    def earliest_call_up(self) -> datetime:
        """No call-up starts before the request plus the mobilisation lead time."""
        return self.requested_at + timedelta(hours=self.lead_time_hours)

    def channel_factors(self) -> dict[str, float]:
        base = dict(self.levels.get(self.level, {})) if self.level is not None else {}
        return {**base, **self.factors}

    def offers(self, scenario: Scenario) -> dict[str, Offer]:
        """The volunteers still available: those offered, less those who declined."""
        given = self.volunteers
        if given is None:
            given = [Offer(adviser=a.id) for a in scenario.advisers if a.volunteer]
        return {o.adviser: o for o in given if o.adviser not in self.declined}

    def check(self, scenario: Scenario, source: str = "incident") -> None:
        """Names in the incident must exist in the scenario; raise ScenarioError otherwise."""
        channels = {c.name for c in scenario.channels}
        for name in self.channel_factors():
            if name not in channels:
                raise ScenarioError(f"unknown channel {name!r}", source=source, where="factors")
        advisers = {a.id for a in scenario.advisers}
        for i, offer in enumerate(self.volunteers or []):
            if offer.adviser not in advisers:
                raise ScenarioError(
                    f"unknown adviser {offer.adviser!r}",
                    source=source,
                    where=f"volunteers[{i}].adviser",
                )
        step = scenario.week.interval_minutes
        for i, hours in enumerate(self.extra_shift_lengths_hours):
            if hours <= 0 or round(hours * 60) % step:
                raise ScenarioError(
                    f"{hours:g} h is not a positive whole number of {step}-minute intervals",
                    source=source,
                    where=f"extra_shift_lengths_hours[{i}]",
                )


def surge_problem(problem: Problem, incident: Incident) -> Problem:
    """The week as the incident makes it: demand scaled over its window, surge lengths allowed.

    Headcounts are scaled and rounded up interval by interval. Where the week has a forecast,
    scaling volumes and sizing again with the channel's goal would need fewer advisers
    (queues pool better when they grow); scaling headcounts is the cautious reading. The
    forecast's volumes are scaled too, so that the projected service reads the crisis.
    """
    scenario = problem.scenario
    teams = []
    for team in scenario.teams:
        lengths = sorted({*team.rules.shift_lengths_hours, *incident.extra_shift_lengths_hours})
        rules = team.rules.model_copy(update={"shift_lengths_hours": lengths})
        teams.append(team.model_copy(update={"rules": rules}))
    surged = scenario.model_copy(update={"teams": teams})
    factors = incident.channel_factors()
    grid = problem.grid
    window = [i for i, t in enumerate(grid.instants) if incident.start <= t < incident.end]
    req = Requirements(grid)
    for key, row in problem.requirements.required.items():
        factor = factors.get(key[0], 1.0)
        scaled = list(row)
        for i in window:
            scaled[i] = math.ceil(row[i] * factor - 1e-9)
        req.required[key] = scaled
    forecast = problem.forecast
    if forecast is not None:
        # the contacts grow by the same factors, so that the projected service is the crisis's
        volume = {}
        for key, row in forecast.volume.items():
            scaled = row.copy()
            scaled[window] = scaled[window] * factors.get(key[0], 1.0)
            volume[key] = scaled
        forecast = replace(forecast, volume=volume)
    return Problem(surged, grid, req, problem.carry_in, problem.source, forecast)


def surge_violations(
    published: Roster, plan: Roster, incident: Incident, scenario: Scenario
) -> list[Violation]:
    """The surge's own rules broken by a plan: who was touched, how early, how many hours."""
    offers = incident.offers(scenario)
    before = published.by_adviser()
    after = plan.by_adviser()
    found: list[Violation] = []
    for adviser in scenario.advisers:
        old, new = before.get(adviser.id, []), after.get(adviser.id, [])
        if adviser.id not in offers:
            found += _untouched(adviser.id, old, new, incident.requested_at)
            continue
        offer = offers[adviser.id]
        found += _late_enough(adviser.id, old, new, incident, offer)
        extra = (_worked(scenario, adviser.id, new) - _worked(scenario, adviser.id, old)) / 60
        if extra > offer.extra_hours + 1e-9:
            span = new[0] if new else None
            found.append(
                Violation(
                    "surge_extra_hours",
                    adviser.id,
                    span.start if span else incident.start,
                    span.end if span else incident.end,
                    f"{extra:g} extra hours against {offer.extra_hours:g} offered",
                )
            )
    return sorted(found, key=lambda v: (v.start, v.adviser_id, v.rule))


def _untouched(
    adviser_id: str, old: list[Shift], new: list[Shift], since: datetime
) -> Iterator[Violation]:
    """A non-volunteer keeps every shift; only blocks after the request may change channel."""
    times_old = [(s.start, s.end) for s in old]
    times_new = [(s.start, s.end) for s in new]
    if times_old != times_new:
        moved = sorted(set(times_old) ^ set(times_new))
        start, end = moved[0]
        yield Violation(
            "surge_untouched", adviser_id, start, end, "a non-volunteer's shifts were changed"
        )
        return
    for a, b in zip(old, new, strict=True):
        if _frozen(a, since) != _frozen(b, since) or _breaks(a) != _breaks(b):
            yield Violation(
                "surge_untouched",
                adviser_id,
                a.start,
                a.end,
                "a non-volunteer's breaks or blocks begun before the request were changed",
            )


def _frozen(shift: Shift, since: datetime) -> list[tuple[datetime, datetime, str]]:
    """The blocks begun before `since`, up to `since`: what a plan cannot change any more."""
    return [(a.start, min(a.end, since), a.kind) for a in shift.activities if a.start < since]


def _breaks(shift: Shift) -> list[tuple[datetime, datetime]]:
    return [(a.start, a.end) for a in shift.activities if a.kind == "break"]


def _late_enough(
    adviser_id: str, old: list[Shift], new: list[Shift], incident: Incident, offer: Offer
) -> Iterator[Violation]:
    """Work added to a volunteer's week starts no earlier than the call-up can reach them."""
    earliest = incident.earliest_call_up
    if offer.available_from is not None:
        earliest = max(earliest, offer.available_from)
    worked_before = [(s.start, s.end) for s in old]
    for shift in new:
        for start, end in _added(shift, worked_before):
            if start < earliest:
                yield Violation(
                    "surge_lead_time",
                    adviser_id,
                    start,
                    end,
                    f"added work starts before {iso_utc(earliest)}",
                )


def _added(shift: Shift, before: list[Span]) -> list[Span]:
    """The parts of a shift that no shift of the published week covered."""
    parts = [(shift.start, shift.end)]
    for a, b in before:
        next_parts = []
        for s, e in parts:
            if b <= s or e <= a:
                next_parts.append((s, e))
                continue
            if s < a:
                next_parts.append((s, a))
            if b < e:
                next_parts.append((b, e))
        parts = next_parts
    return parts


def _worked(scenario: Scenario, adviser_id: str, shifts: list[Shift]) -> int:
    team = scenario.team(scenario.adviser(adviser_id).team)
    return sum(team.rules.worked_minutes(s.minutes) for s in shifts)
