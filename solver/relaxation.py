"""The linear relaxation of a CP-SAT model, solved with GLOP: a bound, and a dive to a start.

CP-SAT's own search spends seconds on cuts before its linear relaxation guides it anywhere;
the plain relaxation of the shift model solves in under a second and is at least as strong,
so it gives the bound, and by diving (fixing whole values round after round) the start that
the search lacks.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

log = logging.getLogger(__name__)

INFINITE = 2**62  # CP-SAT writes unbounded sides of a linear constraint as +-2^63 - 1
WHOLE = 1e-6  # a relaxed value this close to an integer counts as that integer
RESCUES = 5  # dead ends a dive backs out of before it gives up
# GLOP's parameters, in protobuf text. Presolve is on by default and stays on: without it the
# dives of 30-adviser weeks ran faster, but the 750-adviser week's took 1.5 s against 0.5 s
WITHOUT_PRESOLVE, WITH_PRESOLVE = "use_preprocessing:false", "use_preprocessing:true"


@dataclass(frozen=True)
class Relaxation:
    """An optimal point of the relaxation, its objective in the model's units, GLOP's seconds."""

    values: list[float]
    objective: float
    seconds: float = 0.0

    def bound(self) -> int:
        """The objective rounded up: every solution of an integral objective is at least this."""
        return round_up(self.objective, 1e-7)

    def rounded(self) -> dict[int, int]:
        """Every value rounded to its nearest integer, by variable index: a search's start."""
        return {i: round(v) for i, v in enumerate(self.values)}


class Unsupported(ValueError):
    """A constraint this relaxation does not translate (only linear and clause-like ones)."""


class LinearRelaxation:
    """The relaxation of a CP-SAT model as a GLOP model, kept to be solved again with fixings.

    Raises Unsupported for a model with enforced or non-linear constraints: the relaxation of
    those needs big-M terms this class does not guess.
    """

    def __init__(self, model: cp_model.CpModel) -> None:
        goal = model.proto.objective
        self._load(_linear_program(model.proto), goal.offset, goal.scaling_factor or 1.0)

    @classmethod
    def of_program(
        cls, program: linear_solver_pb2.MPModelProto, offset: float, scale: float
    ) -> LinearRelaxation:
        """The relaxation of a program already translated (a copy with a row added, say)."""
        relaxation = cls.__new__(cls)
        relaxation._load(program, offset, scale)
        return relaxation

    def _load(self, program: linear_solver_pb2.MPModelProto, offset: float, scale: float) -> None:
        self.proto = program
        lp = pywraplp.Solver.CreateSolver("GLOP")
        # loaded from a proto: built row by row through pywraplp's expressions, the 30-adviser
        # week's 9,000 variables took 0.36 s (1.0 s on a slower machine), against 0.15 s
        error = lp.LoadModelFromProto(program)
        if error:
            raise Unsupported(error)
        self.lp, self.xs = lp, lp.variables()
        self._free = [(x.lb(), x.ub()) for x in self.xs]
        self.last: Relaxation | None = None  # the last point a dive reached, whole or not
        self.offset, self.scale = offset, scale

    def solve(self, seconds: float) -> Relaxation | None:
        """An optimal point within `seconds` under the fixings so far; None if none was found."""
        self.lp.SetTimeLimit(max(1, round(seconds * 1000)))
        began = time.monotonic()
        status = self.lp.Solve()
        if status == pywraplp.Solver.ABNORMAL:
            # GLOP's presolve can fail on a model it solves at once without it: the
            # airline_week as the service stores it (its channels in another order, no
            # carry-in) gave ABNORMAL, and without presolve its optimum in 0.4 s
            log.info("GLOP's presolve failed on the relaxation: solving it again without")
            self.lp.SetSolverSpecificParametersAsString(WITHOUT_PRESOLVE)
            began = time.monotonic()
            status = self.lp.Solve()
            self.lp.SetSolverSpecificParametersAsString(WITH_PRESOLVE)
        if status != pywraplp.Solver.OPTIMAL:
            return None
        value = (self.lp.Objective().Value() + self.offset) * self.scale
        return Relaxation([x.solution_value() for x in self.xs], value, time.monotonic() - began)

    def dive(
        self,
        groups: Sequence[Sequence[int]],
        seconds: float,
        share: float = 0.25,
        zeros_free: bool = False,
    ) -> dict[int, int] | None:
        """Whole values for the variables of `groups`, found by fixing and solving again.

        Each round fixes the variables already whole, and a `share` of the fractional ones
        (those nearest a whole number first) to their nearest integer, then solves again, so
        the relaxation adapts to each fixing. A round that leaves no solution is undone and
        one fractional variable is fixed instead, to its nearest integer or else the other
        side: two counts at one half cannot both go down where they sum to one.

        Where neither side has a solution, a zero fixed earlier closed the way: a group (the
        counts of one class) still fractional then gets its zeros back, and keeps them free
        from then on. On a 30-adviser week, zeros fixed early left one adviser Tuesday to
        Saturday and no weekly rest. With `zeros_free` every group's zeros stay free from the
        start: more rounds, but the 750-adviser week's dive needed it. None if the dead ends
        persist or time runs out. The fixings stay until `reset`.
        """
        deadline = time.monotonic() + seconds
        group_of = {i: g for g, members in enumerate(groups) for i in members}
        loose = set(range(len(groups))) if zeros_free else set()
        rescues = 0
        point = self.solve(seconds)
        while point is not None and time.monotonic() <= deadline:
            self.last = point
            values = {i: point.values[i] for i in group_of}
            fractional = sorted(
                (i for i, v in values.items() if abs(v - round(v)) > WHOLE),
                key=lambda i: abs(values[i] - round(values[i])),
            )
            if not fractional:
                return {i: round(v) for i, v in values.items()}
            chosen = set(fractional[: max(1, math.ceil(len(fractional) * share))])
            fixings = {
                i: round(v)
                for i, v in values.items()
                if i in chosen
                or (i not in fractional and not (group_of[i] in loose and round(v) == 0))
            }
            point = self.fixed(fixings, deadline)
            first, value = fractional[0], values[fractional[0]]
            for whole in (round(value), 2 * math.floor(value) + 1 - round(value)):
                if point is not None or time.monotonic() > deadline:
                    break
                point = self.fixed({first: whole}, deadline)
            if point is None and rescues < RESCUES:
                rescues += 1
                stuck = {group_of[i] for i in fractional} - loose
                loose |= stuck
                for g in stuck:
                    for i in groups[g]:
                        if self.xs[i].ub() == 0 < self._free[i][1]:
                            self.xs[i].SetBounds(*self._free[i])
                point = self.solve(deadline - time.monotonic())
        self.last = point or self.last  # a point found as time ran out has the most fixed
        return None

    def fixed(self, fixings: dict[int, int], deadline: float) -> Relaxation | None:
        """The relaxation with `fixings` too, solved by `deadline`; if none, they are undone."""
        before = {i: (self.xs[i].lb(), self.xs[i].ub()) for i in fixings}
        for i, value in fixings.items():
            self.xs[i].SetBounds(value, value)
        point = self.solve(deadline - time.monotonic())
        if point is None:
            for i, (low, high) in before.items():
                self.xs[i].SetBounds(low, high)
        return point

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


def _linear_program(proto: cmh.CpModelProto) -> linear_solver_pb2.MPModelProto:
    """The CP-SAT model's constraints and objective as linear rows over continuous variables.

    A negated literal (a negative reference) stands for 1 - x: its coefficient goes to x
    with the other sign and the constant to the row's bounds (or the objective's offset).
    """
    lp = linear_solver_pb2.MPModelProto()
    for v in proto.variables:
        low, high = _hull(list(v.domain))
        lp.variable.add(lower_bound=low, upper_bound=high)

    def row(refs: list[int], coeffs: list[int], low: float, high: float) -> None:
        constant = 0
        if refs and min(refs) < 0:
            for k, (ref, c) in enumerate(zip(refs, coeffs, strict=True)):
                if ref < 0:
                    refs[k], coeffs[k] = -ref - 1, -c
                    constant += c
        lp.constraint.add(
            var_index=refs,
            coefficient=coeffs,
            lower_bound=low - constant if low > -INFINITE else -math.inf,
            upper_bound=high - constant if high < INFINITE else math.inf,
        )

    for ct in proto.constraints:
        if len(ct.enforcement_literal):
            raise Unsupported("an enforced constraint")
        if ct.has_linear():
            linear = ct.linear
            domain = list(linear.domain)
            row(list(linear.vars), list(linear.coeffs), domain[0], domain[-1])
        elif ct.has_at_most_one():
            refs = list(ct.at_most_one.literals)
            row(refs, [1] * len(refs), -INFINITE - 1, 1)
        elif ct.has_exactly_one():
            refs = list(ct.exactly_one.literals)
            row(refs, [1] * len(refs), 1, 1)
        elif ct.has_bool_or():
            refs = list(ct.bool_or.literals)
            row(refs, [1] * len(refs), 1, INFINITE + 1)
        else:
            raise Unsupported("a non-linear constraint")
    goal = proto.objective
    coefficients = [0] * len(proto.variables)
    for ref, c in zip(goal.vars, goal.coeffs, strict=True):
        if ref >= 0:
            coefficients[ref] += c
        else:  # c * (1 - x)
            coefficients[-ref - 1] -= c
            lp.objective_offset += c
    for variable, c in zip(lp.variable, coefficients, strict=True):
        variable.objective_coefficient = c
    return lp
