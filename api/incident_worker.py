"""A surge plan in a job's child process: a plan snapshot in, plain data out (solver.surge)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.convert import problem_of
from api.versions import _roster_of  # the reader of `api.worker.roster_data`
from roster.incident import Incident
from roster.model import Scenario
from roster.timegrid import iso_utc, to_local


def _people(items: list[Any], scenario: Scenario, first: tuple[str, ...]) -> list[dict[str, Any]]:
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
                "start": iso_utc(item.start),
                "end": iso_utc(item.end),
                "local_start": to_local(item.start, zone).isoformat(),
                "local_end": to_local(item.end, zone).isoformat(),
                "channels": list(item.channels),
                "hours": getattr(item, "hours", None),
                "useful_hours": item.useful_hours,
            }
        )
    return out


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
        "surge": {
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
            "call_ups": _people(plan.call_ups, scenario, ("kind",)),
            "invitations": _people(plan.invitations, scenario, ("rank", "role")),
            "invitations_wanted": plan.invitations_wanted,
            "violations": [str(v) for v in plan.violations],
        },
    }
