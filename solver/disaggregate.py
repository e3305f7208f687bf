"""From counts per class to a week per adviser, under each person's exact labour rules.

Stage 1 decides how many members of a class work each shift under the class's summed rules;
here each class is split into persons. A class of at most EXACT_SPLIT members is first split
by one CP-SAT model with every count a constraint. Otherwise member after member takes the
week, under their own rules, that best serves the counts still open (the most urgent first),
and those weeks start the column split (solver.columns). Then a few members at a time are
solved again together (a small CP-SAT model) while a count is missed or someone works more
than a fair share of nights or weekends. The counts are met where the persons' rules allow
(any miss is minimised, never forced). One CP-SAT model of a whole class of ninety members
missed a fifth of its counts in the seconds of a solve; this split meets them all.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict

from ortools.sat.python import cp_model

from roster.model import Adviser
from roster.penalties import is_night, is_weekend
from roster.problem import Problem
from roster.shifts import ShiftOption
from solver.classes import AdviserClass
from solver.columns import above_shares, member_solver, weeks_by_columns

MISS = 1000  # a count missed outweighs any spread of nights and weekends
# Member by member, an open count is worth TAKE, plus up to URGENT as it nears one per member
# left (then every remaining member must take it).
TAKE, URGENT = 1000, 1000
NEIGHBOURS = 8  # members solved again together in one round of repair
REPAIR_SECONDS = 0.25  # at most per round
REPAIR_STALE = 30  # rounds in a row without a gain before the repair gives up
# Classes of at most EXACT_SPLIT members are first split with every count a constraint, for
# EXACT_SHARE of their time at most.
EXACT_SPLIT, EXACT_SHARE = 30, 0.7
# Larger classes, and those the exact split found nothing for, are split by column generation
# (solver.columns) from the greedy's weeks, for COLUMNS_SHARE of their time at most.
COLUMNS_SHARE = 0.8


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
    seconds: float = 1.0,
    seed: int = 0,
) -> dict[str, list[ShiftOption]]:
    """A week per adviser whose totals per class and shift are the counts, as far as possible.

    `seconds` are shared among the classes of several members in proportion to their size.
    """
    shares = fair_shares(classes, counts)
    crowd = sum(cls.size for cls in classes if cls.size > 1) or 1
    out: dict[str, list[ShiftOption]] = {}
    for cls, n in zip(classes, counts, strict=True):
        if cls.size == 1:  # the class model held this person's exact rules
            out[cls.members[0].id] = sorted(n, key=lambda o: o.start)
            continue
        each = max(0.2, seconds * cls.size / crowd)
        out.update(_split(problem, cls, n, shares[cls.team.name], each, seed))
    return out


def missing(
    classes: list[AdviserClass],
    counts: list[dict[ShiftOption, int]],
    chosen: dict[str, list[ShiftOption]],
) -> Counter[ShiftOption]:
    """Shifts counted for a class that its members' weeks do not work, with how many."""
    out: Counter[ShiftOption] = Counter()
    for cls, n in zip(classes, counts, strict=True):
        worked = Counter(o for a in cls.members for o in chosen.get(a.id, []))
        out.update({o: k - worked[o] for o, k in n.items() if k > worked[o]})
    return out


def missed(
    classes: list[AdviserClass],
    counts: list[dict[ShiftOption, int]],
    chosen: dict[str, list[ShiftOption]],
) -> int:
    """How many shifts counted for a class its members' weeks do not work."""
    return sum(missing(classes, counts, chosen).values())


def _split(
    problem: Problem,
    cls: AdviserClass,
    n: dict[ShiftOption, int],
    shares: tuple[int, int],
    seconds: float,
    seed: int,
) -> dict[str, list[ShiftOption]]:
    deadline = time.monotonic() + seconds
    if cls.size <= EXACT_SPLIT:
        # every count at once, as constraints: on 30-adviser weeks the greedy split and its
        # repair missed two counts of a class of 11-13 in 0.8 s, where this model met them
        # all in 0.2 s
        exact = _best_weeks(
            problem,
            cls,
            cls.members,
            Counter(n),
            [],
            {a.id: [] for a in cls.members},
            time.monotonic() + EXACT_SHARE * seconds,
            seed,
            exact=True,
        )
        if exact is not None:
            return _repair(problem, cls, n, shares, exact[0], deadline, seed)
    weeks = _greedy(problem, cls, n, shares, seed)
    split = weeks_by_columns(
        problem,
        cls,
        Counter(n),
        _fairness(problem, cls, shares),
        weeks.values(),
        time.monotonic() + COLUMNS_SHARE * (deadline - time.monotonic()),
        MISS,
        seed,
    )
    if split is not None:
        weeks = {a.id: week for a, week in zip(cls.members, split, strict=True)}
    return _repair(problem, cls, n, shares, weeks, deadline, seed)


def _greedy(
    problem: Problem,
    cls: AdviserClass,
    n: dict[ShiftOption, int],
    shares: tuple[int, int],
    seed: int,
) -> dict[str, list[ShiftOption]]:
    """Members in turn, each taking the week that serves the most urgent counts still open.

    A count is urgent when nearly every member left must work it: left to the last members,
    such counts could no longer all be met. A member whose rules no week can meet gets none
    (solver.explain says why).
    """
    left = Counter(n)
    out: dict[str, list[ShiftOption]] = {}
    # members share every rule, so one model serves them all; only the objective changes
    model = cp_model.CpModel()
    lits = [model.new_bool_var("") for _ in cls.options]
    cls.post_rules(model, lits, problem.grid)
    for i, adviser in enumerate(cls.members):
        members_left = cls.size - i
        model.maximize(
            sum(
                lit * (TAKE + URGENT * min(left[o], members_left) // members_left)
                for o, lit in zip(cls.options, lits, strict=True)
                if left[o] > 0
            )
        )
        week = _solve_weeks(model, [lits], cls.options, 5.0, seed)
        out[adviser.id] = week[0] if week else []
        left.subtract(out[adviser.id])
    return out


def _repair(
    problem: Problem,
    cls: AdviserClass,
    n: dict[ShiftOption, int],
    shares: tuple[int, int],
    weeks: dict[str, list[ShiftOption]],
    deadline: float,
    seed: int,
) -> dict[str, list[ShiftOption]]:
    """Solve again a few members at a time, the others' weeks fixed, while counts are missed.

    Each round takes the members working a count's surplus or above a fair share, and others
    drawn at random, and gives them the weeks that miss the fewest counts (then spread nights
    and weekends best) with what the rest of the class works. A small class is one round.
    """
    rng = random.Random(seed)
    fairness = _fairness(problem, cls, shares)
    ids = [a.id for a in cls.members]
    index = {o: j for j, o in enumerate(cls.options)}
    stale = 0
    while time.monotonic() < deadline and stale < REPAIR_STALE:
        taken = Counter(o for week in weeks.values() for o in week)
        surplus = {o for o in taken if taken[o] > n.get(o, 0)}
        short = {o for o, v in n.items() if taken[o] < v}
        above: set[str] = set()
        below: set[str] = set()  # those who could take what the members above give up
        for marks, share, weight in fairness:
            over = {a: _marked(cls, weeks[a], marks) - share for a in ids}
            # the counts may hold more such shifts than the members' fair shares: that
            # excess no split avoids, so only an excess beyond it is worth repairing
            floor = max(0, sum(v for o, v in n.items() if marks[index[o]]) - share * cls.size)
            if weight and sum(max(0, v) for v in over.values()) > floor:
                above |= {a for a, v in over.items() if v > 0}
                below |= {a for a, v in over.items() if v < 0}
        if not surplus and not short and not above:
            break
        if cls.size <= NEIGHBOURS:
            chosen = list(ids)
        else:
            chosen = _neighbours(cls, weeks, surplus, short, above, below, rng)
        members = [a for a in cls.members if a.id in set(chosen)]
        rest = Counter(n)
        rest.subtract(o for a in ids if a not in set(chosen) for o in weeks[a])
        better = _best_weeks(problem, cls, members, rest, fairness, weeks, deadline, seed)
        if better is None:
            stale += 1
            continue
        stale = stale + 1 if better[1] else 0  # no strict gain: count towards giving up
        weeks.update(better[0])
        if cls.size <= NEIGHBOURS:
            break
    return weeks


def _neighbours(
    cls: AdviserClass,
    weeks: dict[str, list[ShiftOption]],
    surplus: set[ShiftOption],
    short: set[ShiftOption],
    above: set[str],
    below: set[str],
    rng: random.Random,
) -> list[str]:
    """Members to solve again: some who must change, some who could take what they drop.

    For one count worked too often and one missed, drawn at random: members on the first
    (one of them must leave it), members working the second's day (one may move to it) and
    members off that day (one may add it, dropping another day). Members above a fair share
    of nights or weekends must change too, and, once no count is missed, those below it may
    take their shifts.
    """
    ids = [a.id for a in cls.members]
    wrong = sorted(surplus, key=lambda o: o.start)
    missing = sorted(short, key=lambda o: o.start)
    must = [a for a in ids if a in above]
    day = None
    if wrong:
        o = rng.choice(wrong)
        must += [a for a in ids if o in weeks[a] and a not in must]
    if missing:
        day = rng.choice(missing).day
    on_day = [a for a in ids if day is not None and any(o.day == day for o in weeks[a])]
    off_day = [a for a in ids if a not in on_day]
    chosen: list[str] = []
    quota = NEIGHBOURS // 4 if day is not None else NEIGHBOURS
    # those below a fair share only when no count is missed: a miss costs far more, and on
    # the 750-adviser week of seed 1 their places in the draw left 45 adviser-hours missed
    under = sorted(below) if day is None else []
    pools = ((must, quota), (under, quota), (on_day, NEIGHBOURS // 3), (off_day, NEIGHBOURS))
    for pool, count in pools:
        pool = [a for a in pool if a not in chosen]
        chosen += rng.sample(pool, min(len(pool), count, NEIGHBOURS - len(chosen)))
    return chosen


def _best_weeks(
    problem: Problem,
    cls: AdviserClass,
    members: list[Adviser],
    want: Counter[ShiftOption],
    fairness: list[tuple[list[bool], int, int]],
    weeks: dict[str, list[ShiftOption]],
    deadline: float,
    seed: int,
    exact: bool = False,
) -> tuple[dict[str, list[ShiftOption]], bool] | None:
    """The members' weeks that best meet `want`, and whether they only tie the current ones;
    if `exact`, weeks that meet it exactly (None if none is found by `deadline`)."""
    model = cp_model.CpModel()
    x: list[list[cp_model.IntVar]] = []
    terms: list[cp_model.LinearExprT] = []
    now = 0
    for adviser in members:
        lits = [model.new_bool_var("") for _ in cls.options]
        x.append(lits)
        cls.post_rules(model, lits, problem.grid, adviser=adviser)
        week = set(weeks[adviser.id])
        for o, lit in zip(cls.options, lits, strict=True):
            model.add_hint(lit, o in week)
        terms += [excess * weight for excess, weight in above_shares(model, lits, fairness)]
        now += sum(
            max(0, _marked(cls, weeks[adviser.id], marks) - share) * weight
            for marks, share, weight in fairness
        )
    held = Counter(o for a in members for o in weeks[a.id])
    for j, o in enumerate(cls.options):
        taken = sum(lits[j] for lits in x)
        if exact or (not want[o] and not held[o]):
            model.add(taken == want[o])  # if 0: nobody else needs it, and it cannot pay
            continue
        miss = model.new_int_var(0, len(members) + abs(want[o]), "")
        model.add(miss >= taken - want[o])
        model.add(miss >= want[o] - taken)
        terms.append(miss * MISS)
        now += abs(held[o] - want[o]) * MISS
    model.minimize(sum(terms))
    if not exact:
        model.add(sum(terms) <= now)  # never worse than the weeks the members have
    seconds = deadline - time.monotonic()
    if len(members) < cls.size:  # a neighbourhood: many short rounds beat a few long ones
        seconds = min(REPAIR_SECONDS, seconds)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = {
        a.id: [o for o, lit in zip(cls.options, lits, strict=True) if solver.boolean_value(lit)]
        for a, lits in zip(members, x, strict=True)
    }
    return out, solver.objective_value >= now


def _fairness(
    problem: Problem, cls: AdviserClass, shares: tuple[int, int]
) -> list[tuple[list[bool], int, int]]:
    """Per fairness rule: which options it marks, each member's fair share, its weight."""
    tz, weights = cls.team.timezone, problem.scenario.weights
    night = [is_night(o.start, o.minutes, tz) for o in cls.options]
    weekend = [is_weekend(o.start, tz) for o in cls.options]
    return [
        (night, shares[0], weights.fairness_nights),
        (weekend, shares[1], weights.fairness_weekends),
    ]


def _marked(cls: AdviserClass, week: list[ShiftOption], marks: list[bool]) -> int:
    on = set(week)
    return sum(m for o, m in zip(cls.options, marks, strict=True) if o in on)


def _solve_weeks(
    model: cp_model.CpModel,
    x: list[list[cp_model.IntVar]],
    options: list[ShiftOption],
    seconds: float,
    seed: int,
) -> list[list[ShiftOption]] | None:
    solver = member_solver(seconds, seed)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [
        [o for o, lit in zip(options, lits, strict=True) if solver.boolean_value(lit)] for lits in x
    ]
