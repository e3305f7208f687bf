"""Independent parts of a model: found, solved apart, fixed at their best point with its slack."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from examples.generate import generate
from solver import parts as parts_module
from solver.parts import _Point, part_model, parts, settle_parts
from solver.relaxation import LinearRelaxation
from solver.shifts_model import ShiftModel
from tests.cp_helpers import optimum


def _covers(needs: list[int], size: int) -> tuple[cp_model.CpModel, list[list[cp_model.IntVar]]]:
    """One cover per need, each its own problem: whole shifts of `size` hours, 3 points each."""
    model = cp_model.CpModel()
    shifts = []
    for k, need in enumerate(needs):
        a = model.new_int_var(0, need, f"a{k}")
        b = model.new_int_var(0, need, f"b{k}")
        model.add(size * a + size * b >= need)
        shifts.append([a, b])
    model.minimize(sum(3 * x for pair in shifts for x in pair))
    return model, shifts


def test_constraints_that_share_no_variable_make_separate_parts() -> None:
    model, shifts = _covers([5, 7, 9], size=2)

    found = parts(model.proto)

    assert sorted(sorted(p) for p in found) == sorted(sorted(x.index for x in s) for s in shifts)


def test_a_constraint_across_two_parts_joins_them() -> None:
    model, shifts = _covers([5, 7], size=2)
    model.add(shifts[0][0] + shifts[1][1] <= 3)

    assert len(parts(model.proto)) == 1


def test_an_enforcement_literal_joins_the_parts_it_enforces_in() -> None:
    model, shifts = _covers([5, 7], size=2)
    switch = model.new_bool_var("switch")
    model.add(shifts[0][0] >= 1).only_enforce_if(switch)
    model.add(shifts[1][0] >= 1).only_enforce_if(switch.Not())

    assert len(parts(model.proto)) == 1


def test_a_variable_no_constraint_reads_is_a_part_of_its_own() -> None:
    model, _ = _covers([5], size=2)
    model.new_int_var(0, 3, "loose")

    assert sorted(len(p) for p in parts(model.proto)) == [1, 2]


@settings(max_examples=25, deadline=None)
@given(needs=st.lists(st.integers(0, 30), min_size=1, max_size=4), size=st.integers(1, 6))
def test_the_optima_of_the_parts_add_up_to_the_optimum_of_the_whole(
    needs: list[int], size: int
) -> None:
    model, _ = _covers(needs, size)

    apart = sum(optimum(part_model(model, p)) for p in parts(model.proto))

    assert apart == optimum(model)


def test_every_part_but_the_largest_is_fixed_at_itsoptimum() -> None:
    model, shifts = _covers([20, 5, 9], size=2)
    model.add(shifts[0][0] + model.new_int_var(0, 20, "c") <= 7)  # the largest part: 3 variables
    whole = optimum(model)

    settled = settle_parts(model, seconds=5)

    assert settled.fixed == 2
    assert sorted(settled.values) == sorted(x.index for s in shifts[1:] for x in s)
    domains = model.proto.variables
    for index, value in settled.values.items():
        assert list(domains[index].domain) == [value, value]
    assert list(domains[shifts[0][0].index].domain) == [0, 20]  # the largest is left free
    assert settled.objective == 3 * 3 + 3 * 5  # ceil(5 / 2) and ceil(9 / 2) shifts
    assert optimum(model) == whole  # nothing lost


def test_a_part_with_no_solution_is_left_to_the_search_of_the_whole() -> None:
    model, shifts = _covers([20, 5], size=2)
    model.add(shifts[0][0] + model.new_int_var(0, 20, "c") <= 7)
    model.add(shifts[1][0] + shifts[1][1] <= 1)  # 2 hours cannot cover 5

    settled = settle_parts(model, seconds=5)

    assert settled.fixed == 0 and not settled.values
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.INFEASIBLE


def test_a_part_not_proven_optimal_in_time_is_left_free() -> None:
    model, shifts = _covers([20, 5], size=2)
    model.add(shifts[0][0] + model.new_int_var(0, 20, "c") <= 7)

    settled = settle_parts(model, seconds=0.0)

    assert settled.fixed == 0
    assert list(model.proto.variables[shifts[1][0].index].domain) == [0, 5]


def test_a_model_with_other_constraints_is_left_whole() -> None:
    model, shifts = _covers([5, 7], size=2)
    model.add_max_equality(model.new_int_var(0, 9, "top"), [shifts[0][0], shifts[1][0]])

    assert settle_parts(model, seconds=5).fixed == 0


def test_the_night_team_of_a_generated_week_is_settled_and_the_bound_rises(tmp_path) -> None:
    # the Paris day and the Sydney night share no interval: two parts, the night the smaller
    problem = generate(tmp_path, 30, date(2026, 11, 23), 0, "parts", "sydney")
    before = LinearRelaxation(ShiftModel(problem).build().model).solve(seconds=10)
    stage1 = ShiftModel(problem).build()
    night = {
        lit.index
        for cls, c in zip(stage1.classes, stage1.choices, strict=True)
        if cls.team.name == "sydney"
        for lit in c.literals
    }

    settled = settle_parts(stage1.model, seconds=10)
    after = LinearRelaxation(stage1.model).solve(seconds=10)

    assert settled.fixed == 1
    assert night <= set(settled.values)
    assert before is not None and after is not None
    assert after.bound() > before.bound()


def test_an_optimum_refused_becomes_a_floor_on_the_part_and_is_not_fixed() -> None:
    model, shifts = _covers([20, 5], size=2)
    model.add(shifts[0][0] + model.new_int_var(0, 20, "c") <= 7)
    whole = optimum(model)

    settled = settle_parts(model, seconds=5, accept=lambda values: False)

    assert (settled.fixed, settled.floored) == (0, 1)
    assert list(model.proto.variables[shifts[1][0].index].domain) == [0, 5]  # still free
    relaxed = LinearRelaxation(model).solve(seconds=5)
    assert relaxed is not None
    assert relaxed.objective >= 3 * 10 + 3 * 3  # the floor holds in the relaxation: 9 not 7.5
    assert optimum(model) == whole  # and it cuts off no optimum


def test_the_check_sees_the_optimal_values_of_the_part_it_is_asked_about() -> None:
    model, shifts = _covers([20, 5], size=2)
    model.add(shifts[0][0] + model.new_int_var(0, 20, "c") <= 7)
    seen: list[dict[int, int]] = []

    settle_parts(model, seconds=5, accept=lambda values: seen.append(values) or True)

    assert [sorted(v) for v in seen] == [sorted(x.index for x in shifts[1])]
    assert sum(seen[0].values()) == 3  # ceil(5 / 2) shifts


def _unproven(part: cp_model.CpModel, seconds: float, workers: int, seed: int) -> _Point:
    """Four shifts for a need of 5 hours (12 points, the optimum is 9), proven at least 9."""
    return _Point([4, 0], objective=12.0, raw=12, bound=9, scale=1.0)


def _unproven_beside_a_larger_part(
    monkeypatch,
) -> tuple[cp_model.CpModel, list[list[cp_model.IntVar]], int]:
    """A need of 5 hours beside a larger part, its point not proven (see `_unproven`); the
    model, its shifts and its optimum."""
    model, shifts = _covers([20, 5], size=2)
    model.add(shifts[0][0] + model.new_int_var(0, 20, "c") <= 7)
    monkeypatch.setattr(parts_module, "_solve_part", _unproven)
    return model, shifts, optimum(model)


def test_a_point_not_proven_optimal_in_time_is_fixed_and_its_gap_reported_as_slack(
    monkeypatch,
) -> None:
    model, shifts, whole = _unproven_beside_a_larger_part(monkeypatch)

    settled = settle_parts(model, seconds=5)

    assert (settled.fixed, settled.slack) == (1, 3.0)
    assert list(model.proto.variables[shifts[1][0].index].domain) == [4, 4]
    assert optimum(model) == whole + 3  # the point fixed lies 3 above the part's optimum...
    assert optimum(model) - settled.slack <= whole  # ...and the slack covers it


def test_a_point_refused_floors_its_part_at_the_proven_bound_not_at_its_value(
    monkeypatch,
) -> None:
    model, _, whole = _unproven_beside_a_larger_part(monkeypatch)

    settled = settle_parts(model, seconds=5, accept=lambda values: False)

    assert (settled.fixed, settled.floored, settled.slack) == (0, 1, 0.0)
    assert optimum(model) == whole  # a floor of 9, not 12, cuts off no optimum
