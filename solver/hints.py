"""Starting points: CP-SAT starts best from a full solution, so complete what a partial implies."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ortools.sat.python import cp_model

from solver.relaxation import Relaxation


def best_within(
    model: cp_model.CpModel,
    ranges: dict[int, tuple[int, int]],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
    watcher: cp_model.CpSolverSolutionCallback | None = None,
) -> list[int] | None:
    """Hint every variable of `model` with the best solution found with `ranges` imposed.

    `ranges` maps variable indices to (lowest, highest) values. The rest is searched for
    `seconds` in a copy of the model. Returns the solution, or None (leaving the hints as
    they were) if none is found in time. `watcher` hears of each improving solution.
    """
    copy = model.Clone()
    for index, (low, high) in ranges.items():
        var = copy.GetIntVarFromProtoIndex(index)
        copy.Add(var >= low)
        copy.Add(var <= high)
    copy.ClearHints()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.Solve(copy, watcher)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = list(solver.ResponseProto().solution)
    model.ClearHints()
    for index, value in enumerate(values):
        model.AddHint(model.GetIntVarFromProtoIndex(index), value)
    return values


def complete_hint(
    model: cp_model.CpModel,
    fixed: dict[int, int],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
    watcher: cp_model.CpSolverSolutionCallback | None = None,
) -> list[int] | None:
    """Hint every variable with the best solution that takes `fixed` (index -> value)."""
    ranges = {i: (v, v) for i, v in fixed.items()}
    return best_within(model, ranges, seconds, workers, seed, watcher)


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
    neighbourhood: most of a good relaxation's choices are already whole numbers).
    """
    ranges = {}
    for i in indices:
        value = relaxation.values[i]
        ranges[i] = (math.floor(value + 1e-6), math.ceil(value - 1e-6))
    return best_within(model, ranges, seconds, workers, seed, watcher)


def replay(model: cp_model.CpModel, values: list[int]) -> cp_model.CpSolver | None:
    """A solver holding exactly this solution of the model, to read it as any other."""
    copy = model.Clone()
    for index, value in enumerate(values):
        copy.Add(copy.GetIntVarFromProtoIndex(index) == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    status = solver.Solve(copy)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
