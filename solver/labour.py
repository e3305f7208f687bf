"""Labour rules over shift choices: one named constraint family per rule.

The choices are one adviser's (0/1 per shift) or a class of identical advisers' (how many of
them work each shift); for a class each rule is summed over its members, a relaxation that
the assignment to persons (solver.disaggregate) then makes exact.
"""

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


def always(_: str) -> list[cp_model.IntVar]:
    """Every rule on, unconditionally (no enforcement literals)."""
    return []


@dataclass
class AdviserChoices:
    """Shift options (those still possible after the carry-in) and how many members work each.

    With one member the variables are 0/1 literals.
    """

    adviser: Adviser
    team: Team
    options: list[ShiftOption]
    literals: list[cp_model.IntVar]
    carry_in: list[Shift]
    contract_minutes: int
    members: int = 1


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
    k = c.members

    def at_most_members(lits: list[cp_model.IntVar]) -> cp_model.Constraint:
        return model.add_at_most_one(lits) if k == 1 else model.add(sum(lits) <= k)

    by_day: dict[date, list[cp_model.IntVar]] = defaultdict(list)
    for option, lit in zip(c.options, x, strict=True):
        by_day[option.day].append(lit)
    for lits in by_day.values():
        at_most_members(lits)  # shift_structure: one shift per local day

    # min_rest_between_shifts: option o occupies [start, end + rest); overlapping occupations
    # form an interval graph whose maximal cliques are the occupations holding a given start.
    rest = timedelta(hours=rules.min_rest_between_shifts_hours)
    starts = sorted({o.start for o in c.options})
    for point in starts:
        clique = [
            lit for o, lit in zip(c.options, x, strict=True) if o.start <= point < o.end + rest
        ]
        if len(clique) > 1:
            at_most_members(clique).only_enforce_if(enforce("min_rest_between_shifts"))

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
                model.add(sum(lits) <= (limit - fixed) * k).only_enforce_if(
                    enforce("max_consecutive_days")
                )

    worked = sum(o.worked_minutes * lit for o, lit in zip(c.options, x, strict=True))
    model.add(worked <= round(rules.max_hours_per_week * 60) * k).only_enforce_if(
        enforce("max_hours_per_week")
    )
    contract = c.contract_minutes
    tolerance = round(rules.contract_tolerance_hours * 60)
    model.add(worked >= (contract - tolerance) * k).only_enforce_if(enforce("contract_hours"))
    model.add(worked <= (contract + tolerance) * k).only_enforce_if(enforce("contract_hours"))
    # Each member works a whole number of shifts; summed over a class the minutes alone would
    # let one member's extra shift pay for another's missing one.
    lengths = {o.worked_minutes for o in c.options}
    if lengths and min(lengths) > 0:
        fewest = -(-max(0, contract - tolerance) // max(lengths))
        most = (contract + tolerance) // min(lengths)
        model.add(sum(x) >= fewest * k).only_enforce_if(enforce("contract_hours"))
        model.add(sum(x) <= most * k).only_enforce_if(enforce("contract_hours"))


def add_weekly_rest(
    model: cp_model.CpModel,
    c: AdviserChoices,
    week_start: datetime,
    week_end: datetime,
    enforce: Enforce,
    cliques: bool = True,
) -> None:
    """min_weekly_rest: some window [p, p + rest) inside the week meets no shift.

    The longest free stretch starts at the week start or at the end of a shift, so those
    instants are the candidates; a window whose excluded shifts include another's is dropped.
    For a class, each member rests in one window: `r[w]` members rest in window w, and a
    shift can be worked by at most the members not resting over it; with `cliques`, a set of
    shifts no member can work two of too (see below).
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
    minimal = sorted(
        {w for w in windows if not any(v < w for v in windows)}, key=lambda w: sorted(w)
    )
    if not minimal:
        model.add_bool_or([]).only_enforce_if(enforce("min_weekly_rest"))  # no window fits at all
        return
    k = c.members
    resting = [model.new_bool_var("") if k == 1 else model.new_int_var(0, k, "") for _ in minimal]
    model.add(sum(resting) == k).only_enforce_if(enforce("min_weekly_rest"))
    over: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for r, excluded in zip(resting, minimal, strict=True):
        for i in excluded:
            over[i].append(r)
    for i, rs in over.items():
        if k == 1:
            model.add_at_most_one([c.literals[i], *rs])
        else:
            model.add(c.literals[i] + sum(rs) <= k)
    # A member works at most one shift of a clique (the shifts of one day; the shifts no two
    # of which leave the minimum rest between them), and none of the window they rest in: the
    # members working a window's shifts of one clique and those resting over all of them are
    # different members. Shift by shift alone, the counts of a class of 8 on a 750-adviser
    # week had all 8 working Wednesday while the sums let 3 of them rest over it; and a class
    # of 27 on a 200-adviser week had 14 members start Wednesday at 08:00 while those resting
    # from Monday night to Wednesday 08:30 worked neither then nor Tuesday night.
    if k == 1 or not cliques:  # one member's model holds every rule exactly
        return
    between = timedelta(hours=c.team.rules.min_rest_between_shifts_hours)
    sets: dict[frozenset[int], bool] = {}  # each clique, and whether it leans on the rest
    for excluded in minimal:
        by_day: dict[date, set[int]] = defaultdict(set)
        for i in excluded:
            by_day[c.options[i].day].add(i)
        for same_day in by_day.values():
            if len(same_day) > 1:
                sets[frozenset(same_day)] = False
        for point in sorted({c.options[i].start for i in excluded}):
            near = frozenset(
                i for i in excluded if c.options[i].start <= point < c.options[i].end + between
            )
            if len(near) > 1 and near not in sets:
                sets[near] = True
    for clique, rests in sets.items():
        rs = [r for r, w in zip(resting, minimal, strict=True) if w >= clique]
        lits = [c.literals[i] for i in sorted(clique)]
        ct = model.add(sum(lits) + sum(rs) <= k)
        if rests:
            ct.only_enforce_if(enforce("min_rest_between_shifts") + enforce("min_weekly_rest"))
