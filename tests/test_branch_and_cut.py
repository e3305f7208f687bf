"""SCIP on the shift model: a whole point CP-SAT accepts, and a bound no higher than the optimum."""

from __future__ import annotations

import math
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.branch_and_cut import BranchAndCut
from solver.hints import complete_hint
from solver.relaxation import LinearRelaxation, Relaxation
from solver.solve import _scip_pace
from tests.cp_helpers import optimum


def _cover(need: int, size: int, odd: int) -> cp_model.CpModel:
    """Shifts of `size` hours cover `need` hours; `odd` forces a second, dearer kind of shift."""
    model = cp_model.CpModel()
    a = model.new_int_var(0, need, "a")
    b = model.new_int_var(0, need + odd, "b")
    model.add(size * a + (size + 1) * b >= need)
    model.add(b >= odd)
    model.minimize(3 * a + 5 * b + 7)
    return model


@settings(max_examples=25, deadline=None)
@given(need=st.integers(0, 40), size=st.integers(1, 8), odd=st.integers(0, 3))
def test_the_bound_never_exceeds_the_optimum_and_the_point_is_one(
    need: int, size: int, odd: int
) -> None:
    model = _cover(need, size, odd)

    found = BranchAndCut(LinearRelaxation(model), seconds=5).start().result()

    assert found is not None and found.values is not None
    assert found.bound <= optimum(model)
    assert found.objective == optimum(model)  # so small a model is solved to the end
    # CP-SAT accepts SCIP's whole point as it is
    assert complete_hint(model, dict(enumerate(found.values)), seconds=5) == found.values


def test_its_bound_is_at_least_the_relaxation_s_and_counts_the_offset() -> None:
    model = _cover(need=5, size=2, odd=0)  # relaxation: 2.5 shifts of a, 7.5 + 7 points
    relaxation = LinearRelaxation(model)
    relaxed = relaxation.solve(seconds=5)

    found = BranchAndCut(relaxation, seconds=5).start().result()

    assert relaxed is not None and found is not None
    assert relaxed.bound() == 15
    assert found.bound == 15 == found.objective  # 1 of b and 1 of a: 5 + 3 + 7


def test_an_infeasible_model_gives_nothing() -> None:
    model = cp_model.CpModel()
    x = model.new_int_var(0, 1, "x")
    model.add(2 * x >= 3)
    model.minimize(x)

    assert BranchAndCut(LinearRelaxation(model), seconds=5).start().result() is None


def test_stopping_ends_the_search_long_before_its_time_limit() -> None:
    # a market split (Cornuejols and Dawande): subsets hitting half of each of four row sums,
    # a classic that branch and bound takes hours to settle, here with slack so it has points
    rows = [[(17 * i * i + 31 * j * j + 7 * i * j + 3) % 97 for j in range(36)] for i in range(4)]
    model = cp_model.CpModel()
    picks = [model.new_bool_var(f"x{j}") for j in range(36)]
    slacks = []
    for row in rows:
        over, under = model.new_int_var(0, sum(row), ""), model.new_int_var(0, sum(row), "")
        picked = sum(a * x for a, x in zip(row, picks, strict=True))
        model.add(picked + under - over == sum(row) // 2)
        slacks += [over, under]
    model.minimize(sum(slacks))
    scip = BranchAndCut(LinearRelaxation(model), seconds=300).start()
    started = time.monotonic()

    time.sleep(1)
    scip.stop()
    scip.result()

    # a search left running would hold its core until its limit, 300 s
    assert time.monotonic() - started < 60
    assert scip.status is not None  # SCIP's solve has returned


def test_stopping_returns_without_waiting_for_a_search_slow_to_hear_it() -> None:
    # on a 2-core Xeon SCIP's root heard the request 1.4-2.9 s late, and the solve waited
    model = cp_model.CpModel()
    model.minimize(model.new_int_var(0, 10, "x"))
    scip = BranchAndCut(LinearRelaxation(model), seconds=5)
    heard = threading.Event()
    scip._thread = threading.Thread(target=heard.wait, args=(5,), daemon=True)
    scip.start()

    started = time.monotonic()
    scip.stop()

    assert time.monotonic() - started < 1
    heard.set()


# SCIP's first point comes about 8 times as late as GLOP's solve of the relaxation; a GLOP
# that used 90% of its time or more ran out of it, one that failed sooner says nothing.
@pytest.mark.parametrize(
    ("relaxed", "took", "pace"),
    [
        (Relaxation([], 0.0, seconds=0.5), 0.5, 4.0),
        (None, 1.8, math.inf),
        (None, 1.79, 0.0),
    ],
)
def test_scip_is_judged_by_glops_pace_and_given_up_when_glop_ran_out_of_time(
    relaxed: Relaxation | None, took: float, pace: float
) -> None:
    assert _scip_pace(relaxed, took=took, cap=2.0) == pytest.approx(pace)
