"""Complete hints: CP-SAT starts best from a full solution, so fill in what a partial implies."""

from __future__ import annotations

from ortools.sat.python import cp_model


def complete_hint(
    model: cp_model.CpModel,
    fixed: dict[int, int],
    seconds: float,
    workers: int = 1,
    seed: int = 0,
) -> list[int] | None:
    """Hint every variable of `model` with a solution that takes `fixed` (index -> value).

    The rest is found by solving a copy of the model with those values fixed. Returns the
    completed solution, or None (leaving the hints as they were) if none is found in time.
    """
    copy = model.Clone()
    for index, value in fixed.items():
        copy.Add(copy.GetIntVarFromProtoIndex(index) == value)
    copy.ClearHints()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = True
    status = solver.Solve(copy)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = list(solver.ResponseProto().solution)
    model.ClearHints()
    for index, value in enumerate(values):
        model.AddHint(model.GetIntVarFromProtoIndex(index), value)
    return values


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
