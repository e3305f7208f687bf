"""The surge's own rules, checked on a plan beside the labour rules, solver-independent.

Who was touched (`surge_untouched`), how early (`surge_lead_time`), how many hours
(`surge_extra_hours`), managers' duties (`surge_manager_duty`), accepted work
(`surge_confirmed`), and the managers' ratio as a shortage (`managers_missing`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from roster.incident import Duty, Incident, Offer, Span, incident_window, withdraw
from roster.model import Scenario
from roster.problem import Problem
from roster.rules import Violation
from roster.solution import Roster, Shift
from roster.timegrid import iso_utc


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
