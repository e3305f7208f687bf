"""A quick first roster to start the search from: advisers one by one, on the most needed hours.

Each adviser's week is chosen by a small CP-SAT model holding only their labour rules, with
the demand still uncovered as the value of each shift; advisers alike reuse one model.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Roster
from solver.labour import AdviserChoices, add_labour_rules, add_weekly_rest, usable_options
from solver.shifts_model import always


def greedy_weeks(problem: Problem, seconds_each: float = 0.5) -> dict[str, list[ShiftOption]]:
    """A week of shifts per adviser meeting their labour rules, cover-aware but not optimal."""
    grid = problem.grid
    carried = problem.scheduled(Roster())
    residual = {
        c.name: [
            max(0, r - h)
            for r, h in zip(
                problem.requirements.headcount(c.name), carried[(c.name, None)], strict=True
            )
        ]
        for c in problem.scenario.channels
    }
    carry = problem.carry_in.by_adviser()
    models: dict[tuple[object, ...], tuple[cp_model.CpModel, AdviserChoices]] = {}
    out: dict[str, list[ShiftOption]] = {}
    for adviser in problem.scenario.advisers:
        team = problem.teams[adviser.team]
        previous = carry.get(adviser.id, [])
        options = usable_options(problem, adviser, previous)
        contract = round(problem.scenario.contract_hours_of(adviser) * 60)
        key = (team.name, tuple(options), contract, tuple(previous))
        if key not in models:
            model = cp_model.CpModel()
            lits = [model.NewBoolVar("") for _ in options]
            c = AdviserChoices(adviser, team, options, lits, previous, contract)
            add_labour_rules(model, c, always)
            add_weekly_rest(model, c, grid.start, grid.end, always)
            models[key] = (model, c)
        model, c = models[key]
        share = problem.scenario.split_of(adviser)
        values = []
        for o in options:
            first = int((o.start - grid.start) / grid.step)
            span = range(first, min(grid.count, first + o.minutes // grid.minutes))
            values.append(
                round(
                    sum(
                        share.get(ch, 0) * sum(1 for t in span if residual[ch][t] > 0)
                        for ch in residual
                    )
                )
            )
        model.Maximize(sum(v * lit for v, lit in zip(values, c.literals, strict=True)))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds_each
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = problem.scenario.solver.seed
        status = solver.Solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            out[adviser.id] = []
            continue
        picked = [o for o, lit in zip(options, c.literals, strict=True) if solver.BooleanValue(lit)]
        out[adviser.id] = picked
        for o in picked:
            first = int((o.start - grid.start) / grid.step)
            for t in range(first, min(grid.count, first + o.minutes // grid.minutes)):
                for ch in adviser.channels:
                    if residual.get(ch) and residual[ch][t] > 0:
                        residual[ch][t] -= share.get(ch, 0) / 100
    return out
