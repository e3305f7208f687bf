"""The start of last resort: the greedy's weeks where heads are missing, completed in time."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest

import solver.solve
from roster.problem import Problem
from roster.shifts import ShiftOption
from solver.greedy import greedy_weeks
from solver.relaxation import LinearRelaxation
from solver.shifts_model import ShiftModel
from solver.solve import COMPLETION_MIN_SHARE, _greedy_start, _Splits
from tests.factories import MONDAY, adviser, make_problem, paris_instant, scenario_dict


def _heads(channel: str, first: str, last: str) -> list[tuple[str, str, int]]:
    """One adviser required on `channel` at every quarter-hour from `first` to `last` (Paris)."""
    rows, t, end = [], paris_instant(first), paris_instant(last)
    while t < end:
        rows.append((t.isoformat(), channel, 1))
        t += timedelta(minutes=15)
    return rows


MORNING_PHONE = _heads("phone", f"{MONDAY} 08:00", f"{MONDAY} 15:30")
EVENING_SOCIAL = _heads("social", f"{MONDAY} 16:00", f"{MONDAY} 22:00")


def _monday_week(demand: list[tuple[str, str, int]]) -> Problem:
    return make_problem(scenario_dict(advisers=[adviser("P1")]), demand)


def _monday_start(weeks: dict[str, list[ShiftOption]], adviser_id: str) -> datetime:
    (start,) = [o.start for o in weeks[adviser_id] if o.start.date().isoformat() == MONDAY]
    return start


def test_an_adviser_goes_where_more_heads_are_missing_whatever_the_channel() -> None:
    # Monday: one head on the phone 08:00-15:30 (30 quarter-hours), one on social 16:00-22:00
    # (24). The 08:00 shift covers 30, the 14:30 shift 28 (4 on the phone, 24 on social).
    # Counted at a 70/30 split the evening looked worth twice as much (0.7 x 24 + 0.3 x 4
    # against 0.3 x 30); a head covers either channel in full.
    problem = _monday_week(MORNING_PHONE + EVENING_SOCIAL)

    weeks = greedy_weeks(problem)

    assert _monday_start(weeks, "P1") == paris_instant(f"{MONDAY} 08:00")
    assert len(weeks["P1"]) == 5  # 35 contract hours of 7-hour shifts


def test_the_next_adviser_takes_what_the_first_left_missing() -> None:
    data = scenario_dict(advisers=[adviser("P1"), adviser("P2")])
    problem = make_problem(data, MORNING_PHONE + EVENING_SOCIAL)

    weeks = greedy_weeks(problem)

    starts = sorted(_monday_start(weeks, a) for a in ("P1", "P2"))
    assert starts == [paris_instant(f"{MONDAY} 08:00"), paris_instant(f"{MONDAY} 14:30")]


def test_the_greedy_start_late_in_a_solve_is_completed_for_its_least_share_and_hinted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # reached once the shifts' time is over (a dive and its rounding that found nothing on a
    # busy machine), it searched a fixed 2 s and overran the limit; its breaks and channels
    # are searched from the relaxation with its shifts fixed, rounded, as the dive's are
    data = scenario_dict(advisers=[adviser("P1"), adviser("P2")])
    stage1 = ShiftModel(make_problem(data, MORNING_PHONE + EVENING_SOCIAL)).build()
    asked: list[dict[str, Any]] = []
    deadlines: list[float] = []
    real_complete, real_fixed = solver.solve.complete_hint, LinearRelaxation.fixed

    def complete(*args: Any, **kwargs: Any) -> list[int] | None:
        asked.append(kwargs)
        return real_complete(*args, **kwargs)

    def fixed(self: LinearRelaxation, fixings: dict[int, int], deadline: float) -> Any:
        deadlines.append(deadline - time.monotonic())
        return real_fixed(self, fixings, deadline)

    monkeypatch.setattr(solver.solve, "complete_hint", complete)
    monkeypatch.setattr(LinearRelaxation, "fixed", fixed)
    relaxation = LinearRelaxation(stage1.model)
    past = time.monotonic() - 5.0

    point = _greedy_start(
        stage1, relaxation, _Splits(stage1, seed=0), past, limit=10, workers=1, seed=0
    )

    assert point is not None
    least = COMPLETION_MIN_SHARE * 10
    assert [call["seconds"] for call in asked] == [least]
    assert 0 < deadlines[0] <= least  # the relaxation too had its least share, not a past instant
    assert asked[0]["start"]  # the rounding of that relaxation
