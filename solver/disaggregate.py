"""From counts per class to a week per adviser, under each person's exact labour rules.

Stage 1 decides how many members of a class work each shift under the class's summed rules;
here each class is split into persons with a small CP-SAT model per class. The counts are
met where the persons' rules allow (any miss is minimised, never forced), and nights and
weekends are spread so that nobody exceeds the team's fair share when it can be avoided.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from roster.penalties import is_night, is_weekend
from roster.problem import Problem
from roster.shifts import ShiftOption
from solver.classes import AdviserClass

MISS = 1000  # a count missed outweighs any spread of nights and weekends


def fair_shares(
    classes: list[AdviserClass], counts: list[dict[ShiftOption, int]]
) -> dict[str, tuple[int, int]]:
    """Per team, ceil(total / members) for night shifts and for weekend shifts."""
    nights: dict[str, int] = defaultdict(int)
    weekends: dict[str, int] = defaultdict(int)
    size: dict[str, int] = defaultdict(int)
    for cls, n in zip(classes, counts, strict=True):
        tz = cls.team.timezone
        size[cls.team.name] += cls.size
        for o, v in n.items():
            nights[cls.team.name] += v * is_night(o.start, o.minutes, tz)
            weekends[cls.team.name] += v * is_weekend(o.start, tz)
    return {t: (math.ceil(nights[t] / m), math.ceil(weekends[t] / m)) for t, m in size.items() if m}


def assign(
    problem: Problem,
    classes: list[AdviserClass],
    counts: list[dict[ShiftOption, int]],
    seconds_each: float = 1.0,
    seed: int = 0,
) -> dict[str, list[ShiftOption]]:
    """A week per adviser whose totals per class and shift are the counts, as far as possible."""
    shares = fair_shares(classes, counts)
    out: dict[str, list[ShiftOption]] = {}
    for cls, n in zip(classes, counts, strict=True):
        if cls.size == 1:  # the class model held this person's exact rules
            out[cls.members[0].id] = sorted(n, key=lambda o: o.start)
            continue
        out.update(_split(problem, cls, n, shares[cls.team.name], seconds_each, seed))
    return out


def _split(
    problem: Problem,
    cls: AdviserClass,
    n: dict[ShiftOption, int],
    shares: tuple[int, int],
    seconds: float,
    seed: int,
) -> dict[str, list[ShiftOption]]:
    model = cp_model.CpModel()
    grid = problem.grid
    weights = problem.scenario.weights
    tz = cls.team.timezone
    night = [is_night(o.start, o.minutes, tz) for o in cls.options]
    weekend = [is_weekend(o.start, tz) for o in cls.options]
    x: list[list[cp_model.IntVar]] = []
    terms: list[cp_model.LinearExprT] = []
    for adviser in cls.members:
        lits = [model.NewBoolVar("") for _ in cls.options]
        x.append(lits)
        cls.post_rules(model, lits, grid, adviser=adviser)
        for marks, share, weight in (
            (night, shares[0], weights.fairness_nights),
            (weekend, shares[1], weights.fairness_weekends),
        ):
            if weight and any(marks):
                excess = model.NewIntVar(0, 14, "")
                model.Add(
                    excess >= sum(lit for lit, m in zip(lits, marks, strict=True) if m) - share
                )
                terms.append(excess * weight)
    for j, o in enumerate(cls.options):
        taken = sum(lits[j] for lits in x)
        want = n.get(o, 0)
        miss = model.NewIntVar(0, cls.size, "")
        model.Add(miss >= taken - want)
        model.Add(miss >= want - taken)
        terms.append(miss * MISS)
    # No symmetry breaking between the identical members: ordering them by their shifts
    # made the model ten times slower to solve on a class of twelve.
    model.Minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _one_by_one(problem, cls, n, seconds, seed)
    return {
        a.id: [o for o, lit in zip(cls.options, lits, strict=True) if solver.BooleanValue(lit)]
        for a, lits in zip(cls.members, x, strict=True)
    }


def _one_by_one(
    problem: Problem, cls: AdviserClass, n: dict[ShiftOption, int], seconds: float, seed: int
) -> dict[str, list[ShiftOption]]:
    """Members in turn, each taking the shifts still counted: slower to match, always quick.

    A member whose rules no week can meet gets none (solver.explain says why).
    """
    left = dict(n)
    out: dict[str, list[ShiftOption]] = {}
    for adviser in cls.members:
        model = cp_model.CpModel()
        lits = [model.NewBoolVar("") for _ in cls.options]
        cls.post_rules(model, lits, problem.grid, adviser=adviser)
        model.Maximize(sum(lit for o, lit in zip(cls.options, lits, strict=True) if left.get(o)))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            out[adviser.id] = []
            continue
        week = [o for o, lit in zip(cls.options, lits, strict=True) if solver.BooleanValue(lit)]
        for o in week:
            left[o] = left.get(o, 0) - 1
        out[adviser.id] = week
    return out
