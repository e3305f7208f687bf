"""The solve of one job, run in a child process: a snapshot in, progress and a result out.

Only picklable values cross the pipe: tuples of a message kind and plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from api.convert import problem_of
from roster.report import NO_ROSTER
from roster.solution import Roster
from roster.timegrid import iso_utc
from roster.validation import validate


def roster_data(roster: Roster) -> list[list[Any]]:
    """A roster as [adviser, start, end, [[kind, start, end], ...]] with UTC ISO instants."""
    return [
        [
            s.adviser_id,
            iso_utc(s.start),
            iso_utc(s.end),
            [[a.kind, iso_utc(a.start), iso_utc(a.end)] for a in s.activities],
        ]
        for s in roster.shifts
    ]


def solve_snapshot(
    snapshot: dict[str, Any],
    time_limit: float | None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Solve a snapshot's week and check the roster; the result as plain data."""
    from solver.result import Progress
    from solver.solve import solve  # loads OR-Tools: only in the process that solves

    problem = problem_of(snapshot)

    def progress(step: Progress) -> None:
        if on_progress is not None:
            on_progress(
                {
                    "seconds": step.seconds,
                    "objective": step.objective,
                    "bound": step.bound,
                    "stage": step.stage,
                }
            )

    result = solve(problem, time_limit=time_limit, on_progress=progress)
    found = result.status not in NO_ROSTER
    return {
        "status": result.status,
        "objective": result.objective,
        "lower_bound": result.lower_bound,
        "gap": result.gap,
        "solve_seconds": result.solve_seconds,
        "penalties": result.penalties,
        "diagnosis": result.diagnosis,
        "violations": [str(v) for v in validate(problem, result.roster)] if found else [],
        "shifts": roster_data(result.roster) if found else [],
    }


def run(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    """A job's child process: send ("progress", {...}) per improvement, then one of
    ("done", result) or ("error", message)."""
    try:
        # A surge plan's snapshot carries its incident (api.incidents); others are week solves.
        if "incident" in snapshot:
            from api.incident_worker import plan_snapshot

            result = plan_snapshot(snapshot, time_limit, lambda p: conn.send(("progress", p)))
        else:
            result = solve_snapshot(snapshot, time_limit, lambda p: conn.send(("progress", p)))
        conn.send(("done", result))
    except Exception as err:  # reported to the job, whatever went wrong in the solve
        conn.send(("error", f"{type(err).__name__}: {err}"))
    finally:
        conn.close()
