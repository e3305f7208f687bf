"""Stage 2: with shifts fixed, place each break and give each block of a shift a channel.

Blocks are cut from each working stretch (before and after the break) at the team's minimum
block length, the last block taking the remainder, so every run on one channel is long
enough by construction; the model chooses a channel per block against the demand, holding
each adviser's week within their split tolerance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from roster.demand import Key
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import BREAK, Activity, Roster, Shift
from solver.groups import Group, group_of
from solver.relaxation import WHOLE, LinearRelaxation, Unsupported
from solver.shifts_model import Costs


@dataclass
class Block:
    """A stretch of one shift that works on a single channel: [first, first + length) intervals."""

    adviser_id: str
    shift: int
    first: int
    length: int


def place_breaks(
    problem: Problem,
    chosen: dict[str, list[ShiftOption]],
    counts: dict[tuple[Group, ShiftOption], dict[int, int]],
) -> dict[tuple[str, ShiftOption], int]:
    """Hand out the break offsets counted per group and shift type to the advisers on it."""
    on: dict[tuple[Group, ShiftOption], list[str]] = defaultdict(list)
    for adviser in problem.scenario.advisers:
        for o in chosen.get(adviser.id, []):
            if o.break_minutes:
                on[(group_of(problem.scenario, adviser), o)].append(adviser.id)
    out: dict[tuple[str, ShiftOption], int] = {}
    for key, advisers in on.items():
        offsets = [j for j, n in sorted(counts.get(key, {}).items()) for _ in range(n)]
        offsets += [key[1].break_offsets[0]] * (len(advisers) - len(offsets))
        for adviser_id, offset in zip(advisers, offsets, strict=False):
            out[(adviser_id, key[1])] = offset
    return out


def cut_blocks(first: int, length: int, min_block: int) -> list[tuple[int, int]]:
    """Cut [first, first+length) into blocks of `min_block` intervals, the last one longer.

    >>> cut_blocks(0, 10, 4)
    [(0, 4), (4, 6)]
    >>> cut_blocks(3, 2, 4)
    [(3, 2)]
    """
    count = max(1, length // min_block)
    blocks = [(first + i * min_block, min_block) for i in range(count - 1)]
    start = first + (count - 1) * min_block
    return [*blocks, (start, first + length - start)]


class ActivityModel:
    """Stage-2 CP-SAT model: a channel per block, against demand and split targets."""

    def __init__(
        self,
        problem: Problem,
        chosen: dict[str, list[ShiftOption]],
        break_at: dict[tuple[str, ShiftOption], int],
        targets: dict[tuple[Group, int, str], int],
    ) -> None:
        self.problem = problem
        self.chosen = chosen
        self.break_at = break_at
        self.model = cp_model.CpModel()
        self.blocks: list[Block] = []
        self.choice: dict[int, dict[str, cp_model.IntVar]] = {}
        self.fixed: dict[int, str] = {}
        self.hint: dict[int, str] = {}
        self.terms: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        self.per_adviser: dict[str, list[int]] = defaultdict(list)
        self.whole: list[int] = []  # channel literals the relaxation sets to 1 (indices)
        self._build(targets)

    def _index(self, instant: datetime) -> int:
        grid = self.problem.grid
        return int((instant - grid.start) / grid.step)

    def _build(self, targets: dict[tuple[Group, int, str], int]) -> None:
        problem, model = self.problem, self.model
        step = problem.grid.minutes
        costs = Costs.of(problem)
        remaining = dict(targets)
        per_adviser = self.per_adviser
        for adviser in problem.scenario.advisers:
            team = problem.teams[adviser.team]
            group = group_of(problem.scenario, adviser)
            min_block = max(1, team.rules.min_block_minutes // step)
            for s, o in enumerate(self.chosen.get(adviser.id, [])):
                first = self._index(o.start)
                length = o.minutes // step
                stretches = [(first, length)]
                if o.break_minutes:
                    b = first + self.break_at[(adviser.id, o)] // step
                    e = b + o.break_minutes // step
                    stretches = [(first, b - first), (e, first + length - e)]
                for lo, n in stretches:
                    for bf, bl in cut_blocks(lo, n, min_block):
                        k = len(self.blocks)
                        self.blocks.append(Block(adviser.id, s, bf, bl))
                        per_adviser[adviser.id].append(k)
                        if len(adviser.channels) == 1:
                            self.fixed[k] = adviser.channels[0]
                            continue
                        lits = {c: model.new_bool_var("") for c in adviser.channels}
                        model.add_exactly_one(lits.values())
                        self.choice[k] = lits
                        # hint: the channel the stage-1 counts most want over this block
                        best = max(
                            adviser.channels,
                            key=lambda c, bf=bf, bl=bl: sum(
                                remaining.get((group, t, c), 0) for t in range(bf, bf + bl)
                            ),
                        )
                        for t in range(bf, bf + bl):
                            if (group, t, best) in remaining:
                                remaining[(group, t, best)] -= 1
                        self.hint[k] = best
        for adviser in problem.scenario.advisers:
            if len(adviser.channels) > 1 and per_adviser.get(adviser.id):
                self._balance_hint(adviser.id, per_adviser[adviser.id])
                self._split(adviser.id, per_adviser[adviser.id], costs)
        self._demand(costs)
        model.minimize(sum(sum(t) for t in self.terms.values()))
        self._post_hint()

    def _post_hint(self) -> None:
        self.model.clear_hints()
        for k, lits in self.choice.items():
            for c, lit in lits.items():
                self.model.add_hint(lit, c == self.hint[k])

    def follow_relaxation(self, seconds: float) -> bool:
        """Hint each block the channel its linear relaxation gives it most of, then balance.

        The relaxation (GLOP, a second or two for 200 advisers) is nearly whole: on the
        200-adviser week 400 of its 9,000 channel values were fractional, and this hint scored
        172,000 points where CP-SAT, started from the blocks' channels by stage-1 counts,
        stayed at 220,000 after 20 s. `whole` then lists the literals it sets to 1, to search
        the rest with those fixed. False (the hint left as it was) if it finds no solution.
        """
        try:
            relaxed = LinearRelaxation(self.model).solve(seconds)
        except Unsupported:
            return False
        if relaxed is None:
            return False
        for k, lits in self.choice.items():
            self.hint[k] = max(lits, key=lambda c, lits=lits: relaxed.values[lits[c].index])
            if relaxed.values[lits[self.hint[k]].index] > 1 - WHOLE:
                self.whole.append(lits[self.hint[k]].index)
        for adviser_id, blocks in self.per_adviser.items():
            if any(k in self.choice for k in blocks):
                self._balance_hint(adviser_id, blocks)
        self._post_hint()
        return True

    def _balance_hint(self, adviser_id: str, blocks: list[int]) -> None:
        """Move hinted blocks between channels until the adviser's split is within tolerance.

        The hint then is a roster that breaks no rule, which the search keeps if time runs out.
        Each move takes the block whose length best fits what the short channel lacks.
        """
        scenario = self.problem.scenario
        adviser = scenario.adviser(adviser_id)
        target = scenario.split_of(adviser)
        tol = scenario.split_tolerance_of(adviser)
        total = sum(self.blocks[k].length for k in blocks)
        low = {c: total * (target.get(c, 0) - tol) / 100 for c in adviser.channels}
        high = {c: total * (target.get(c, 0) + tol) / 100 for c in adviser.channels}
        for _ in range(len(blocks) * len(adviser.channels)):
            on = {c: sum(self.blocks[k].length for k in blocks if self.hint[k] == c) for c in low}
            short = [c for c in low if on[c] < low[c] - 1e-9]
            over = [c for c in low if on[c] > high[c] + 1e-9]
            if not short and not over:
                return
            if short:
                to = short[0]
                donors = [c for c in low if c != to and on[c] > target.get(c, 0) * total / 100]
                need = low[to] - on[to]
            else:
                to = min((c for c in low if c != over[0]), key=lambda c: on[c] - high[c])
                donors = [over[0]]
                need = on[over[0]] - high[over[0]]
            movable = [k for k in blocks if self.hint[k] in donors]
            if not movable:
                return
            k = min(movable, key=lambda k: abs(self.blocks[k].length - need))
            self.hint[k] = to

    def _split(self, adviser_id: str, blocks: list[int], costs: Costs) -> None:
        """channel_split per adviser: each channel's minutes within tolerance of the target."""
        scenario, model, step = self.problem.scenario, self.model, self.problem.grid.minutes
        adviser = scenario.adviser(adviser_id)
        target = scenario.split_of(adviser)
        tol = round(scenario.split_tolerance_of(adviser) * 1000)
        total = sum(self.blocks[k].length for k in blocks) * step  # constant: shifts are fixed
        for c in adviser.channels:
            minutes = sum(self.choice[k][c] * (self.blocks[k].length * step) for k in blocks)
            goal = total * round(target.get(c, 0) * 1000)
            model.add(minutes * 100_000 >= goal - total * tol)
            model.add(minutes * 100_000 <= goal + total * tol)
            if costs.split:
                dev = model.new_int_var(0, 10**12, "")
                model.add(dev * 1000 >= minutes * 100_000 - goal)
                model.add(dev * 1000 >= goal - minutes * 100_000)
                self.terms["split_deviation"].append(dev * costs.split)

    def _demand(self, costs: Costs) -> None:
        problem, model = self.problem, self.model
        count = problem.grid.count
        req = problem.requirements
        carried = problem.scheduled(Roster())
        speaks = {a.id: set(a.languages) for a in problem.scenario.advisers}
        keys: list[Key] = [(c.name, None) for c in problem.scenario.channels]
        keys += [k for k in req.ordered_keys() if k[1] is not None]
        for channel, language in keys:
            fixed = [0] * count
            variable: list[list[cp_model.IntVar]] = [[] for _ in range(count)]
            for k, block in enumerate(self.blocks):
                if language is not None and language not in speaks[block.adviser_id]:
                    continue
                lit = self.choice.get(k, {}).get(channel)
                if lit is None and self.fixed.get(k) != channel:
                    continue
                for t in range(block.first, min(count, block.first + block.length)):
                    if lit is None:
                        fixed[t] += 1
                    else:
                        variable[t].append(lit)
            need = req.headcount(channel) if language is None else req.required[(channel, language)]
            for t in range(count):
                r = need[t] - carried[(channel, language)][t] - fixed[t]
                if not variable[t]:
                    if r > 0:
                        self.terms["shortfall"].append(r * costs.shortfall)
                    elif language is None and r < 0:
                        self.terms["overstaffing"].append(-r * costs.overstaffing)
                    continue
                total = sum(variable[t])
                if r > 0:
                    short = model.new_int_var(0, r, "")
                    model.add(total + short >= r)
                    self.terms["shortfall"].append(short * costs.shortfall)
                if language is None and costs.overstaffing:
                    over = model.new_int_var(0, len(variable[t]) + max(0, -r), "")
                    model.add(over >= total - r)
                    self.terms["overstaffing"].append(over * costs.overstaffing)

    def roster(self, solver: cp_model.CpSolver | None) -> Roster:
        """The roster of the solver's solution (or of the hints when there is none)."""
        grid = self.problem.grid
        kinds: dict[int, str] = {**self.fixed, **self.hint}
        for k, lits in self.choice.items():
            if solver is not None:
                kinds[k] = next(c for c, lit in lits.items() if solver.boolean_value(lit))
        by_shift: dict[tuple[str, int], list[int]] = defaultdict(list)
        for k, block in enumerate(self.blocks):
            by_shift[(block.adviser_id, block.shift)].append(k)
        shifts = []
        for adviser_id, options in self.chosen.items():
            for s, o in enumerate(options):
                acts: list[Activity] = []
                for k in by_shift[(adviser_id, s)]:
                    b = self.blocks[k]
                    start = grid.start + b.first * grid.step
                    end = start + b.length * grid.step
                    if acts and acts[-1].kind == kinds[k] and acts[-1].end == start:
                        acts[-1] = Activity(kinds[k], acts[-1].start, end)
                    else:
                        acts.append(Activity(kinds[k], start, end))
                if o.break_minutes:
                    b_start = o.start + timedelta(minutes=self.break_at[(adviser_id, o)])
                    acts.append(
                        Activity(BREAK, b_start, b_start + timedelta(minutes=o.break_minutes))
                    )
                acts.sort(key=lambda a: a.start)
                shifts.append(Shift(adviser_id, o.start, o.end, tuple(acts)))
        return Roster(shifts)
