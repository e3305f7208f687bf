"""The shortfall floor: the fewest missing adviser-intervals a roster of the week can have.

Shortfall outweighs every other term (1,000 points an adviser-hour against 10 for
over-staffing), yet the relaxation of the shift model spreads shifts in fractions and misses
whole hours of it: on the generated 30-adviser week of seed 0 it counts 29 hours, where SCIP,
searching 11 s, proves 30. Counted alone, shortfall is a whole number of adviser-intervals,
so SCIP's cuts at the root of that program, rounded up, prove a floor in 3-4 s, and the
relaxation of the whole objective held to it gives a higher bound (30,480 points to 30,980 on
that week, with a floor of 29.5 hours). The floor holds for every roster of the model it is
proven on (parts settled by solver.parts included), so its row may join the search's model.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import linear_solver_pb2
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

from solver.relaxation import LinearRelaxation, round_up

# SCIP's tolerance on a bound (its feasibility tolerance, a millionth), given back before rounding
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Floor:
    """The fewest missing adviser-intervals, and the relaxation's bound held to it (model units)."""

    count: int
    bound: float | None


def _program(relaxation: LinearRelaxation, counted: Sequence[int]) -> mathopt.Model:
    """The relaxation's rows over whole variables, minimising the sum of the `counted` ones.

    Built through MathOpt rather than pywraplp, whose SCIP gives no bound before its first
    point, and the root's bound is what is wanted here.
    """
    source = relaxation.proto
    proto = model_pb2.ModelProto()
    variables = proto.variables
    for i, x in enumerate(source.variable):
        variables.ids.append(i)
        variables.lower_bounds.append(x.lower_bound)
        variables.upper_bounds.append(x.upper_bound)
        variables.integers.append(True)  # every CP-SAT variable is
    for i in sorted(set(counted)):
        proto.objective.linear_coefficients.ids.append(i)
        proto.objective.linear_coefficients.values.append(1.0)
    rows, matrix = proto.linear_constraints, proto.linear_constraint_matrix
    for r, ct in enumerate(source.constraint):
        rows.ids.append(r)
        rows.lower_bounds.append(ct.lower_bound)
        rows.upper_bounds.append(ct.upper_bound)
        for j, a in sorted(zip(ct.var_index, ct.coefficient, strict=True)):
            matrix.row_ids.append(r)
            matrix.column_ids.append(j)
            matrix.coefficients.append(a)
    return mathopt.Model.from_model_proto(proto)


def held_to(relaxation: LinearRelaxation, counted: Sequence[int], floor: int) -> LinearRelaxation:
    """A copy of the relaxation with the row `sum(counted) >= floor`."""
    program = linear_solver_pb2.MPModelProto()
    program.CopyFrom(relaxation.proto)
    ones = sorted(set(counted))
    program.constraint.add(
        var_index=ones, coefficient=[1.0] * len(ones), lower_bound=floor, upper_bound=float("inf")
    )
    return LinearRelaxation.of_program(program, relaxation.offset, relaxation.scale)


def shortfall_floor(
    relaxation: LinearRelaxation,
    shortfall: Sequence[int],
    seconds: float,
    lift_seconds: float,
) -> Floor | None:
    """SCIP's root on the shift program with only the `shortfall` variables counted, then the
    relaxation held to the floor it proves, within `seconds` (`lift_seconds` of them kept for
    that relaxation); None if SCIP proved nothing in time."""
    if seconds <= lift_seconds:
        return None
    deadline = time.monotonic() + seconds
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=seconds - lift_seconds),
        # the root's cuts are the proof; the heuristics' points (shortfall alone) are no start
        # for the search, and each node more is a second more on a 30-adviser week
        node_limit=1,
        heuristics=mathopt.Emphasis.OFF,
        threads=1,
    )
    result = mathopt.solve(_program(relaxation, shortfall), mathopt.SolverType.GSCIP, params=params)
    dual = result.termination.objective_bounds.dual_bound
    if not math.isfinite(dual):
        return None
    count = round_up(dual, TOLERANCE)
    left = deadline - time.monotonic()
    lifted = held_to(relaxation, shortfall, count).solve(seconds=left) if left > 0 else None
    return Floor(count, lifted.bound() if lifted else None)
