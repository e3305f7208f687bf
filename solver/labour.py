"""One adviser's labour rules over their shift choices: one named constraint family per rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ortools.sat.python import cp_model

from roster.model import Adviser, Team
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Shift
from roster.timegrid import to_local

Enforce = Callable[[str], list[cp_model.IntVar]]


@dataclass
class AdviserChoices:
    """An adviser's shift options (those still possible after the carry-in) and their literals."""

    adviser: Adviser
    team: Team
    options: list[ShiftOption]
    literals: list[cp_model.IntVar]
    carry_in: list[Shift]
    contract_minutes: int


def usable_options(
    problem: Problem, adviser: Adviser, carry_in: Sequence[Shift]
) -> list[ShiftOption]:
    """Options that neither overlap nor come too soon after a shift carried in from before."""
    rules = problem.teams[adviser.team].rules
    rest = timedelta(hours=rules.min_rest_between_shifts_hours)
    out = []
    for option in problem.options_for(adviser):
        if any(o.start < option.end and option.start < o.end + rest for o in carry_in):
            continue
        out.append(option)
    return out


def local_day(instant: datetime, tz_name: str) -> date:
    return to_local(instant, tz_name).date()


def add_labour_rules(model: cp_model.CpModel, c: AdviserChoices, enforce: Enforce) -> None:
    """Post every hard labour rule of the adviser's team on their shift literals.

    `enforce(rule)` gives the literals that switch a rule on (none: always on); explanations
    use them as assumptions to name the rules that cannot hold together.
    """
    rules = c.team.rules
    x = c.literals
    tz = c.team.timezone

    by_day: dict[date, list[cp_model.IntVar]] = defaultdict(list)
    for option, lit in zip(c.options, x, strict=True):
        by_day[option.day].append(lit)
    for lits in by_day.values():
        model.AddAtMostOne(lits)  # shift_structure: one shift per local day

    # min_rest_between_shifts: option o occupies [start, end + rest); overlapping occupations
    # form an interval graph whose maximal cliques are the occupations holding a given start.
    rest = timedelta(hours=rules.min_rest_between_shifts_hours)
    starts = sorted({o.start for o in c.options})
    for point in starts:
        clique = [
            lit for o, lit in zip(c.options, x, strict=True) if o.start <= point < o.end + rest
        ]
        if len(clique) > 1:
            model.AddAtMostOne(clique).OnlyEnforceIf(enforce("min_rest_between_shifts"))

    # max_consecutive_days over local dates, the days carried in counting as worked.
    carried = {local_day(s.start, tz) for s in c.carry_in}
    days = sorted(set(by_day) | carried)
    if days:
        first, last = days[0], days[-1]
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        limit = rules.max_consecutive_days
        for i in range(len(span) - limit):
            window = span[i : i + limit + 1]
            fixed = sum(1 for d in window if d in carried)
            lits = [lit for d in window for lit in by_day.get(d, [])]
            if lits and fixed + len({d for d in window if d in by_day}) > limit:
                model.Add(sum(lits) <= limit - fixed).OnlyEnforceIf(enforce("max_consecutive_days"))

    worked = sum(o.worked_minutes * lit for o, lit in zip(c.options, x, strict=True))
    model.Add(worked <= round(rules.max_hours_per_week * 60)).OnlyEnforceIf(
        enforce("max_hours_per_week")
    )
    contract = c.contract_minutes
    tolerance = round(rules.contract_tolerance_hours * 60)
    model.Add(worked >= contract - tolerance).OnlyEnforceIf(enforce("contract_hours"))
    model.Add(worked <= contract + tolerance).OnlyEnforceIf(enforce("contract_hours"))


def add_weekly_rest(
    model: cp_model.CpModel,
    c: AdviserChoices,
    week_start: datetime,
    week_end: datetime,
    enforce: Enforce,
) -> None:
    """min_weekly_rest: some window [p, p + rest) inside the week meets no shift.

    The longest free stretch starts at the week start or at the end of a shift, so those
    instants are the candidates; a window whose excluded shifts include another's is dropped.
    """
    rest = timedelta(hours=c.team.rules.min_weekly_rest_hours)
    if rest <= timedelta(0):
        return
    points = {week_start} | {o.end for o in c.options} | {s.end for s in c.carry_in}
    windows: list[frozenset[int]] = []
    for p in sorted(points):
        if p < week_start or p + rest > week_end:
            continue
        if any(s.start < p + rest and p < s.end for s in c.carry_in):
            continue
        windows.append(
            frozenset(i for i, o in enumerate(c.options) if o.start < p + rest and p < o.end)
        )
    minimal = [w for w in set(windows) if not any(v < w for v in windows)]
    if not minimal:
        model.AddBoolOr([]).OnlyEnforceIf(enforce("min_weekly_rest"))  # no window fits at all
        return
    choices = []
    for excluded in minimal:
        r = model.NewBoolVar("")
        choices.append(r)
        for i in excluded:
            model.AddImplication(r, c.literals[i].Not())
    model.AddBoolOr(choices).OnlyEnforceIf(enforce("min_weekly_rest"))
