"""Why a scenario is impossible: the labour rules that cannot hold together, and for whom."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from roster.problem import Problem
from roster.rules import HARD_RULES
from solver.classes import AdviserClass, classes_of

CHECKED = (
    "min_rest_between_shifts",
    "max_consecutive_days",
    "max_hours_per_week",
    "contract_hours",
    "min_weekly_rest",
)


def explain(problem: Problem, seconds: float = 5.0) -> list[str]:
    """Sentences naming the rules that no week of an adviser can meet, grouped by rule set.

    Each adviser's rules are checked alone (no demand), with one assumption per rule; the
    solver names a set of rules that cannot hold together. A class of advisers shares one check.
    """
    grid = problem.grid
    found: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for cls in classes_of(problem):
        rules = _conflict(problem, cls, seconds)
        if rules:
            found[rules].extend(a.id for a in cls.members)
    sentences = []
    for rules, advisers in found.items():
        team = problem.scenario.adviser(advisers[0]).team
        named = " and ".join(f"{r} ({HARD_RULES[r]})" for r in rules)
        who = ", ".join(advisers[:10]) + (
            f" and {len(advisers) - 10} more" if len(advisers) > 10 else ""
        )
        sentences.append(
            f"no week of team {team} can meet {named} for adviser(s) {who}: "
            f"{_numbers(problem, team, rules, grid.minutes)}"
        )
    return sentences


def _conflict(problem: Problem, cls: AdviserClass, seconds: float) -> tuple[str, ...]:
    """The rules named by an infeasible core of one member's week, or () if it is feasible."""
    model = cp_model.CpModel()
    switch = {r: model.new_bool_var(r) for r in CHECKED}
    literals = [model.new_bool_var("") for _ in cls.options]
    cls.post_rules(model, literals, problem.grid, lambda rule: [switch[rule]])
    model.add_assumptions(list(switch.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return ()
    core = solver.SufficientAssumptionsForInfeasibility()
    names = {v.name: v for v in switch.values()}
    return tuple(r for r in CHECKED if any(names[r].index == i for i in core))


def _numbers(problem: Problem, team_name: str, rules: tuple[str, ...], step: int) -> str:
    """The values behind the rules, so a supervisor sees which one to change."""
    team = problem.teams[team_name]
    r = team.rules
    worked = sorted({o.worked_minutes / 60 for o in problem.team_options[team_name]})
    facts = [f"shifts give {', '.join(f'{h:g}' for h in worked) or 'no'} h of work each"]
    if "contract_hours" in rules:
        facts.append(
            f"contract {r.contract_hours_per_week:g} h +/- {r.contract_tolerance_hours:g} h a week"
        )
    if "max_hours_per_week" in rules:
        facts.append(f"at most {r.max_hours_per_week:g} h a week")
    if "max_consecutive_days" in rules:
        facts.append(f"at most {r.max_consecutive_days} days in a row")
    if "min_rest_between_shifts" in rules:
        facts.append(f"{r.min_rest_between_shifts_hours:g} h of rest between shifts")
    if "min_weekly_rest" in rules:
        facts.append(f"a weekly rest of {r.min_weekly_rest_hours:g} h")
    return "; ".join(facts)
