"""The linear relaxation of a CP-SAT model, solved with GLOP: a bound, and a dive to a start.

CP-SAT's own search spends seconds on cuts before its linear relaxation guides it anywhere;
the plain relaxation of the shift model solves in about a second and is at least as strong,
so it gives the bound, and by diving (fixing whole values round after round) the start that
the search lacks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

INFINITE = 2**62  # CP-SAT writes unbounded sides of a linear constraint as +-2^63 - 1
WHOLE = 1e-6  # a relaxed value this close to an integer counts as that integer


@dataclass(frozen=True)
class Relaxation:
    """An optimal point of the relaxation and its objective, in the model's own units."""

    values: list[float]
    objective: float

    def bound(self) -> int:
        """The objective rounded up: every solution of an integral objective is at least this."""
        return round_up(self.objective, 1e-7)


class Unsupported(ValueError):
    """A constraint this relaxation does not translate (only linear and clause-like ones)."""


class LinearRelaxation:
    """The relaxation of a CP-SAT model as a GLOP model, kept to be solved again with fixings.

    Raises Unsupported for a model with enforced or non-linear constraints: the relaxation of
    those needs big-M terms this class does not guess.
    """

    def __init__(self, model: cp_model.CpModel) -> None:
        proto = model.proto
        lp = pywraplp.Solver.CreateSolver("GLOP")
        # the proto's repeated fields do not index from the end: copy them to lists first
        xs = [lp.NumVar(*_hull(list(v.domain)), "") for v in proto.variables]

        def literal(ref: int) -> pywraplp.LinearExpr:
            return xs[ref] if ref >= 0 else 1 - xs[-ref - 1]

        for ct in proto.constraints:
            if len(ct.enforcement_literal):
                raise Unsupported("an enforced constraint")
            if ct.has_linear():
                terms = ct.linear
                expr = lp.Sum([c * xs[v] for v, c in zip(terms.vars, terms.coeffs, strict=True)])
                low, high = _hull(list(terms.domain))
                if low > -INFINITE:
                    lp.Add(expr >= low)
                if high < INFINITE:
                    lp.Add(expr <= high)
            elif ct.has_at_most_one():
                lp.Add(lp.Sum([literal(r) for r in ct.at_most_one.literals]) <= 1)
            elif ct.has_exactly_one():
                lp.Add(lp.Sum([literal(r) for r in ct.exactly_one.literals]) == 1)
            elif ct.has_bool_or():
                lp.Add(lp.Sum([literal(r) for r in ct.bool_or.literals]) >= 1)
            else:
                raise Unsupported("a non-linear constraint")
        goal = proto.objective
        lp.Minimize(lp.Sum([c * xs[v] for v, c in zip(goal.vars, goal.coeffs, strict=True)]))
        self.lp, self.xs = lp, xs
        self._free = [(x.lb(), x.ub()) for x in xs]
        self.offset, self.scale = goal.offset, goal.scaling_factor or 1.0

    def solve(self, seconds: float) -> Relaxation | None:
        """An optimal point within `seconds` under the fixings so far; None if none was found."""
        self.lp.SetTimeLimit(max(1, round(seconds * 1000)))
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        value = (self.lp.Objective().Value() + self.offset) * self.scale
        return Relaxation([x.solution_value() for x in self.xs], value)

    def dive(
        self,
        indices: Sequence[int],
        seconds: float,
        share: float = 0.25,
        zeros_free: bool = False,
    ) -> dict[int, int] | None:
        """Whole values for the `indices` variables, found by fixing and solving again.

        Each round fixes the variables already whole, and a `share` of the fractional ones
        (those nearest a whole number first) to their nearest integer, then solves again, so
        the relaxation adapts to each fixing. With `zeros_free`, variables at zero stay free:
        the dive takes more rounds, but keeps the options that a later round may need (the
        750-adviser week's dive ran out of them with zeros fixed, the 30-adviser week's with
        zeros free). None if a round has no solution or time runs out. The fixings stay until
        `reset`.
        """
        deadline = time.monotonic() + seconds
        while True:
            point = self.solve(deadline - time.monotonic())
            if point is None or time.monotonic() > deadline:
                return None
            values = {i: point.values[i] for i in indices}
            fractional = sorted(
                (i for i, v in values.items() if abs(v - round(v)) > WHOLE),
                key=lambda i: abs(values[i] - round(values[i])),
            )
            if not fractional:
                return {i: round(v) for i, v in values.items()}
            fix = set(fractional[: max(1, math.ceil(len(fractional) * share))])
            for i, v in values.items():
                whole = i not in fractional and not (zeros_free and round(v) == 0)
                if i in fix or whole:
                    self.xs[i].SetBounds(round(v), round(v))

    def reset(self) -> None:
        """Undo every fixing of the dives so far."""
        for x, (low, high) in zip(self.xs, self._free, strict=True):
            x.SetBounds(low, high)


def round_up(value: float, tolerance: float) -> int:
    """A solver's bound on a whole objective, rounded up once its relative tolerance is given back.

    >>> round_up(7.5, 1e-7), round_up(8.0000001, 1e-7)
    (8, 8)
    """
    return math.ceil(value - tolerance * max(1.0, abs(value)))


def _hull(domain: list[int]) -> tuple[int, int]:
    """The smallest interval holding a CP-SAT domain (a flat list of interval ends)."""
    return domain[0], domain[-1]
