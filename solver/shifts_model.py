"""Stage 1: how many advisers of each class work each shift, with breaks and channels counted.

Advisers of a class (solver.classes) are identical, so the model counts them per shift;
advisers of one group (solver.groups) are interchangeable for cover, so break positions and
channel choices are counted per group, shift type and interval. That relaxes the labour rules
to their sums over a class (solver.disaggregate then assigns persons under the exact rules),
the per-adviser split (kept per group) and the block lengths, so the optimum of this model,
and any bound on it, is a lower bound for the whole problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from ortools.sat.python import cp_model

from roster.demand import Key
from roster.penalties import is_night, is_weekend
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Roster
from solver.classes import AdviserClass, classes_of
from solver.groups import Group
from solver.hints import Reader
from solver.labour import AdviserChoices, Enforce, always

# Classes of at most this many members are also modelled member by member (add_members).
EXACT_MEMBERS = 2
SCALE = 12000  # objective units per penalty point: integral for 15- and 30-minute intervals
# Weeks of more advisers than this post the weekly rest's cliques on their classes' summed
# rules (solver.labour.add_weekly_rest). Smaller weeks have few, small classes whose counts
# the persons step checks whole and stage 1 searches again cheaply if they cannot be worked;
# there the rows changed the relaxation's dive, which found 33,610 points on the 30-adviser
# week of seed 0 against 31,640 without them (2-core Intel Xeon, 10 s).
CLIQUES_ABOVE = 30


@dataclass
class Costs:
    """Objective coefficients in model units, from the scenario's weights."""

    shortfall: int
    overstaffing: int
    split: int  # per minute-percent of deviation: w * dev / 100 / 2 / 60 points
    nights: int
    weekends: int
    wish: int

    @classmethod
    def of(cls, problem: Problem) -> Costs:
        w, m = problem.scenario.weights, problem.grid.minutes
        return cls(
            shortfall=w.shortfall * m * 200,
            overstaffing=w.overstaffing * m * 200,
            split=w.split_deviation,
            nights=w.fairness_nights * SCALE,
            weekends=w.fairness_weekends * SCALE,
            wish=w.preferences * SCALE,
        )


def shares(low: float, high: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """Percent bounds as exact fractions (numerator, denominator) of 1, clipped to [0, 1].

    >>> shares(25, 35)
    ((1, 4), (7, 20))
    """
    out = []
    for percent in (low, high):
        f = Fraction(max(0.0, min(100.0, percent))).limit_denominator(10_000) / 100
        out.append((f.numerator, f.denominator))
    return out[0], out[1]


@dataclass
class ShiftModel:
    """The stage-1 CP-SAT model and the handles needed to read a solution."""

    problem: Problem
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    classes: list[AdviserClass] = field(default_factory=list)
    choices: list[AdviserChoices] = field(default_factory=list)
    breaks: dict[tuple[Group, ShiftOption], dict[int, cp_model.IntVar]] = field(
        default_factory=dict
    )
    channel: dict[tuple[Group, int, str], cp_model.LinearExprT] = field(default_factory=dict)
    terms: dict[str, list[cp_model.LinearExprT]] = field(default_factory=lambda: defaultdict(list))
    horizon: int = 0
    member_weeks: list[list[cp_model.IntVar]] = field(default_factory=list)
    # missing advisers per channel (and language) and interval: shortfall's own variables
    shortfall: list[cp_model.IntVar] = field(default_factory=list)
    # the interval each count, break, channel and demand variable is of (a shift's: its start)
    interval_of: dict[int, int] = field(default_factory=dict)

    def build(self, enforce: Enforce = always) -> ShiftModel:
        problem = self.problem
        grid = problem.grid
        model = self.model
        costs = Costs.of(problem)
        self.horizon = grid.count
        self.classes = classes_of(problem)
        cliques = len(problem.scenario.advisers) > CLIQUES_ABOVE
        for i, cls in enumerate(self.classes):
            k = cls.size
            lits = [
                model.new_bool_var(f"x[{i},{j}]")
                if k == 1
                else model.new_int_var(0, k, f"n[{i},{j}]")
                for j in range(len(cls.options))
            ]
            self.choices.append(
                cls.post_rules(model, lits, grid, enforce, members=k, cliques=cliques)
            )
            if 1 < k <= EXACT_MEMBERS:
                self.add_members(i, enforce)
            for o in cls.options:
                self.horizon = max(self.horizon, self._index(o.start) + o.minutes // grid.minutes)
        self._cover(costs)
        self._fairness(costs)
        self._wishes(costs)
        model.minimize(sum(sum(t) for t in self.terms.values()))
        return self

    def add_members(self, i: int, enforce: Enforce = always) -> None:
        """Class `i`'s counts as its members' own weeks, each under their exact rules.

        The summed rules may hold counts no split into persons can work (say, two members
        and a late shift the day before an early one with a 35-hour weekly rest to fit): the
        persons step then leaves a shift unworked. For a few members the weeks cost little to
        model, and the counts stay what the search decides; the members' rules are true rules
        of the week, so the model stays a relaxation and its bound holds. Classes of at most
        EXACT_MEMBERS get them as the model is built; other small classes once the persons
        step has missed their counts (solver.solve).
        """
        grid, model = self.problem.grid, self.model
        cls, counts = self.classes[i], self.choices[i].literals
        for member in cls.members:
            week = [model.new_bool_var("") for _ in cls.options]
            cls.post_rules(model, week, grid, enforce, adviser=member)
            self.member_weeks.append(week)
        weeks = self.member_weeks[-cls.size :]
        for j, n in enumerate(counts):
            model.add(n == sum(week[j] for week in weeks))

    def _index(self, instant: datetime) -> int:
        return int((instant - self.problem.grid.start) / self.problem.grid.step)

    def _cover(self, costs: Costs) -> None:
        """Working advisers per group and interval, split among channels, against demand."""
        problem, model = self.problem, self.model
        step = problem.grid.minutes
        members: dict[Group, list[AdviserChoices]] = defaultdict(list)
        for cls, c in zip(self.classes, self.choices, strict=True):
            members[cls.group].append(c)
        working: dict[tuple[Group, int], list[cp_model.LinearExprT]] = defaultdict(list)
        for g, cs in members.items():
            count: dict[ShiftOption, list[cp_model.IntVar]] = defaultdict(list)
            most: dict[ShiftOption, int] = defaultdict(int)
            for c in cs:
                for o, lit in zip(c.options, c.literals, strict=True):
                    count[o].append(lit)
                    most[o] += c.members
            total_minutes: list[cp_model.LinearExprT] = []
            for o, lits in count.items():
                n = model.new_int_var(0, most[o], "")
                model.add(n == sum(lits))
                first = self._index(o.start)
                for v in (n, *lits):
                    self.interval_of[v.index] = first
                for t in range(first, first + o.minutes // step):
                    working[(g, t)].append(n)
                total_minutes.append(n * o.minutes)
                if o.break_minutes:
                    per_offset = {j: model.new_int_var(0, most[o], "") for j in o.break_offsets}
                    model.add(sum(per_offset.values()) == n)
                    self.breaks[(g, o)] = per_offset
                    for j, b in per_offset.items():
                        self.interval_of[b.index] = first
                        s = first + j // step
                        for t in range(s, s + o.break_minutes // step):
                            working[(g, t)].append(-b)
                        total_minutes.append(-b * o.break_minutes)
            size = sum(c.members for c in cs)
            on: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
            for t in range(self.horizon):
                w = sum(working.get((g, t), []))
                if not working.get((g, t)):
                    continue
                if len(g.channels) == 1:
                    self.channel[(g, t, g.channels[0])] = w
                    on[g.channels[0]].append(w)
                    continue
                ys = {ch: model.new_int_var(0, size, "") for ch in g.channels}
                model.add(sum(ys.values()) == w)
                for ch, y in ys.items():
                    self.channel[(g, t, ch)] = y
                    self.interval_of[y.index] = t
                    on[ch].append(y)
            if len(g.channels) > 1:
                self._group_split(g, on, sum(total_minutes))
        self._demand(costs)

    def _group_split(
        self,
        g: Group,
        on: dict[str, list[cp_model.LinearExprT]],
        total_minutes: cp_model.LinearExprT,
    ) -> None:
        """channel_split per group: the group's share on each channel within tolerance.

        Only the tolerance is held here. The deviation penalty is left to stage 2, which
        scores it per adviser: counted per group it is a small term tying every interval of
        the week together, and it made the search several times worse for a few points.
        Dropping a non-negative term keeps this model a relaxation, so its bound stays valid.
        """
        model, step = self.model, self.problem.grid.minutes
        target = g.target
        for ch in g.channels:
            low, high = shares(target.get(ch, 0) - g.tolerance, target.get(ch, 0) + g.tolerance)
            minutes = sum(on[ch]) * step
            model.add(minutes * low[1] >= total_minutes * low[0])
            model.add(minutes * high[1] <= total_minutes * high[0])

    def _demand(self, costs: Costs) -> None:
        """shortfall and overstaffing per channel (and language) per interval of the week."""
        problem, model = self.problem, self.model
        req = problem.requirements
        carried = problem.scheduled(Roster())
        langs = {cls.group: set(cls.group.languages) for cls in self.classes}
        headcount = sum(cls.size for cls in self.classes)
        all_groups = list(langs)
        keys: list[Key] = [(c.name, None) for c in problem.scenario.channels]
        keys += [k for k in req.ordered_keys() if k[1] is not None]
        for channel, language in keys:
            need = req.headcount(channel) if language is None else req.required[(channel, language)]
            have_before = carried[(channel, language)]
            for t in range(problem.grid.count):
                cover = [
                    self.channel[(g, t, channel)]
                    for g in all_groups
                    if (g, t, channel) in self.channel
                    and (language is None or language in langs[g])
                ]
                r = need[t] - have_before[t]
                if not cover:
                    if r > 0:
                        self.terms["shortfall"].append(r * costs.shortfall)
                    continue
                total = sum(cover)
                if r > 0:
                    short = model.new_int_var(0, r, "")
                    self.interval_of[short.index] = t
                    model.add(total + short >= r)
                    self.terms["shortfall"].append(short * costs.shortfall)
                    self.shortfall.append(short)
                if language is None and costs.overstaffing:
                    over = model.new_int_var(0, headcount, "")
                    self.interval_of[over.index] = t
                    model.add(over >= total - r)
                    self.terms["overstaffing"].append(over * costs.overstaffing)

    def _fairness(self, costs: Costs) -> None:
        """fairness_nights and fairness_weekends: shifts above ceil(team total / team size).

        A class's members together exceed the share by at least their total less size x share.
        """
        for rule, cost, test in (
            ("fairness_nights", costs.nights, lambda o, tz: is_night(o.start, o.minutes, tz)),
            ("fairness_weekends", costs.weekends, lambda o, tz: is_weekend(o.start, tz)),
        ):
            if not cost:
                continue
            teams: dict[str, list[tuple[list[cp_model.IntVar], int]]] = defaultdict(list)
            for c in self.choices:
                tz = c.team.timezone
                marked = [lit for o, lit in zip(c.options, c.literals, strict=True) if test(o, tz)]
                teams[c.team.name].append((marked, c.members))
            for marks in teams.values():
                if not any(marked for marked, _ in marks):
                    continue
                counts = [(sum(marked), size) for marked, size in marks]
                m = sum(size for _, size in counts)
                share = self.model.new_int_var(0, 14, "")
                total = sum(k for k, _ in counts)
                self.model.add(share * m >= total)
                self.model.add(share * m <= total + m - 1)
                for k, size in counts:
                    excess = self.model.new_int_var(0, 14 * size, "")
                    self.model.add(excess >= k - share * size)
                    self.terms[rule].append(excess * cost)

    def _wishes(self, costs: Costs) -> None:
        """preferences: each shift against a wish costs the same."""
        if not costs.wish:
            return
        for cls, c in zip(self.classes, self.choices, strict=True):
            for broken, lit in zip(cls.wishes, c.literals, strict=True):
                if broken:
                    self.terms["preferences"].append(lit * costs.wish)

    def fixing(self, weeks: dict[str, list[ShiftOption]]) -> dict[int, int]:
        """Values (by variable index) of the shift counts that give these weeks.

        Breaks and channels are left to the solver: with the shifts fixed they are an easy
        problem, and their best values are worth far more than any fixed rule of thumb.
        """
        out: dict[int, int] = {}
        for cls, c in zip(self.classes, self.choices, strict=True):
            picked = [set(weeks.get(a.id, [])) for a in cls.members]
            for o, lit in zip(c.options, c.literals, strict=True):
                out[lit.index] = sum(o in p for p in picked)
        return out

    def shift_groups(self) -> list[list[int]]:
        """Indices of the count variables (how many members work each shift), class by class."""
        return [[lit.index for lit in c.literals] for c in self.choices]

    def shift_variables(self) -> list[int]:
        """Indices of the count variables of every class."""
        return [i for group in self.shift_groups() for i in group]

    def counts(self, solver: Reader) -> list[dict[ShiftOption, int]]:
        """How many members of each class work each shift in the solver's current solution."""
        return [_worked(c, solver.value) for c in self.choices]

    def known_counts(
        self, values: dict[int, int]
    ) -> tuple[list[AdviserClass], list[dict[ShiftOption, int]]]:
        """The classes whose count variables `values` (by index) all give, and their counts."""
        known = [
            (cls, c)
            for cls, c in zip(self.classes, self.choices, strict=True)
            if all(lit.index in values for lit in c.literals)
        ]
        return [cls for cls, _ in known], [
            _worked(c, lambda lit: values[lit.index]) for _, c in known
        ]

    def break_counts(self, solver: Reader) -> dict[tuple[Group, ShiftOption], dict[int, int]]:
        return {
            key: {j: solver.value(v) for j, v in per.items()} for key, per in self.breaks.items()
        }

    def channel_targets(self, solver: Reader) -> dict[tuple[Group, int, str], int]:
        return {key: int(solver.value(v)) for key, v in self.channel.items()}


def _worked(c: AdviserChoices, value: Callable[[cp_model.IntVar], int]) -> dict[ShiftOption, int]:
    """The shifts a class's members work, with how many of them, as `value` reads the counts."""
    return {o: v for o, lit in zip(c.options, c.literals, strict=True) if (v := value(lit))}
