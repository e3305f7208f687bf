"""Stage 1's point searched again two days at a time, the rest of the week held.

On `examples/airline_week` CP-SAT's search of the whole stage-1 model stalls with Monday two
shifts short: moving them from Saturday means changing two advisers' weeks, their breaks and
channels at once, which its neighbourhoods do not find (alone, it stayed at 12,990 points on
the day team from 22 s to 180 s, where SCIP found 10,515 in 300 s). With the shifts of every
other day held, one CP-SAT worker finds that move in 1.3-1.6 s on a 2-core Intel Xeon. Two
days and not one: a shift moves between days, and the labour rules that tie the days
together (contract hours, rest, consecutive days) stay in the model, met by the days held.
Each search is of the exact model, so every point it keeps is a solution of it.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial

from roster.timegrid import zone
from solver.hints import Solution, complete_hint
from solver.shifts_model import ShiftModel
from solver.threads import Background

# Each pair of days gets at most this many seconds: one CP-SAT worker found the moves of
# airline_week's day team in 1.3-1.6 s (2-core Intel Xeon), and a search cut short still
# gives its best point
PAIR_SECONDS = 3.0
# Below this a search barely reads the model and its start (0.2-0.3 s on the 2-core Xeon)
# before its time is up
MIN_SECONDS = 1.0

Pair = tuple[datetime.date, datetime.date]


class DaySearch:
    """Improves a stage-1 point two days at a time, a pair per worker."""

    def __init__(
        self,
        stage1: ShiftModel,
        workers: int = 1,
        seed: int = 0,
        on_better: Callable[[float], None] | None = None,
    ) -> None:
        self.model = stage1.model
        self.workers, self.seed = max(1, workers), seed
        self.on_better = on_better  # hears each better point's objective (model units)
        grid = stage1.problem.grid
        tz = zone(grid.timezone)
        last = max(stage1.horizon, grid.count) - 1
        day = [grid.instant(t).astimezone(tz).date() for t in range(last + 1)]
        longest = max((o.minutes for c in stage1.classes for o in c.options), default=0)
        reach = -(-longest // grid.minutes)  # a shift covers intervals this far after it starts
        shifts = {lit.index for c in stage1.choices for lit in c.literals}
        shifts |= {v.index for per in stage1.breaks.values() for v in per.values()}
        domains = self.model.proto.variables
        # the days whose shifts may change each variable not fixed yet: a shift's, the day it
        # starts; a cover variable's, the days of every shift that reaches it
        self.freed_by: dict[int, frozenset[datetime.date]] = {}
        self.day_of: dict[int, datetime.date] = {}
        for i, t in stage1.interval_of.items():
            domain = domains[i].domain
            if domain[0] == domain[len(domain) - 1]:
                continue  # settled apart (solver.parts): no pair changes it
            t = min(max(t, 0), last)
            self.day_of[i] = day[t]
            if i in shifts:
                self.freed_by[i] = frozenset({day[t]})
            else:
                self.freed_by[i] = frozenset(day[max(0, t - k)] for k in range(reach + 1))
        self.movable = shifts & self.freed_by.keys()  # shift counts and breaks not settled
        self.days = sorted(set(day[: grid.count]))
        self.best: list[int] | None = None
        self.solved = 0  # pairs searched

    def improve(self, point: list[int], deadline: float) -> list[int] | None:
        """Search pairs of days, costliest first, until none improves or `deadline` passes.

        Each worker searches its own pair; when pairs of different days both improve, their
        changes are joined if the labour rules still hold.
        """
        objective = self._value(point)
        tried: set[Pair] = set()
        while True:
            batch = self._batch([p for p in self.pairs(point) if p not in tried])
            left = deadline - time.monotonic()
            if not batch or left < MIN_SECONDS:
                return self.best
            tried.update(batch)
            found = self.search(batch, point, min(PAIR_SECONDS, left))
            self.solved += len(batch)
            better = [(v, f, p) for f, p in found if (v := self._value(f)) < objective]
            if not better:
                continue
            better.sort(key=lambda x: x[0])
            value, new, _ = better[0]
            if len(better) > 1:
                joined = self.join(point, [(f, p) for _, f, p in better], deadline)
                if joined is not None and (v := self._value(joined)) < value:
                    value, new = v, joined
            point, objective, self.best = new, value, new
            if self.on_better:
                self.on_better(value)
            tried.clear()  # with these days changed, every other pair may gain again

    def _value(self, point: list[int]) -> float:
        return Solution(self.model, point).objective_value

    def pairs(self, point: list[int]) -> list[Pair]:
        """Pairs of days, the costliest day first with each other from the cheapest up.

        A day short of cover gains most beside a day that can spare a shift, so those pairs
        come first (on airline_week: Monday, two shifts short, with Saturday). Costs the pairs
        cannot change (a part settled apart) are left out of the ranking.
        """
        cost: dict[datetime.date, float] = defaultdict(float)
        goal = self.model.proto.objective
        for ref, coeff in zip(goal.vars, goal.coeffs, strict=True):
            if ref >= 0 and ref in self.day_of:
                cost[self.day_of[ref]] += coeff * point[ref]
        ranked = sorted(self.days, key=lambda d: -cost[d])
        out: list[Pair] = []
        for i, first in enumerate(ranked):
            for other in reversed(ranked[i + 1 :]):
                a, b = sorted((first, other))
                out.append((a, b))
        return out

    def _batch(self, pending: list[Pair]) -> list[Pair]:
        """The next pairs to search at once, one per worker, no two sharing a day."""
        batch: list[Pair] = []
        for pair in pending:
            if len(batch) == self.workers:
                break
            if all(set(pair).isdisjoint(other) for other in batch):
                batch.append(pair)
        return batch

    def _held(self, days: set[datetime.date], point: list[int]) -> dict[int, int]:
        """Every variable the shifts of `days` cannot change, at its value in `point`."""
        return {i: point[i] for i, freed in self.freed_by.items() if days.isdisjoint(freed)}

    def search(
        self, batch: list[Pair], point: list[int], seconds: float
    ) -> list[tuple[list[int], Pair]]:
        """Each pair of the batch searched in its own thread: the points found, with their pair."""

        def one(pair: Pair) -> list[int] | None:
            return complete_hint(
                self.model.clone(),  # the hints complete_hint leaves are not to be shared
                self._held(set(pair), point),
                seconds,
                workers=1,
                seed=self.seed,
                start=dict(enumerate(point)),
            )

        others = [Background(partial(one, pair)) for pair in batch[1:]]
        found = [one(batch[0]), *(other.result() for other in others)]
        return [(new, pair) for new, pair in zip(found, batch, strict=True) if new is not None]

    def join(
        self, point: list[int], found: list[tuple[list[int], Pair]], deadline: float
    ) -> list[int] | None:
        """The shifts and breaks several pairs (of different days) changed, together, with
        the cover they reach searched again; None if the labour rules do not hold them.

        The cover is not joined: a pair's shifts reach into the next morning, which another
        pair may have changed too.
        """
        joined = dict(enumerate(point))
        days: set[datetime.date] = set()
        for new, pair in found:
            days.update(pair)
            for i in self.movable:
                if not self.freed_by[i].isdisjoint(pair):
                    joined[i] = new[i]
        held = self._held(days, point) | {i: joined[i] for i in self.movable}
        seconds = min(PAIR_SECONDS, deadline - time.monotonic())
        if seconds < MIN_SECONDS:
            return None
        return complete_hint(
            self.model.clone(), held, seconds, workers=1, seed=self.seed, start=joined
        )
