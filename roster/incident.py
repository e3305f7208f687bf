"""Incidents: a surge of contacts over a window, the people who may answer it, its rules.

An incident scales the week's demand by channel (by a severity level from a library kept as
data, or by explicit factors) and names who volunteered and for how many extra hours, the
managers who may be on duty (one for every `advisers_per_manager` advisers working) and any
outsourcer's pool. The surge plan (solver.surge) must then respect the rules checked here
besides the labour rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Annotated

import numpy as np
from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from roster import staffing
from roster.demand import Key, Requirements
from roster.errors import ScenarioError
from roster.forecast import Forecast
from roster.model import Name, Scenario, Strict
from roster.problem import Problem
from roster.rules import Violation
from roster.solution import Activity, Roster, Shift
from roster.timegrid import Grid, iso_utc

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

    def channel_factors(self) -> dict[str, float]:
        """Demand factors per channel: the level's, overridden by those given."""
        level = self.levels[self.level] if self.level is not None else Level()
        return {**level.factors, **self.factors}

    def demand_added(self) -> list[ExtraDemand]:
        """The level's lines opened over the whole incident, then the extra demand given."""
        level = self.levels[self.level] if self.level is not None else Level()
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
        level = self.levels[self.level] if self.level is not None else Level()
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
    added = incident.demand_added()
    contacts = _extra_contacts(grid, added)
    for key, row in _extra_headcounts(surged, grid, added, contacts).items():
        _add_demand(req, key, row)
    forecast = problem.forecast
    if forecast is not None:
        # the contacts grow by the same factors, so that the projected service is the crisis's
        volume, aht = dict(forecast.volume), dict(forecast.aht)
        for key, row in forecast.volume.items():
            scaled = row.copy()
            scaled[window] = scaled[window] * factors.get(key[0], 1.0)
            volume[key] = scaled
        for key, (more, seconds) in contacts.items():
            volume[key], aht[key] = _pooled(volume.get(key), aht.get(key), more, seconds)
        forecast = replace(forecast, volume=volume, aht=aht)
    return Problem(surged, grid, req, problem.carry_in, problem.source, forecast)


Contacts = dict[Key, tuple[np.ndarray, np.ndarray]]  # volume and handling time per interval


def _extra_contacts(grid: Grid, extras: Sequence[ExtraDemand]) -> Contacts:
    """The extra contacts per key and interval, with their handling time."""
    out: Contacts = {}
    for extra in extras:
        if extra.contacts_per_hour is None or extra.aht_seconds is None:
            continue
        volume = np.zeros(grid.count)
        span = grid.span(extra.start, extra.end)
        volume[span.start : span.stop] = extra.contacts_per_hour * grid.minutes / 60
        aht = np.where(volume > 0, extra.aht_seconds, 0.0)
        key = (extra.channel, extra.language)
        before = out.get(key)
        out[key] = _pooled(*(before or (None, None)), volume, aht)
    return out


def _pooled(
    volume: np.ndarray | None, aht: np.ndarray | None, more: np.ndarray, seconds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two streams of contacts as one: volumes added, handling times weighted by volume."""
    if volume is None or aht is None:
        return more.copy(), seconds.copy()
    total = volume + more
    work = volume * aht + more * seconds
    return total, np.divide(work, total, out=np.zeros_like(total), where=total > 0)


def _extra_headcounts(
    scenario: Scenario, grid: Grid, extras: Sequence[ExtraDemand], contacts: Contacts
) -> dict[Key, list[int]]:
    """Advisers the extra demand asks for: given, or sized from the contacts on their own.

    Sized apart from the week's contacts they need a little more than sized together (queues
    pool), the cautious reading, as for the scaled demand.
    """
    out: dict[Key, list[int]] = {}
    for extra in extras:
        if extra.advisers is not None:
            row = out.setdefault((extra.channel, extra.language), [0] * grid.count)
            for t in grid.span(extra.start, extra.end):
                row[t] += extra.advisers
    if contacts:
        volume = {key: v for key, (v, _) in contacts.items()}
        aht = {key: a for key, (_, a) in contacts.items()}
        plans = staffing.plan(scenario, Forecast(grid, volume, aht), service=False)
        for key, plan in plans.items():
            row = out.setdefault(key, [0] * grid.count)
            for t, n in enumerate(plan.required):
                row[t] += int(n)
    return out


def _add_demand(req: Requirements, key: Key, row: list[int]) -> None:
    """Add advisers to a key's demand so that the channel's headcount grows by as many."""
    channel, language = key
    if language is None and (channel, None) not in req.required:
        req.required[(channel, None)] = req.headcount(channel)  # the languages' sum, kept
    if language is not None and (channel, None) in req.required:
        _add(req.row((channel, None)), row)
    _add(req.row(key), row)


def _add(target: list[int], more: list[int]) -> None:
    for t, n in enumerate(more):
        target[t] += n


def booked_cover(
    problem: Problem, bookings: Sequence[Booking], incident: Incident
) -> dict[Key, list[int]]:
    """Outsourcers' advisers per channel (and language they speak) and interval."""
    languages = {p.name: set(p.languages) for p in incident.external}
    keys = problem.requirements.ordered_keys()
    out: dict[Key, list[int]] = {}
    for booking in bookings:
        spoken = languages.get(booking.pool, set())
        mine = [(booking.channel, None)]
        mine += [k for k in keys if k[0] == booking.channel and k[1] in spoken]
        for key in mine:
            row = out.setdefault(key, [0] * problem.grid.count)
            for t in problem.grid.span(booking.start, booking.end):
                row[t] += booking.advisers
    return out


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


def managers_missing(
    problem: Problem, plan: Roster, duties: Sequence[Duty], incident: Incident
) -> list[int]:
    """Managers missing from the ratio at each interval of the incident (0 elsewhere).

    One manager on duty for every `advisers_per_manager` advisers working (on a channel, not on
    a break) or part of them. An outsourcer's advisers are the outsourcer's to supervise.
    """
    grid = problem.grid
    scheduled = problem.scheduled(plan)
    rows = [scheduled[(c.name, None)] for c in problem.scenario.channels]
    on_duty = [0] * grid.count
    for duty in duties:
        for t in grid.span(duty.start, duty.end):
            on_duty[t] += 1
    missing = [0] * grid.count
    for t in incident_window(grid, incident):
        working = sum(row[t] for row in rows)
        missing[t] = max(0, math.ceil(working / incident.advisers_per_manager) - on_duty[t])
    return missing


def surge_violations(
    published: Roster,
    plan: Roster,
    incident: Incident,
    scenario: Scenario,
    duties: Sequence[Duty] = (),
) -> list[Violation]:
    """The surge's own rules broken by a plan: who was touched, how early, how many hours."""
    found = _adviser_violations(published, plan, incident, scenario)
    found += _duty_violations(duties, incident, scenario)
    found += _confirmed_violations(published, plan, duties, incident)
    return sorted(found, key=lambda v: (v.start, v.adviser_id, v.rule))


def _adviser_violations(
    published: Roster, plan: Roster, incident: Incident, scenario: Scenario
) -> list[Violation]:
    offers = incident.offers(scenario)
    before = published.by_adviser()
    after = plan.by_adviser()
    found: list[Violation] = []
    for adviser in scenario.advisers:
        old = withdraw(before.get(adviser.id, []), incident.withdrawals(adviser.id))
        new = after.get(adviser.id, [])
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
    return found


def _duty_violations(
    duties: Sequence[Duty], incident: Incident, scenario: Scenario
) -> list[Violation]:
    """Managers' duties: from the pool, after they can come, within their hours and rest."""
    pool = {m.id: m for m in incident.available_managers()}
    found: list[Violation] = []

    def broken(duty: Duty, detail: str) -> None:
        found.append(Violation("surge_manager_duty", duty.manager_id, duty.start, duty.end, detail))

    mine: dict[str, list[Duty]] = {}
    for duty in duties:
        mine.setdefault(duty.manager_id, []).append(duty)
    for manager_id, theirs in mine.items():
        manager = pool.get(manager_id)
        if manager is None:
            for duty in theirs:
                broken(duty, "not a manager of the pool (or one who declined)")
            continue
        earliest = incident.earliest_call_up
        if manager.available_from is not None:
            earliest = max(earliest, manager.available_from)
        rest = timedelta(hours=scenario.team(manager.team).rules.min_rest_between_shifts_hours)
        theirs = sorted(theirs, key=lambda d: d.start)
        for before, after in pairwise(theirs):
            if after.start < before.end + rest:
                broken(after, f"starts less than {rest.total_seconds() / 3600:g} h after a duty")
        for duty in theirs:
            if duty.start < earliest:
                broken(duty, f"starts before {iso_utc(earliest)}")
        hours = sum((d.end - d.start).total_seconds() for d in theirs) / 3600
        if hours > manager.hours + 1e-9:
            broken(theirs[0], f"{hours:g} hours of duty against {manager.hours:g} offered")
    return found


def _confirmed_violations(
    published: Roster, plan: Roster, duties: Sequence[Duty], incident: Incident
) -> list[Violation]:
    """Work someone accepted is in the plan as it was accepted.

    A duty exactly; a call-up as a shift that ends when it did and starts with it, or earlier
    with published work (the shift it extends, or the call-up itself once published).
    """
    on_duty = {(d.manager_id, d.start, d.end) for d in duties}
    starts = {(s.adviser_id, s.start) for s in published.shifts}
    shifts = plan.by_adviser()
    found = []
    for work in incident.confirmed:
        kept = (work.person, work.start, work.end) in on_duty or any(
            s.end == work.end
            and (
                s.start == work.start
                or (s.start < work.start and (s.adviser_id, s.start) in starts)
            )
            for s in shifts.get(work.person, [])
        )
        if not kept:
            found.append(
                Violation(
                    "surge_confirmed",
                    work.person,
                    work.start,
                    work.end,
                    "accepted work is not in the plan as it was accepted",
                )
            )
    return found


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
