"""A surge plan in a job's child process: a plan snapshot in, plain data out (solver.surge)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from api.convert import problem_of
from api.versions import _roster_of  # the reader of `api.worker.roster_data`
from roster.incident import Booking, Duty, Incident
from roster.model import Scenario
from roster.timegrid import Grid, iso_utc, to_local

if TYPE_CHECKING:  # OR-Tools loads only in the process that solves
    from solver.surge import SurgePlan


def _times(start: datetime, end: datetime, zone: str) -> dict[str, str]:
    return {
        "start": iso_utc(start),
        "end": iso_utc(end),
        "local_start": to_local(start, zone).isoformat(),
        "local_end": to_local(end, zone).isoformat(),
    }


def _hours(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 3600, 2)


def people(items: list[Any], scenario: Scenario, first: tuple[str, ...]) -> list[dict[str, Any]]:
    """Call-ups or invitations as the API and its CSV show them: names, UTC and local times."""
    zones = {t.name: t.timezone for t in scenario.teams}
    out = []
    for item in items:
        adviser = scenario.adviser(item.adviser_id)
        zone = zones[adviser.team]
        out.append(
            {
                **{k: getattr(item, k) for k in first},
                "adviser_id": item.adviser_id,
                "name": adviser.name,
                "team": adviser.team,
                **_times(item.start, item.end, zone),
                "channels": list(item.channels),
                "hours": getattr(item, "hours", None),
                "useful_hours": item.useful_hours,
            }
        )
    return out


def duty_records(
    duties: list[Duty], incident: Incident, scenario: Scenario
) -> list[dict[str, Any]]:
    """Managers' duties with names, UTC and the manager's local times."""
    managers = {m.id: m for m in incident.managers}
    zones = {t.name: t.timezone for t in scenario.teams}
    out = []
    for duty in duties:
        manager = managers[duty.manager_id]
        zone = zones[manager.team]
        out.append(
            {
                "manager_id": duty.manager_id,
                "name": manager.name,
                "team": manager.team,
                **_times(duty.start, duty.end, zone),
                "hours": _hours(duty.start, duty.end),
            }
        )
    return out


def booking_records(bookings: list[Booking], scenario: Scenario) -> list[dict[str, Any]]:
    """Outsourcers' advisers booked, with times on the week's reference clock."""
    zone = scenario.week.timezone
    return [
        {
            "pool": b.pool,
            "channel": b.channel,
            "advisers": b.advisers,
            **_times(b.start, b.end, zone),
            "hours": _hours(b.start, b.end),
        }
        for b in bookings
    ]


def surge_section(plan: SurgePlan, incident: Incident, scenario: Scenario) -> dict[str, Any]:
    """The plan as the API and `roster surge`'s summary.json show it: the incident, the
    figures, who is called up and invited, managers on duty, outsourcers' bookings."""
    week = Grid.for_week(
        scenario.week.monday, scenario.week.timezone, scenario.week.interval_minutes
    )
    # the plan is the week's: the hours of the incident outside it are another week's to plan
    outside = [
        {"from": iso_utc(lo), "to": iso_utc(hi)}
        for lo, hi in ((incident.start, week.start), (week.end, incident.end))
        if lo < hi
    ]
    return {
        "incident": incident.name,
        "requested_at": iso_utc(incident.requested_at),
        "start": iso_utc(incident.start),
        "end": iso_utc(incident.end),
        "outside_week": outside,
        "status": plan.status,
        "objective": plan.objective,
        "lower_bound": plan.lower_bound,
        "gap": plan.gap,
        "seconds": plan.seconds,
        "earliest_call_up": iso_utc(incident.earliest_call_up),
        "factors": incident.channel_factors(),
        "acceptance_rate": incident.acceptance_rate,
        "shortfall_hours_without_surge": plan.shortfall_before,
        "shortfall_hours_with_surge": plan.shortfall_after,
        "changes": plan.changes,
        "call_ups": people(plan.call_ups, scenario, ("kind",)),
        "invitations": people(plan.invitations, scenario, ("rank", "role")),
        "invitations_wanted": plan.invitations_wanted,
        "manager_duties": duty_records(plan.duties, incident, scenario),
        "manager_hours_missing": plan.manager_hours_missing,
        "advisers_per_manager": incident.advisers_per_manager,
        "external": booking_records(plan.bookings, scenario),
        "confirmed": [w.model_dump(mode="json") for w in incident.confirmed],
        "withdrawn": [w.model_dump(mode="json") for w in incident.withdrawn],
        "violations": [str(v) for v in plan.violations],
    }


def plan_snapshot(
    snapshot: dict[str, Any],
    time_limit: float | None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Plan the surge a snapshot describes; the result as `api.worker.solve_snapshot`'s, plus
    a `surge` part with the call-ups, invitations, shortfalls and changes."""
    from api.worker import roster_data
    from solver.surge import plan_surge  # loads OR-Tools: only in the process that solves

    problem = problem_of(snapshot)
    incident = Incident.model_validate(snapshot["incident"])
    published = _roster_of(snapshot["published"])
    limit = time_limit or problem.scenario.solver.time_limit_seconds
    if on_progress is not None:  # plan_surge reports no improvements: say at least it began
        on_progress({"seconds": 0.0, "objective": None, "bound": None, "stage": "surge"})
    plan = plan_surge(problem, published, incident, time_limit=limit)
    found = plan.status != "NO_SOLUTION"
    scenario = problem.scenario
    return {
        "status": plan.status,
        "objective": plan.objective,
        "lower_bound": plan.lower_bound,
        "gap": plan.gap,
        "solve_seconds": plan.seconds,
        "penalties": {},
        "diagnosis": [] if found else ["no plan found within the time limit"],
        "violations": [str(v) for v in plan.violations],
        "shifts": roster_data(plan.roster) if found else [],
        "surge": surge_section(plan, incident, scenario),
    }
