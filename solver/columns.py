"""A large class's counts split into persons by column generation: each column is one week.

Members of a class are identical, so a split is a number of members per week (a column):
the linear program over the weeks known so far gives each shift a price, the best week at
those prices (one member's rules, a small CP-SAT model) joins the program while it pays;
the program is then dived towards whole counts (each week held to its whole part, weeks
joining again at the new prices), and an integer program over every week found picks how
many members work each. No symmetry between members is left to search, and the program's
optimum says how close to the counts any split can come: on a 750-adviser week the greedy
split and its repair missed 2-10 shifts of classes of 95 and 347 members in 4-10 s; this
split misses none in 2.7 s, greedy included.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from roster.problem import Problem
from roster.shifts import ShiftOption
from solver.classes import AdviserClass

Week = tuple[int, ...]  # indices of a class's options, in order
Fairness = Sequence[tuple[Sequence[bool], int, int]]  # marks per option, fair share, weight
PRICE_SCALE = 1000  # prices are fractional; the pricing model's objective is whole
PRICING_SECONDS = 0.5  # at most per week priced
PRICING_SHARE = 0.6  # of the time, for the prices and the dive; the rest for the integer program
WHOLE = 1e-6  # a member count this close to an integer is that integer


def weeks_by_columns(
    problem: Problem,
    cls: AdviserClass,
    want: Counter[ShiftOption],
    fairness: Fairness,
    seeds: Iterable[Sequence[ShiftOption]],
    deadline: float,
    miss: int,
    seed: int = 0,
) -> list[list[ShiftOption]] | None:
    """One week per member that together meet `want` as nearly as found by `deadline`.

    A shift worked once too often or too rarely costs `miss`; each week costs its nights and
    weekends above the fair shares of `fairness`. The `seeds` (weeks each member may work,
    say a greedy split's) start the program, and their split is the integer program's first
    point, so the result is never worse than theirs. None if no split was found in time.
    """
    index = {o: j for j, o in enumerate(cls.options)}
    master = _Master(cls, want, fairness, miss)
    start: Counter[Week] = Counter(tuple(sorted(index[o] for o in week)) for week in seeds)
    for week in start:
        master.add(week)
    pricing = _Pricing(problem, cls, fairness)
    until = time.monotonic() + PRICING_SHARE * (deadline - time.monotonic())
    dived: Counter[Week] | None = None
    while time.monotonic() < until:
        while time.monotonic() < until:  # weeks join while one pays at the current prices
            prices = master.prices()
            if prices is None:
                break
            weeks = pricing.best(prices, min(PRICING_SECONDS, until - time.monotonic()), seed)
            if not [w for w in weeks if master.pays(w, prices) and master.add(w)]:
                break
        point = master.point()
        if point is None:
            break
        if all(abs(v - round(v)) < WHOLE for v in point.values()):
            dived = Counter({w: round(v) for w, v in point.items() if round(v)})
            break
        master.round(point)
    best = min((c for c in (start, dived) if c is not None), key=master.total)
    return master.split(best, deadline, seed)


class _Master:
    """The program over the weeks found: how many members work each, against the counts."""

    def __init__(
        self, cls: AdviserClass, want: Counter[ShiftOption], fairness: Fairness, miss: int
    ) -> None:
        self.cls, self.fairness, self.miss = cls, fairness, miss
        self.need = [want[o] for o in cls.options]
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        goal = self.lp.Objective()
        self.rows = []
        for need in self.need:
            row = self.lp.Constraint(need, need)
            for side in (1, -1):  # a shift worked too rarely, too often
                slack = self.lp.NumVar(0, self.lp.infinity(), "")
                row.SetCoefficient(slack, side)
                goal.SetCoefficient(slack, miss)
            self.rows.append(row)
        self.members = self.lp.Constraint(cls.size, cls.size)
        # a member with no week at all: costlier than any week, so the program starts feasible
        nobody = self.lp.NumVar(0, self.lp.infinity(), "")
        self.members.SetCoefficient(nobody, 1)
        goal.SetCoefficient(nobody, miss * (len(cls.options) + 1))
        self.weeks: dict[Week, pywraplp.Variable] = {}

    def cost(self, week: Week) -> int:
        """The week's nights and weekends above the fair shares, weighted."""
        return sum(
            weight * max(0, sum(marks[j] for j in week) - share)
            for marks, share, weight in self.fairness
        )

    def add(self, week: Week) -> bool:
        """Join `week` to the program; False if it was there."""
        if week in self.weeks:
            return False
        x = self.lp.NumVar(0, self.lp.infinity(), "")
        for j in week:
            self.rows[j].SetCoefficient(x, 1)
        self.members.SetCoefficient(x, 1)
        self.lp.Objective().SetCoefficient(x, self.cost(week))
        self.weeks[week] = x
        return True

    def prices(self) -> tuple[list[float], float] | None:
        """Each shift's price and a member's, at the program's optimum; None if not solved."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return [row.dual_value() for row in self.rows], self.members.dual_value()

    def point(self) -> dict[Week, float] | None:
        """How many members work each week at the program's optimum; None if not solved."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return {week: x.solution_value() for week, x in self.weeks.items()}

    def round(self, point: dict[Week, float]) -> None:
        """Hold each week to at least its whole part in `point`, or, if that holds nothing new,
        the week nearest a whole number above to that number: a dive towards whole counts."""
        raised = False
        for week, v in point.items():
            x = self.weeks[week]
            if math.floor(v + WHOLE) > x.lb():
                x.SetLb(math.floor(v + WHOLE))
                raised = True
        if not raised:
            week = max(
                (w for w, v in point.items() if v - math.floor(v) > WHOLE),
                key=lambda w: point[w] - math.floor(point[w]),
            )
            self.weeks[week].SetLb(math.ceil(point[week]))

    def total(self, split: Counter[Week]) -> int:
        """What a split costs: its misses, and its nights and weekends above the shares."""
        worked = [0] * len(self.need)
        for week, n in split.items():
            for j in week:
                worked[j] += n
        off = sum(abs(w - need) for w, need in zip(worked, self.need, strict=True))
        missing = max(0, self.cls.size - sum(split.values()))
        return (
            self.miss * off
            + sum(n * self.cost(week) for week, n in split.items())
            + (missing * self.miss * (len(self.need) + 1))
        )

    def pays(self, week: Week, prices: tuple[list[float], float]) -> bool:
        """Would `week` lower the program's optimum (a negative reduced cost)?"""
        shift, member = prices
        return self.cost(week) - sum(shift[j] for j in week) - member < -1e-6

    def split(
        self, start: Counter[Week], deadline: float, seed: int
    ) -> list[list[ShiftOption]] | None:
        """How many members work each week, the fewest misses first, as weeks per member."""
        model = cp_model.CpModel()
        size = self.cls.size
        count = {week: model.new_int_var(0, size, "") for week in self.weeks}
        model.add(sum(count.values()) == size)
        terms = [n * self.cost(week) for week, n in count.items()]
        for j, need in enumerate(self.need):
            worked = sum(n for week, n in count.items() if j in week)
            off = model.new_int_var(0, size + need, "")
            model.add(off >= worked - need)
            model.add(off >= need - worked)
            terms.append(off * self.miss)
        model.minimize(sum(terms))
        for week, n in count.items():
            model.add_hint(n, start[week])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        options = self.cls.options
        return [
            [options[j] for j in week] for week, n in count.items() for _ in range(solver.value(n))
        ]


def above_shares(
    model: cp_model.CpModel, x: Sequence[cp_model.IntVar], fairness: Fairness
) -> list[tuple[cp_model.IntVar, int]]:
    """One member's shifts above each fair share that counts (`x` per option), and its weight."""
    out = []
    for marks, share, weight in fairness:
        if weight and any(marks):
            excess = model.new_int_var(0, len(marks), "")
            model.add(excess >= sum(v for v, m in zip(x, marks, strict=True) if m) - share)
            out.append((excess, weight))
    return out


def member_solver(seconds: float, seed: int) -> cp_model.CpSolver:
    """A solver for one member's week: one worker, no presolve.

    Such a small model is solved hundreds of times on large weeks (once per member in the
    greedy split, once per price here), and presolve took half of each solve: the greedy
    split of a class of 347 ran in 1.1 s without it, 2.4 s with it.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_presolve = False
    return solver


class _Pricing:
    """One member's week at given shift prices: the member's rules, fairness as a cost."""

    def __init__(self, problem: Problem, cls: AdviserClass, fairness: Fairness) -> None:
        self.model = cp_model.CpModel()
        self.x = [self.model.new_bool_var("") for _ in cls.options]
        cls.post_rules(self.model, self.x, problem.grid)
        self.costs = [
            excess * weight * PRICE_SCALE
            for excess, weight in above_shares(self.model, self.x, fairness)
        ]

    def best(self, prices: tuple[list[float], float], seconds: float, seed: int) -> list[Week]:
        """The weeks the search met on its way to the cheapest at these prices, best last."""
        shift, _ = prices
        self.model.minimize(
            sum(self.costs)
            - sum(round(p * PRICE_SCALE) * x for p, x in zip(shift, self.x, strict=True) if p)
        )
        found = _Weeks(self.x)
        member_solver(max(0.01, seconds), seed).solve(self.model, found)
        return found.weeks


class _Weeks(cp_model.CpSolverSolutionCallback):
    """Every week a search finds, in order."""

    def __init__(self, x: list[cp_model.IntVar]) -> None:
        super().__init__()
        self.x = x
        self.weeks: list[Week] = []

    def on_solution_callback(self) -> None:
        self.weeks.append(tuple(j for j, x in enumerate(self.x) if self.boolean_value(x)))
