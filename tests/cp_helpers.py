"""CP-SAT helpers shared by the solver's tests."""

from __future__ import annotations

from ortools.sat.python import cp_model


def optimum(model: cp_model.CpModel) -> float:
    """The proven optimum of a small model, solved by one worker to the end."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value
