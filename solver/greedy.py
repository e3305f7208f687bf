"""A quick first roster to start the search from: advisers one by one, on the most needed hours.

Each adviser's week is chosen by a small CP-SAT model holding only their labour rules, with
the demand still uncovered as the value of each shift; the members of a class share one model.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from roster.model import Adviser
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Roster
from solver.classes import classes_of
from solver.labour import AdviserChoices

HEAD = 100  # a head's worth in the pick's objective, so that a hundredth of a head still counts


def greedy_weeks(problem: Problem, seconds_each: float = 0.5) -> dict[str, list[ShiftOption]]:
    """A week of shifts per adviser meeting their labour rules, cover-aware but not optimal."""
    grid = problem.grid
    carried = problem.scheduled(Roster())
    residual = {
        c.name: [
            float(max(0, r - h))
            for r, h in zip(
                problem.requirements.headcount(c.name), carried[(c.name, None)], strict=True
            )
        ]
        for c in problem.scenario.channels
    }
    out: dict[str, list[ShiftOption]] = {}
    for cls in classes_of(problem):
        model = cp_model.CpModel()
        lits = [model.new_bool_var("") for _ in cls.options]
        c = cls.post_rules(model, lits, grid)
        for adviser in cls.members:
            _pick(problem, model, c, adviser, residual, out, seconds_each)
    return out


def _pick(
    problem: Problem,
    model: cp_model.CpModel,
    c: AdviserChoices,
    adviser: Adviser,
    residual: dict[str, list[float]],
    out: dict[str, list[ShiftOption]],
    seconds: float,
) -> None:
    """The adviser's best week against the residual demand, which it then reduces.

    An interval is worth one head wherever the adviser's channels together still miss one:
    shortfall costs the same on every channel, and the channel split holds over the week, not
    in each interval. Counting each channel at the adviser's share instead sent the first
    advisers to the busiest hours and left the mornings to nobody (airline_week: 41,625
    points in the relaxation with the greedy's shifts fixed; counted by heads, 33,150).
    """
    grid = problem.grid
    share = problem.scenario.split_of(adviser)
    mine = [ch for ch in adviser.channels if ch in residual and share.get(ch, 0) > 0]
    mine = mine or [ch for ch in adviser.channels if ch in residual]
    spans = [
        range(first, min(grid.count, first + o.minutes // grid.minutes))
        for o in c.options
        for first in [int((o.start - grid.start) / grid.step)]
    ]
    values = [
        round(HEAD * sum(min(1.0, sum(residual[ch][t] for ch in mine)) for t in span))
        for span in spans
    ]
    model.maximize(sum(v * lit for v, lit in zip(values, c.literals, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = problem.scenario.solver.seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out[adviser.id] = []
        return
    picked = [i for i, lit in enumerate(c.literals) if solver.boolean_value(lit)]
    out[adviser.id] = [c.options[i] for i in picked]
    for i in picked:
        for t in spans[i]:
            _take_head(residual, mine, t)


def _take_head(residual: dict[str, list[float]], channels: list[str], t: int) -> None:
    """One head at interval `t`, on the channels furthest short first."""
    left = 1.0
    for ch in sorted(channels, key=lambda ch: -residual[ch][t]):
        taken = min(left, residual[ch][t])
        residual[ch][t] -= taken
        left -= taken
        if left <= 0:
            return
