"""Starting points: CP-SAT starts best from a full solution, so complete what a partial implies."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

from solver.relaxation import Relaxation


def best_within(
    model: cp_model.CpModel,
    ranges: dict[int, tuple[int, int]],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
    watcher: cp_model.CpSolverSolutionCallback | None = None,
    start: dict[int, int] | None = None,
    solver: cp_model.CpSolver | None = None,
) -> list[int] | None:
    """Hint every variable of `model` with the best solution found with `ranges` imposed.

    `ranges` maps variable indices to (lowest, highest) values. The rest is searched for
    `seconds` in a copy of the model, from the values `start` hints (index -> value), if
    given, by `solver` if given (one the caller may stop early). Returns the solution, or
    None (leaving the hints as they were) if none is found in time. `watcher` hears of each
    improving solution.
    """
    copy = model.clone()
    narrow(copy, ranges)
    copy.clear_hints()
    for index, value in (start or {}).items():
        copy.add_hint(copy.get_int_var_from_proto_index(index), value)
    solver = solver or cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(copy, watcher)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return hint(model, list(solver.response_proto.solution))


def narrow(model: cp_model.CpModel, ranges: dict[int, tuple[int, int]]) -> None:
    """Hold each variable (by index) of `model` within its (lowest, highest) range."""
    variables = model.proto.variables
    for index, (low, high) in ranges.items():
        domain = variables[index].domain
        low, high = max(low, domain[0]), min(high, domain[len(domain) - 1])  # no [-1] here
        if len(domain) == 2 and low <= high:
            # narrowing the domain in place: two constraints per variable cost seconds to
            # add and to presolve on large models
            domain[0], domain[1] = low, high
        else:  # a domain with holes, or a range outside it: constraints say it exactly
            var = model.get_int_var_from_proto_index(index)
            model.add(var >= low)
            model.add(var <= high)


def hint(model: cp_model.CpModel, values: list[int]) -> list[int]:
    """Hint every variable of `model` with `values` (by variable index); return them."""
    model.clear_hints()
    for index, value in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(index), value)
    return values


def complete_hint(
    model: cp_model.CpModel,
    fixed: dict[int, int],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
    watcher: cp_model.CpSolverSolutionCallback | None = None,
    start: dict[int, int] | None = None,
    solver: cp_model.CpSolver | None = None,
) -> list[int] | None:
    """Hint every variable with the best solution that takes `fixed` (index -> value)."""
    ranges = {i: (v, v) for i, v in fixed.items()}
    return best_within(model, ranges, seconds, workers, seed, watcher, start, solver)


def round_relaxation(
    model: cp_model.CpModel,
    relaxation: Relaxation,
    indices: Iterable[int],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
    watcher: cp_model.CpSolverSolutionCallback | None = None,
) -> list[int] | None:
    """Hint the best solution whose `indices` variables lie next to their relaxed values.

    Each is held between the floor and the ceiling of its value in the relaxation, so the
    search only decides the fractional ones and what follows from them (a relaxation-induced
    neighbourhood: most of a good relaxation's choices are already whole numbers). The
    search starts from every value rounded, as the completion of a dive does.
    """
    ranges = {}
    for i in indices:
        value = relaxation.values[i]
        ranges[i] = (math.floor(value + 1e-6), math.ceil(value - 1e-6))
    return best_within(model, ranges, seconds, workers, seed, watcher, relaxation.rounded())


class Solution:
    """A solution of a model read as a CpSolver's (`value`, `boolean_value`, `objective_value`),
    without solving the model again (with every variable fixed, a second on large models)."""

    def __init__(self, model: cp_model.CpModel, values: list[int]) -> None:
        self.values = values
        objective = model.proto.objective
        total = sum(
            coeff * self._ref(ref)
            for ref, coeff in zip(objective.vars, objective.coeffs, strict=True)
        )
        self.objective_value = (total + objective.offset) * (objective.scaling_factor or 1.0)

    def _ref(self, ref: int) -> int:
        return self.values[ref] if ref >= 0 else -self.values[-ref - 1]

    def value(self, expr: cp_model.LinearExprT) -> int:
        """A variable's or a linear expression's value, as `CpSolver.value` reads either."""
        if isinstance(expr, int):
            return expr
        flat = cmh.FlatIntExpr(expr)
        terms = zip(flat.vars, flat.coeffs, strict=True)
        return sum(c * self.values[v.index] for v, c in terms) + flat.offset

    def boolean_value(self, literal: cp_model.IntVar) -> bool:
        index = literal.index
        return bool(self.values[index]) if index >= 0 else not self.values[-index - 1]


Reader = cp_model.CpSolver | Solution  # where a model's values are read
