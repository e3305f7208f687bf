"""Validator rules on hours worked: per shift, per week, against the contract, per channel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import (
    adviser,
    broken_rules,
    compliant_sydney_week,
    compliant_week,
    paris_day,
    paris_team,
    scenario_dict,
    sydney_team,
)

OK: set[tuple[str, str]] = set()
ROSTER = [*compliant_week(), *compliant_sydney_week()]  # P1 works 5 x 7 h, S1 4 x 9 h 30


def with_paris_rules(**rules: Any) -> dict[str, Any]:
    return scenario_dict(teams=[paris_team(rules=rules), sydney_team()])


# --- max_hours_per_day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(7, OK), (6.75, {("max_hours_per_day", "P1")})],
    ids=["7 h worked, 7 h allowed", "7 h worked, 6 h 45 allowed"],
)
def test_hours_worked_on_a_shift_stay_within_the_daily_maximum(
    limit: float, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(ROSTER, with_paris_rules(max_hours_per_day=limit)) == expected


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(7.5, OK), (7.25, {("max_hours_per_day", "P1")})],
    ids=["7 h 30 allowed", "7 h 15 allowed"],
)
def test_a_paid_break_counts_as_hours_worked(limit: float, expected: set[tuple[str, str]]) -> None:
    data = with_paris_rules(
        max_hours_per_day=limit, contract_hours_per_week=37.5, **{"break": {"paid": True}}
    )
    assert broken_rules(ROSTER, data) == expected


# --- max_hours_per_week -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(35, OK), (34.75, {("max_hours_per_week", "P1")})],
    ids=["35 h worked, 35 h allowed", "35 h worked, 34 h 45 allowed"],
)
def test_hours_worked_in_the_week_stay_within_the_weekly_maximum(
    limit: float, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(ROSTER, with_paris_rules(max_hours_per_week=limit)) == expected


def test_carried_in_hours_do_not_count_in_the_week() -> None:
    saturday_before = paris_day("P1", "2026-11-21")
    data = with_paris_rules(max_hours_per_week=35)
    assert broken_rules(ROSTER, data, carry_in=[saturday_before]) == OK


# --- contract_hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        pytest.param(34, OK, id="35 h on a 34 h contract"),
        pytest.param(36, OK, id="35 h on a 36 h contract"),
        pytest.param(33.75, {("contract_hours", "P1")}, id="35 h on a 33 h 45 contract"),
        pytest.param(36.25, {("contract_hours", "P1")}, id="35 h on a 36 h 15 contract"),
    ],
)
def test_hours_worked_are_the_contract_within_one_hour(
    contract: float, expected: set[tuple[str, str]]
) -> None:
    data = scenario_dict(
        advisers=[
            adviser("P1", contract_hours_per_week=contract),
            adviser("S1", team="sydney", channels=("social",)),
        ]
    )
    assert broken_rules(ROSTER, data) == expected


@pytest.mark.parametrize(
    ("contract", "expected"),
    [(1, OK), (1.25, {("contract_hours", "P2")})],
    ids=["1 h contract", "1 h 15 contract"],
)
def test_an_adviser_without_shifts_breaks_a_contract_above_the_tolerance(
    contract: float, expected: set[tuple[str, str]]
) -> None:
    data = scenario_dict(
        advisers=[
            adviser("P1"),
            adviser("P2", contract_hours_per_week=contract),
            adviser("S1", team="sydney", channels=("social",)),
        ]
    )
    assert broken_rules(ROSTER, data) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [((0, 1, 2, 3), OK), ((0, 1, 2, 3, 4), {("contract_hours", "P1")})],
    ids=["28 h", "35 h"],
)
def test_a_day_of_leave_takes_a_fifth_off_the_contract(
    days: tuple[int, ...], expected: set[tuple[str, str]]
) -> None:
    data = scenario_dict(
        advisers=[
            adviser("P1", unavailable=[{"date": "2026-11-28"}]),
            adviser("S1", team="sydney", channels=("social",)),
        ]
    )
    phone = (120, 120, 120, 150, 120)[: len(days)]
    roster = [*compliant_week(days=days, phone=phone), *compliant_sydney_week()]
    assert broken_rules(roster, data) == expected


# --- channel_split ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        pytest.param((105, 105, 105, 105, 105), OK, id="25% phone"),
        pytest.param((105, 105, 105, 105, 90), {("channel_split", "P1")}, id="24.3% phone"),
        pytest.param((150, 150, 150, 150, 135), OK, id="35% phone"),
        pytest.param((150, 150, 150, 150, 150), {("channel_split", "P1")}, id="35.7% phone"),
    ],
)
def test_the_phone_share_is_30_percent_within_5_points(
    phone: tuple[int, ...], expected: set[tuple[str, str]]
) -> None:
    roster = [*compliant_week(phone=phone), *compliant_sydney_week()]
    assert broken_rules(roster) == expected


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [(20, OK), (19.5, {("channel_split", "P1")})],
)
def test_the_advisers_own_split_and_tolerance_override_the_team(
    tolerance: float, expected: set[tuple[str, str]]
) -> None:
    p1 = adviser("P1", split={"social": 50, "phone": 50}, split_tolerance_points=tolerance)
    data = scenario_dict(advisers=[p1, adviser("S1", team="sydney", channels=("social",))])
    assert broken_rules(ROSTER, data) == expected
