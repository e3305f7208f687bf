"""Stage 1 searched two days at a time: a shift moves to the day short of cover."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import pytz
from ortools.sat.python import cp_model

from roster.problem import Problem
from solver.days import DaySearch
from solver.hints import Solution, complete_hint
from solver.parts import settle_parts
from solver.shifts_model import ShiftModel
from tests.cp_helpers import optimum
from tests.factories import (
    AUTUMN_MONDAY,
    MONDAY,
    SPRING_MONDAY,
    adviser,
    make_problem,
    paris_team,
    scenario_dict,
    sydney_team,
)

WEEK = [date.fromisoformat(MONDAY) + timedelta(days=k) for k in range(7)]
MON, TUE, WED, THU, FRI, SAT, SUN = WEEK
PARIS = pytz.timezone("Europe/Paris")
NO_SURPLUS = {"overstaffing": 0, "fairness_weekends": 0}


def _morning_need(days: list[date], advisers: int) -> list[tuple[str, str, int]]:
    """`advisers` on social from 10:00 to 12:00 Paris time on each of `days`."""
    return [
        (f"{d.isoformat()} {10 + q // 4:02d}:{15 * (q % 4):02d}", "social", advisers)
        for d in days
        for q in range(8)
    ]


def _social_only(*ids: str, languages: tuple[str, ...] = ("fr",)) -> list[dict[str, object]]:
    return [
        adviser(i, channels=("social",), languages=languages, split={"social": 100}) for i in ids
    ]


def _problem(advisers: list[dict[str, object]], need: list[tuple[str, str, int]]) -> Problem:
    # only shortfall is scored, so that one worker proves these weeks' optima at once
    data = scenario_dict(teams=[paris_team()], advisers=advisers, weights=NO_SURPLUS)
    return make_problem(data, demand=need)


def _start(stage1: ShiftModel, days_off: dict[str, set[date]]) -> list[int]:
    """The best point of stage 1 with each adviser (a class of one) off on the given days."""
    model = stage1.model.clone()
    for cls, choice in zip(stage1.classes, stage1.choices, strict=True):
        off = days_off.get(cls.members[0].id, set())
        for option, literal in zip(choice.options, choice.literals, strict=True):
            if option.start.astimezone(PARIS).date() in off:
                model.add(model.get_int_var_from_proto_index(literal.index) == 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return list(solver.response_proto.solution)


def _is_solution(model: cp_model.CpModel, values: list[int]) -> bool:
    return complete_hint(model.clone(), dict(enumerate(values)), seconds=10) is not None


def test_a_shift_moves_from_a_day_with_cover_to_spare_to_the_day_short_of_it() -> None:
    # five shifts make the contract: resting Monday, the only day with demand, leaves it short
    stage1 = ShiftModel(_problem(_social_only("P1"), _morning_need([MON], 1))).build()
    start = _start(stage1, {"P1": {MON, SUN}})
    search = DaySearch(stage1)

    better = search.improve(start, time.monotonic() + 60)

    assert better is not None and _is_solution(stage1.model, better)
    assert Solution(stage1.model, better).objective_value == optimum(stage1.model)
    assert Solution(stage1.model, start).objective_value > optimum(stage1.model)


def test_the_costliest_day_is_searched_first_with_the_cheapest_days() -> None:
    # Monday is short all morning (8 quarter-hours), Wednesday for an hour (4), the rest never
    need = _morning_need([MON], 1) + _morning_need([WED], 2)[:4]
    stage1 = ShiftModel(_problem(_social_only("P1"), need)).build()
    start = _start(stage1, {"P1": {MON, SUN}})

    pairs = DaySearch(stage1).pairs(start)

    assert len(pairs) == 21
    assert all(MON in pair for pair in pairs[:6])
    assert pairs[5] == (MON, WED)  # Monday beside the other costly day comes last
    assert all(WED in pair for pair in pairs[6:11])


def test_every_pair_of_the_week_is_searched_once_when_nothing_gains() -> None:
    stage1 = ShiftModel(_problem(_social_only("P1"), _morning_need([MON], 1))).build()
    best = _start(stage1, {})
    search = DaySearch(stage1)

    assert search.improve(best, time.monotonic() + 120) is None
    assert search.solved == 21  # 7 days, 21 pairs


def test_two_pairs_of_different_days_that_both_gain_are_joined() -> None:
    # two classes (French, English), each resting the day short of it
    advisers = _social_only("P1") + _social_only("P2", languages=("en", "fr"))
    stage1 = ShiftModel(_problem(advisers, _morning_need([MON, THU], 2))).build()
    start = _start(stage1, {"P1": {MON, SUN}, "P2": {THU, SUN}})
    search = DaySearch(stage1, workers=2)

    found = search.search([(MON, TUE), (THU, FRI)], start, seconds=30)
    joined = search.join(start, found, time.monotonic() + 30)

    values = {pair: Solution(stage1.model, point).objective_value for point, pair in found}
    assert len(values) == 2
    assert joined is not None and _is_solution(stage1.model, joined)
    assert Solution(stage1.model, joined).objective_value < min(values.values())


def test_nothing_a_settled_part_fixed_is_searched_again() -> None:
    night = [(f"{MONDAY} {h:02d}:00", "social", 1) for h in range(22, 24)]
    data = scenario_dict(
        teams=[paris_team(), sydney_team()],
        advisers=[*_social_only("P1"), adviser("S1", team="sydney", channels=("social",))],
        weights=NO_SURPLUS,
    )
    stage1 = ShiftModel(make_problem(data, demand=_morning_need([MON], 1) + night)).build()
    settled = settle_parts(stage1.model, seconds=20)
    assert settled.fixed == 1  # the night team's part

    freed = DaySearch(stage1).freed_by

    domains = [list(v.domain) for v in stage1.model.proto.variables]
    assert freed and all(domains[i][0] != domains[i][-1] for i in freed)
    assert any(i in freed for i in stage1.interval_of)


@pytest.mark.parametrize("monday", [SPRING_MONDAY, AUTUMN_MONDAY])
def test_the_days_of_a_week_with_a_clock_change_are_its_seven_paris_dates(monday: str) -> None:
    data = scenario_dict(monday=monday, teams=[paris_team()], advisers=_social_only("P1"))
    stage1 = ShiftModel(make_problem(data, demand=[])).build()

    search = DaySearch(stage1)

    first = date.fromisoformat(monday)
    assert search.days == [first + timedelta(days=k) for k in range(7)]
    choice = stage1.choices[0]
    sunday = [
        literal.index
        for option, literal in zip(choice.options, choice.literals, strict=True)
        if option.start.astimezone(PARIS).date() == first + timedelta(days=6)
    ]
    assert sunday and all(search.freed_by[i] == {first + timedelta(days=6)} for i in sunday)
