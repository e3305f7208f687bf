"""The linear relaxation: a valid bound for integral objectives, and a point to round."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.hints import round_relaxation
from solver.relaxation import LinearRelaxation, Unsupported


def _cover(need: int, size: int) -> tuple[cp_model.CpModel, cp_model.IntVar, cp_model.IntVar]:
    """Two shift types of `size` hours each must cover `need` hours: a knapsack-like cover."""
    model = cp_model.CpModel()
    a = model.NewIntVar(0, need, "a")
    b = model.NewIntVar(0, need, "b")
    model.Add(size * a + size * b >= need)
    model.Minimize(3 * a + 3 * b)
    return model, a, b


def test_a_fractional_relaxation_is_rounded_up_to_the_next_whole_objective() -> None:
    model, _, _ = _cover(need=5, size=2)  # relaxation: 2.5 shifts, 7.5 points

    relaxed = LinearRelaxation(model).solve(seconds=5)

    assert relaxed is not None
    assert relaxed.objective == pytest.approx(7.5)
    assert relaxed.bound() == 8  # objectives are whole: 7.5 cannot be reached, 8 might


@settings(max_examples=30, deadline=None)
@given(need=st.integers(0, 40), size=st.integers(1, 8))
def test_the_bound_never_exceeds_the_optimum(need: int, size: int) -> None:
    model, _, _ = _cover(need, size)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(model) == cp_model.OPTIMAL

    relaxed = LinearRelaxation(model).solve(seconds=5)

    assert relaxed is not None
    assert relaxed.bound() <= solver.ObjectiveValue()


def test_the_objective_offset_counts_in_the_bound() -> None:
    model = cp_model.CpModel()
    x = model.NewIntVar(0, 4, "x")
    model.Add(2 * x >= 3)
    model.Minimize(x + 100)

    relaxed = LinearRelaxation(model).solve(seconds=5)

    assert relaxed is not None
    assert relaxed.objective == pytest.approx(101.5)


def test_an_infeasible_model_has_no_relaxation() -> None:
    model = cp_model.CpModel()
    x = model.NewIntVar(0, 1, "x")
    model.Add(x >= 2)

    assert LinearRelaxation(model).solve(seconds=5) is None


def test_an_enforced_constraint_is_refused_rather_than_guessed() -> None:
    model = cp_model.CpModel()
    x = model.NewIntVar(0, 4, "x")
    on = model.NewBoolVar("on")
    model.Add(x >= 3).OnlyEnforceIf(on)

    with pytest.raises(Unsupported):
        LinearRelaxation(model).solve(seconds=5)


def test_rounding_keeps_whole_values_and_decides_the_fractional_ones() -> None:
    model, a, b = _cover(need=5, size=2)
    model.Add(a >= 1)
    relaxed = LinearRelaxation(model).solve(seconds=5)
    assert relaxed is not None

    values = round_relaxation(model, relaxed, [a.Index(), b.Index()], seconds=5)

    assert values is not None
    assert values[a.Index()] + values[b.Index()] == 3
    for var in (a, b):
        low = int(relaxed.values[var.Index()])
        assert low <= values[var.Index()] <= low + 1


def test_negated_literals_count_as_one_minus_the_variable() -> None:
    model = cp_model.CpModel()
    x, y = model.NewBoolVar("x"), model.NewBoolVar("y")
    model.AddBoolOr([~x, ~y])  # not both: x + y <= 1
    model.AddAtMostOne([~x, y])  # y only with x: y <= x
    model.Maximize(2 * x + 3 * y)

    relaxed = LinearRelaxation(model).solve(seconds=5)

    assert relaxed is not None
    # with x + y <= 1 and y <= x the best is x = y = 1/2, not the whole x = 1, y = 0 (2):
    # read wrongly, either negation would let y = 1 and score 3 or more
    assert relaxed.objective == pytest.approx(2.5)


def test_a_dive_takes_the_other_side_where_the_nearest_whole_value_has_no_solution() -> None:
    model = cp_model.CpModel()
    x = model.NewIntVar(0, 3, "x")
    model.Add(5 * x >= 7)  # the relaxation's x = 1.4 rounds to 1, which breaks this
    model.Minimize(x)
    relaxation = LinearRelaxation(model)

    assert relaxation.dive([[x.Index()]], seconds=5) == {x.Index(): 2}


def test_a_dive_gives_a_group_its_zeros_back_at_a_dead_end() -> None:
    # a is dear and at zero in the relaxation, so the first round fixes it there; then
    # 2b + 2c = 1 + a has no whole solution, and the dive must take a = 1 after all
    model = cp_model.CpModel()
    a, b, c = (model.NewIntVar(0, 1, name) for name in "abc")
    model.Add(2 * b + 2 * c == 1 + a)
    model.Minimize(10 * a + b + c)
    relaxation = LinearRelaxation(model)

    dived = relaxation.dive([[a.Index(), b.Index(), c.Index()]], seconds=5)

    assert dived is not None
    assert dived[a.Index()] == 1
    assert dived[b.Index()] + dived[c.Index()] == 1


def test_a_dive_with_no_whole_solution_gives_none() -> None:
    model = cp_model.CpModel()
    b, c = model.NewIntVar(0, 1, "b"), model.NewIntVar(0, 1, "c")
    model.Add(2 * b + 2 * c == 1)
    model.Minimize(b + c)

    assert LinearRelaxation(model).dive([[b.Index(), c.Index()]], seconds=5) is None


def test_a_dive_out_of_time_leaves_its_last_point_with_the_counts_it_fixed(monkeypatch) -> None:
    # x = 1.4 and y = 2.6 in the relaxation; the first round fixes x (1 fails, so 2), and the
    # clock then passes the deadline before y is fixed
    model = cp_model.CpModel()
    x, y = model.NewIntVar(0, 3, "x"), model.NewIntVar(0, 3, "y")
    model.Add(5 * x >= 7)
    model.Add(5 * y >= 13)
    model.Minimize(x + y)
    relaxation = LinearRelaxation(model)
    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr("solver.relaxation.time", SimpleNamespace(monotonic=lambda: clock.now))
    fixed = relaxation.fixed

    def fixed_then_late(fixings: dict[int, int], deadline: float):
        point = fixed(fixings, deadline)
        clock.now += 100.0 if point is not None else 0.0
        return point

    monkeypatch.setattr(relaxation, "fixed", fixed_then_late)

    assert relaxation.dive([[x.Index()], [y.Index()]], seconds=5) is None
    assert relaxation.last is not None
    assert relaxation.last.values[x.Index()] == pytest.approx(2)
    assert relaxation.last.values[y.Index()] == pytest.approx(2.6)


def test_the_example_week_as_the_service_stores_it_has_a_relaxation(tmp_path: Path) -> None:
    # on this model (channels in another order, no carry-in) GLOP's presolve gives up with
    # ABNORMAL; the relaxation is solved again without presolve rather than lost
    from sqlmodel import Session

    from api.cli_service import EXAMPLE, import_folder
    from api.convert import problem_of, take_snapshot
    from api.db import make_engine, migrate
    from solver.shifts_model import ShiftModel

    engine = make_engine(f"sqlite:///{tmp_path / 'roster.db'}")
    migrate(engine)
    with Session(engine) as session:
        snapshot = take_snapshot(session, import_folder(session, EXAMPLE)[1])
    engine.dispose()
    model = ShiftModel(problem_of(snapshot)).build().model

    relaxed = LinearRelaxation(model).solve(seconds=30)

    assert relaxed is not None
    assert relaxed.bound() > 0  # without the carry-in, Monday's first night is short for sure
