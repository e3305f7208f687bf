"""Validator rules on rest: between shifts, consecutive working days, the weekly rest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roster.solution import Roster, Shift
from roster.validation import validate
from tests.factories import (
    broken_rules,
    compliant_sydney_week,
    compliant_week,
    make_problem,
    paris_day,
    paris_instant,
    paris_team,
    scenario_dict,
    shift,
    sydney_night,
    sydney_team,
)

OK: set[tuple[str, str]] = set()


# --- min_rest_between_shifts --------------------------------------------------------------------


def carried_in_sunday(end: str) -> Shift:
    """P1's 7 h 30 shift of Sunday 22 November (before the week) ending at `end`, Paris time."""
    start = paris_instant(f"2026-11-22 {end}") - timedelta(minutes=450)
    return shift("P1", start, [("social", 450)])


# P1 works Monday to Thursday and Saturday, so a Sunday carried in makes 5 days in a row
WEEK = compliant_week(days=(0, 1, 2, 3, 5))


def test_rest_of_exactly_11h_is_allowed() -> None:
    roster = [*WEEK, *compliant_sydney_week()]
    assert broken_rules(roster, carry_in=[carried_in_sunday("22:00")]) == OK


def test_rest_of_10h45_is_a_violation() -> None:
    roster = [*WEEK, *compliant_sydney_week()]
    problem = make_problem(scenario_dict(), carry_in=Roster([carried_in_sunday("22:15")]))
    found = validate(problem, Roster(roster))
    assert [(v.rule, v.adviser_id) for v in found] == [("min_rest_between_shifts", "P1")]
    assert found[0].start == paris_instant("2026-11-22 22:15")
    assert found[0].end == paris_instant("2026-11-23 09:00")
    assert found[0].detail.startswith("rest of 10 h 45 min between shifts")
    assert found[0].detail.endswith("team paris requires 11 h")


@pytest.mark.parametrize(
    ("tuesday_start", "expected"),
    [("09:00", OK), ("08:30", {("min_rest_between_shifts", "P1")})],
    ids=["11 h after monday 22:00", "10 h 30 after monday 22:00"],
)
def test_rest_between_two_shifts_of_the_week_is_at_least_11h(
    tuesday_start: str, expected: set[tuple[str, str]]
) -> None:
    week = compliant_week()
    week[0] = paris_day("P1", "2026-11-23", "14:30")  # ends 22:00
    week[1] = paris_day("P1", "2026-11-24", tuesday_start)
    assert broken_rules([*week, *compliant_sydney_week()]) == expected


@pytest.mark.parametrize(
    ("rest", "expected"),
    [(14, OK), (14.25, {("min_rest_between_shifts", "S1")})],
)
def test_sydney_rest_is_a_sydney_rule(rest: float, expected: set[tuple[str, str]]) -> None:
    # a Sydney night ends 08:00 Paris and the next starts 22:00 Paris: 14 h of rest
    data = scenario_dict(
        teams=[paris_team(), sydney_team(rules={"min_rest_between_shifts_hours": rest})]
    )
    assert broken_rules([*compliant_week(), *compliant_sydney_week()], data) == expected


# --- max_consecutive_days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("carried_in", "expected"),
    [("2026-11-21", OK), ("2026-11-22", {("max_consecutive_days", "P1")})],
    ids=["saturday before monday to friday", "sunday before monday to friday"],
)
def test_at_most_5_consecutive_days_counting_the_week_before(
    carried_in: str, expected: set[tuple[str, str]]
) -> None:
    roster = [*compliant_week(), *compliant_sydney_week()]
    assert broken_rules(roster, carry_in=[paris_day("P1", carried_in)]) == expected


@pytest.mark.parametrize(
    ("carried_in", "expected"),
    [
        (["2026-11-22"], OK),
        (["2026-11-21", "2026-11-22"], {("max_consecutive_days", "S1")}),
    ],
    ids=["sunday night before", "saturday and sunday nights before"],
)
def test_sydney_working_days_are_sydney_dates(
    carried_in: list[str], expected: set[tuple[str, str]]
) -> None:
    # the Paris nights of Monday to Thursday start on Tuesday to Friday in Sydney; the Paris
    # night of Sunday 22 November starts on Monday 23 in Sydney, that of Saturday on Sunday
    nights = [sydney_night("S1", evening) for evening in carried_in]
    roster = [*compliant_week(), *compliant_sydney_week()]
    assert broken_rules(roster, carry_in=nights) == expected


# --- min_weekly_rest ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saturday_start", "expected"),
    [("09:00", OK), ("08:30", {("min_weekly_rest", "P1")})],
    ids=["35 h from thursday 22:00", "34 h 30 from thursday 22:00"],
)
def test_the_week_holds_35_hours_of_rest_in_one_stretch(
    saturday_start: str, expected: set[tuple[str, str]]
) -> None:
    week = [
        *compliant_week(days=(0, 1, 2), phone=(120, 120, 120)),
        paris_day("P1", "2026-11-26", "14:30"),  # Thursday, ends 22:00
        paris_day("P1", "2026-11-28", saturday_start, phone=150),
    ]
    assert broken_rules([*week, *compliant_sydney_week()]) == expected


@pytest.mark.parametrize(
    ("carried_in", "expected"),
    [([], OK), (["2026-11-22"], {("min_weekly_rest", "S1")})],
    ids=["no carry-in: 46 h before tuesday night", "sunday night carried in: 38 h"],
)
def test_carried_in_work_shortens_the_weekly_rest(
    carried_in: list[str], expected: set[tuple[str, str]]
) -> None:
    # S1 works the Paris nights of Tuesday to Friday: 46 h of rest before, 40 h after
    data = scenario_dict(teams=[paris_team(), sydney_team(rules={"min_weekly_rest_hours": 45})])
    roster = [*compliant_week(), *compliant_sydney_week(nights=(1, 2, 3, 4))]
    nights = [sydney_night("S1", evening) for evening in carried_in]
    assert broken_rules(roster, data, carry_in=nights) == expected
