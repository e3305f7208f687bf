"""Starting points: a model's solution read without solving again, a range imposed cheaply."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.hints import Solution, best_within


def small_model(
    weights: list[int],
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], cp_model.IntVar]:
    """Booleans with weights, an integer, an objective with negated literals and an offset."""
    model = cp_model.CpModel()
    picks = [model.new_bool_var(f"b{i}") for i in range(len(weights))]
    count = model.new_int_var(0, len(weights), "count")
    model.add(count == sum(picks))
    model.add(count >= 1)
    model.minimize(
        sum(w * b for w, b in zip(weights, picks, strict=True)) + 3 * ~picks[0] - count + 7
    )
    return model, picks, count


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-5, 9), min_size=1, max_size=6))
def test_a_solution_reads_as_the_solver_that_found_it(weights: list[int]) -> None:
    model, picks, count = small_model(weights)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL

    read = Solution(model, list(solver.response_proto.solution))

    assert read.objective_value == pytest.approx(solver.objective_value)
    assert read.value(count) == solver.value(count)
    for expr in (2 * count + 3, sum(picks) - count, ~picks[0] + picks[-1], 7):
        assert read.value(expr) == solver.value(expr)  # expressions too, as stage 1 reads them
    for b in picks:
        assert read.boolean_value(b) == solver.boolean_value(b)
        assert read.boolean_value(~b) == solver.boolean_value(~b)


def test_a_range_imposed_on_a_copy_leaves_the_model_as_it_was() -> None:
    model, picks, count = small_model([1, 2, 3])
    before = [list(v.domain) for v in model.proto.variables]

    values = best_within(model, {count.index: (2, 2), picks[0].index: (1, 1)}, seconds=5)

    assert values is not None and values[count.index] == 2 and values[picks[0].index] == 1
    assert [list(v.domain) for v in model.proto.variables] == before


def test_a_range_outside_a_domain_finds_nothing() -> None:
    model, _, count = small_model([1, 2, 3])

    assert best_within(model, {count.index: (5, 9)}, seconds=5) is None
