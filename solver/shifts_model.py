"""Stage 1: each adviser's shifts, with breaks and channels counted per group of equals.

Advisers of one group (solver.groups) are interchangeable for cover, so break positions and
channel choices are counted per group, shift type and interval instead of per adviser. That
relaxes only the per-adviser split (kept per group) and the block lengths, so the optimum of
this model, and any bound on it, is a lower bound for the whole problem.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ortools.sat.python import cp_model

from roster.demand import Key
from roster.penalties import is_night, is_weekend, wish_broken
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Roster
from solver.groups import Group, group_of
from solver.labour import AdviserChoices, Enforce, add_labour_rules, add_weekly_rest, usable_options

SCALE = 12000  # objective units per penalty point: integral for 15- and 30-minute intervals


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


def always(_: str) -> list[cp_model.IntVar]:
    return []


@dataclass
class ShiftModel:
    """The stage-1 CP-SAT model and the handles needed to read a solution."""

    problem: Problem
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choices: dict[str, AdviserChoices] = field(default_factory=dict)
    group: dict[str, Group] = field(default_factory=dict)
    breaks: dict[tuple[Group, ShiftOption], dict[int, cp_model.IntVar]] = field(
        default_factory=dict
    )
    channel: dict[tuple[Group, int, str], cp_model.LinearExprT] = field(default_factory=dict)
    terms: dict[str, list[cp_model.LinearExprT]] = field(default_factory=lambda: defaultdict(list))
    horizon: int = 0

    def build(self, enforce: Enforce = always) -> ShiftModel:
        problem = self.problem
        grid = problem.grid
        model = self.model
        costs = Costs.of(problem)
        carry = problem.carry_in.by_adviser()
        self.horizon = grid.count
        for adviser in problem.scenario.advisers:
            team = problem.teams[adviser.team]
            previous = carry.get(adviser.id, [])
            options = usable_options(problem, adviser, previous)
            lits = [model.NewBoolVar(f"x[{adviser.id},{i}]") for i in range(len(options))]
            contract = round(problem.scenario.contract_hours_of(adviser) * 60)
            c = AdviserChoices(adviser, team, options, lits, previous, contract)
            self.choices[adviser.id] = c
            self.group[adviser.id] = group_of(problem.scenario, adviser)
            add_labour_rules(model, c, enforce)
            add_weekly_rest(model, c, grid.start, grid.end, enforce)
            for o in options:
                self.horizon = max(self.horizon, self._index(o.start) + o.minutes // grid.minutes)
        self._cover(costs)
        self._fairness(costs)
        self._wishes(costs)
        model.Minimize(sum(sum(t) for t in self.terms.values()))
        return self

    def _index(self, instant: datetime) -> int:
        return int((instant - self.problem.grid.start) / self.problem.grid.step)

    def _cover(self, costs: Costs) -> None:
        """Working advisers per group and interval, split among channels, against demand."""
        problem, model = self.problem, self.model
        step = problem.grid.minutes
        members: dict[Group, list[AdviserChoices]] = defaultdict(list)
        for adviser_id, c in self.choices.items():
            members[self.group[adviser_id]].append(c)
        working: dict[tuple[Group, int], list[cp_model.LinearExprT]] = defaultdict(list)
        for g, cs in members.items():
            count: dict[ShiftOption, list[cp_model.IntVar]] = defaultdict(list)
            for c in cs:
                for o, lit in zip(c.options, c.literals, strict=True):
                    count[o].append(lit)
            total_minutes: list[cp_model.LinearExprT] = []
            for o, lits in count.items():
                n = model.NewIntVar(0, len(lits), "")
                model.Add(n == sum(lits))
                first = self._index(o.start)
                for t in range(first, first + o.minutes // step):
                    working[(g, t)].append(n)
                total_minutes.append(n * o.minutes)
                if o.break_minutes:
                    per_offset = {j: model.NewIntVar(0, len(lits), "") for j in o.break_offsets}
                    model.Add(sum(per_offset.values()) == n)
                    self.breaks[(g, o)] = per_offset
                    for j, b in per_offset.items():
                        s = first + j // step
                        for t in range(s, s + o.break_minutes // step):
                            working[(g, t)].append(-b)
                        total_minutes.append(-b * o.break_minutes)
            size = len(cs)
            on: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
            for t in range(self.horizon):
                w = sum(working.get((g, t), []))
                if not working.get((g, t)):
                    continue
                if len(g.channels) == 1:
                    self.channel[(g, t, g.channels[0])] = w
                    on[g.channels[0]].append(w)
                    continue
                ys = {ch: model.NewIntVar(0, size, "") for ch in g.channels}
                model.Add(sum(ys.values()) == w)
                for ch, y in ys.items():
                    self.channel[(g, t, ch)] = y
                    on[ch].append(y)
            if len(g.channels) > 1:
                self._group_split(g, on, sum(total_minutes), costs)
        self._demand(costs)

    def _group_split(
        self,
        g: Group,
        on: dict[str, list[cp_model.LinearExprT]],
        total_minutes: cp_model.LinearExprT,
        costs: Costs,
    ) -> None:
        """channel_split per group: the group's share on each channel within tolerance."""
        model, step = self.model, self.problem.grid.minutes
        target = g.target
        for ch in g.channels:
            share = sum(on[ch]) * step * 100  # minute-percent
            goal = total_minutes * round(target.get(ch, 0) * 1000)  # minute-percent x 1000
            model.Add(share * 1000 >= goal - total_minutes * round(g.tolerance * 1000))
            model.Add(share * 1000 <= goal + total_minutes * round(g.tolerance * 1000))
            if costs.split:
                dev = model.NewIntVar(0, 100 * 7 * 24 * 60 * len(on[ch]) + 1, "")
                model.Add(dev * 1000 >= share * 1000 - goal)
                model.Add(dev * 1000 >= goal - share * 1000)
                self.terms["split_deviation"].append(dev * costs.split)

    def _demand(self, costs: Costs) -> None:
        """shortfall and overstaffing per channel (and language) per interval of the week."""
        problem, model = self.problem, self.model
        req = problem.requirements
        carried = problem.scheduled(Roster())
        langs = {g: set(g.languages) for g in set(self.group.values())}
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
                    short = model.NewIntVar(0, r, "")
                    model.Add(total + short >= r)
                    self.terms["shortfall"].append(short * costs.shortfall)
                if language is None and costs.overstaffing:
                    over = model.NewIntVar(0, len(self.choices), "")
                    model.Add(over >= total - r)
                    self.terms["overstaffing"].append(over * costs.overstaffing)

    def _fairness(self, costs: Costs) -> None:
        """fairness_nights and fairness_weekends: shifts above ceil(team total / team size)."""
        for rule, cost, test in (
            ("fairness_nights", costs.nights, lambda o, tz: is_night(o.start, o.minutes, tz)),
            ("fairness_weekends", costs.weekends, lambda o, tz: is_weekend(o.start, tz)),
        ):
            if not cost:
                continue
            teams: dict[str, list[list[cp_model.IntVar]]] = defaultdict(list)
            for c in self.choices.values():
                tz = c.team.timezone
                marked = [lit for o, lit in zip(c.options, c.literals, strict=True) if test(o, tz)]
                teams[c.team.name].append(marked)
            for marks in teams.values():
                if not any(marks):
                    continue
                counts = [sum(m) for m in marks]
                m = len(counts)
                share = self.model.NewIntVar(0, 14, "")
                total = sum(counts)
                self.model.Add(share * m >= total)
                self.model.Add(share * m <= total + m - 1)
                for k in counts:
                    excess = self.model.NewIntVar(0, 14, "")
                    self.model.Add(excess >= k - share)
                    self.terms[rule].append(excess * cost)

    def _wishes(self, costs: Costs) -> None:
        """preferences: each shift against a wish costs the same."""
        if not costs.wish:
            return
        for c in self.choices.values():
            for o, lit in zip(c.options, c.literals, strict=True):
                if wish_broken(c.adviser, o.start, o.minutes, c.team.timezone):
                    self.terms["preferences"].append(lit * costs.wish)

    def fixing(self, weeks: dict[str, list[ShiftOption]]) -> dict[int, int]:
        """Values (by variable index) of shifts, breaks and channel counts giving these weeks.

        Breaks go round the allowed offsets; each group's working advisers are shared among
        channels in proportion to its split target, carrying the rounding over time.
        """
        step = self.problem.grid.minutes
        out: dict[int, int] = {}
        count: dict[tuple[Group, ShiftOption], int] = defaultdict(int)
        for adviser_id, c in self.choices.items():
            picked = set(weeks.get(adviser_id, []))
            for o, lit in zip(c.options, c.literals, strict=True):
                out[lit.Index()] = int(o in picked)
                count[(self.group[adviser_id], o)] += int(o in picked)
        working: dict[tuple[Group, int], int] = defaultdict(int)
        for (g, o), n in count.items():
            first = self._index(o.start)
            for t in range(first, first + o.minutes // step):
                working[(g, t)] += n
            per = self.breaks.get((g, o))
            if per is None:
                continue
            offsets = list(per)
            given = {j: 0 for j in offsets}
            for i in range(n):
                given[offsets[(i * 7) % len(offsets)]] += 1
            for j, var in per.items():
                out[var.Index()] = given[j]
                s0 = first + j // step
                for t in range(s0, s0 + o.break_minutes // step):
                    working[(g, t)] -= given[j]
        for g in set(self.group.values()):
            if len(g.channels) == 1:
                continue
            target = g.target
            owed = dict.fromkeys(g.channels, 0.0)
            for t in range(self.horizon):
                w = working.get((g, t), 0)
                if (g, t, g.channels[0]) not in self.channel:
                    continue
                left = w
                for ch in g.channels:
                    owed[ch] += w * target.get(ch, 0) / 100
                order = sorted(g.channels, key=lambda ch: -owed[ch])
                for ch in order[:-1]:
                    give = max(0, min(left, round(owed[ch])))
                    self._fix(out, (g, t, ch), give)
                    owed[ch] -= give
                    left -= give
                self._fix(out, (g, t, order[-1]), left)
                owed[order[-1]] -= left
        return out

    def _fix(self, out: dict[int, int], key: tuple[Group, int, str], value: int) -> None:
        var = self.channel[key]
        if isinstance(var, cp_model.IntVar):
            out[var.Index()] = value

    def chosen(self, solver: cp_model.CpSolver) -> dict[str, list[ShiftOption]]:
        """The options picked per adviser in the solver's current solution."""
        return {
            a: [o for o, lit in zip(c.options, c.literals, strict=True) if solver.BooleanValue(lit)]
            for a, c in self.choices.items()
        }

    def break_counts(
        self, solver: cp_model.CpSolver
    ) -> dict[tuple[Group, ShiftOption], dict[int, int]]:
        return {
            key: {j: solver.Value(v) for j, v in per.items()} for key, per in self.breaks.items()
        }

    def channel_targets(self, solver: cp_model.CpSolver) -> dict[tuple[Group, int, str], int]:
        return {key: int(solver.Value(v)) for key, v in self.channel.items()}
