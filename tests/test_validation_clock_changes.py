"""The validator on the weeks Paris changes clocks: the Paris night lasts 9 h or 11 h.

Sydney covers 22:00-08:00 Paris time. On the night of Saturday 28 March 2026 Paris springs forward
and the night lasts 9 h; on the night of Saturday 24 October 2026 Paris falls back and it lasts
11 h. Sydney's own change (5 April, 4 October) falls outside both weeks.
"""

from __future__ import annotations

from datetime import date

import pytest

from roster.timegrid import night_hours, to_local
from tests.factories import (
    AUTUMN_MONDAY,
    MONDAY,
    PARIS,
    SPRING_MONDAY,
    SYDNEY,
    broken_rules,
    compliant_sydney_week,
    compliant_week,
    paris_team,
    scenario_dict,
    sydney_night,
    sydney_team,
)

OK: set[tuple[str, str]] = set()


def test_the_clock_change_nights_last_9h_and_11h() -> None:
    assert night_hours(date(2026, 3, 28), PARIS) == 9
    assert night_hours(date(2026, 10, 24), PARIS) == 11


def test_a_9h_sydney_shift_covers_the_paris_night_of_28_march() -> None:
    night = sydney_night("S1", "2026-03-28", hours=9)
    assert to_local(night.start, SYDNEY).strftime("%a %H:%M") == "Sun 08:00"
    assert to_local(night.end, PARIS).strftime("%a %H:%M") == "Sun 08:00"
    assert to_local(night.end, SYDNEY).strftime("%H:%M") == "17:00"


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(9, OK), (10, {("team_window", "S1")})],
    ids=["9 h ends 08:00 Paris", "10 h ends 09:00 Paris"],
)
def test_spring_week_saturday_night_lasts_9h(hours: float, expected: set[tuple[str, str]]) -> None:
    # nights of Tuesday to Thursday (10 h) and Saturday: 3 x 9 h 30 + 8 h 30 or 9 h 30 worked
    s1 = compliant_sydney_week(monday=SPRING_MONDAY, nights=(1, 2, 3, 5), hours=(10, 10, 10, hours))
    roster = [*compliant_week(monday=SPRING_MONDAY), *s1]
    assert broken_rules(roster, scenario_dict(monday=SPRING_MONDAY)) == expected


def test_spring_week_sunday_night_starts_at_07_00_in_sydney() -> None:
    s1 = compliant_sydney_week(monday=SPRING_MONDAY, nights=(0, 1, 2, 6))
    assert to_local(s1[-1].start, SYDNEY).strftime("%H:%M") == "07:00"
    roster = [*compliant_week(monday=SPRING_MONDAY), *s1]
    assert broken_rules(roster, scenario_dict(monday=SPRING_MONDAY)) == OK


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param((10, 10, 10, 11), OK, id="11 h on saturday 24"),
        pytest.param((10, 10, 10, 10), OK, id="10 h on saturday 24"),
        pytest.param((10, 10, 11, 11), {("team_window", "S1")}, id="11 h on wednesday 21"),
    ],
)
def test_autumn_week_saturday_night_lasts_11h(
    hours: tuple[float, ...], expected: set[tuple[str, str]]
) -> None:
    # Sydney is on summer time since 4 October: the night starts at 07:00 there
    s1 = compliant_sydney_week(monday=AUTUMN_MONDAY, nights=(0, 1, 2, 5), hours=hours)
    assert {to_local(s.start, SYDNEY).strftime("%H:%M") for s in s1} == {"07:00"}
    roster = [*compliant_week(monday=AUTUMN_MONDAY), *s1]
    assert broken_rules(roster, scenario_dict(monday=AUTUMN_MONDAY)) == expected


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        pytest.param(MONDAY, OK, id="november: 55 h 30"),
        pytest.param(SPRING_MONDAY, {("min_weekly_rest", "P1")}, id="spring: 54 h 30"),
        pytest.param(AUTUMN_MONDAY, OK, id="autumn: 56 h 30"),
    ],
)
def test_weekly_rest_is_measured_in_real_hours(monday: str, expected: set[tuple[str, str]]) -> None:
    # P1 works Monday to Friday: the rest from Friday 16:30 to Monday 00:00 is 55 h 30 on the
    # wall clock, an hour less when the clocks spring forward, an hour more when they fall back
    data = scenario_dict(
        monday=monday,
        teams=[paris_team(rules={"min_weekly_rest_hours": 55}), sydney_team()],
    )
    roster = [*compliant_week(monday=monday), *compliant_sydney_week(monday=monday)]
    assert broken_rules(roster, data) == expected
