"""Validator rules on a shift's shape: structure, start, length, window, availability, skills."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roster.solution import Activity, Shift
from tests.factories import (
    adviser,
    broken_rules,
    compliant_sydney_week,
    compliant_week,
    paris_day,
    paris_instant,
    paris_team,
    scenario_dict,
    shift,
    sydney_blocks,
    sydney_night,
)

OK: set[tuple[str, str]] = set()


def with_p1_shift(index: int, new: Shift) -> list[Shift]:
    """The compliant roster with P1's shift number `index` (0 = Monday) replaced."""
    week = compliant_week()
    week[index] = new
    return [*week, *compliant_sydney_week()]


def with_s1_night(index: int, new: Shift) -> list[Shift]:
    """The compliant roster with S1's night number `index` (0 = Monday night) replaced."""
    nights = compliant_sydney_week()
    nights[index] = new
    return [*compliant_week(), *nights]


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


# --- shift_structure ---------------------------------------------------------------------------

TUESDAY = paris_instant("2026-11-24 09:00")


def tuesday(*spans: tuple[str, int, int], length: int = 450) -> Shift:
    """P1's Tuesday shift from 09:00 with blocks (kind, from minute, to minute) given raw."""
    acts = tuple(Activity(k, TUESDAY + minutes(a), TUESDAY + minutes(b)) for k, a, b in spans)
    return Shift("P1", TUESDAY, TUESDAY + minutes(length), acts)


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param(
            [("social", 0, 150), ("break", 150, 180), ("phone", 180, 300), ("social", 300, 450)],
            OK,
            id="blocks tile the shift",
        ),
        pytest.param(
            [("social", 0, 150), ("break", 150, 180), ("phone", 180, 300), ("social", 300, 435)],
            {("shift_structure", "P1")},
            id="15 min gap at the end",
        ),
        pytest.param(
            [("social", 0, 150), ("break", 150, 180), ("phone", 195, 315), ("social", 315, 450)],
            {("shift_structure", "P1")},
            id="15 min gap after the break",
        ),
        pytest.param(
            [("social", 0, 150), ("break", 150, 180), ("phone", 165, 285), ("social", 285, 450)],
            {("shift_structure", "P1")},
            id="phone overlaps the break",
        ),
        pytest.param(
            [("social", 0, 155), ("break", 155, 185), ("phone", 185, 300), ("social", 300, 450)],
            {("shift_structure", "P1")},
            id="blocks off the 15-minute grid",
        ),
    ],
)
def test_blocks_must_tile_the_shift_on_the_grid(
    blocks: list[tuple[str, int, int]], expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_p1_shift(1, tuesday(*blocks))) == expected


def test_a_shift_of_an_unknown_adviser_is_a_structure_violation() -> None:
    stranger = paris_day("X9", "2026-11-24")
    roster = [*compliant_week(), *compliant_sydney_week(), stranger]
    assert broken_rules(roster) == {("shift_structure", "X9")}


@pytest.mark.parametrize(
    ("roster", "expected"),
    [
        pytest.param(with_p1_shift(0, paris_day("P1", "2026-11-29")), OK, id="P1 sunday 29"),
        pytest.param(
            with_p1_shift(0, paris_day("P1", "2026-11-22")),
            {("shift_structure", "P1")},
            id="P1 sunday 22, the week before",
        ),
        pytest.param(with_s1_night(3, sydney_night("S1", "2026-11-29")), OK, id="S1 sunday night"),
        pytest.param(
            with_s1_night(3, sydney_night("S1", "2026-11-30")),
            {("shift_structure", "S1")},
            id="S1 monday night 30, the week after",
        ),
    ],
)
def test_a_shift_starts_inside_the_week(
    roster: list[Shift], expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(roster) == expected


@pytest.mark.parametrize(
    ("carry_in_end", "expected"),
    [("09:00", OK), ("09:15", {("shift_structure", "P1")})],
    ids=["carry-in ends as monday starts", "carry-in overlaps monday by 15 min"],
)
def test_shifts_must_not_overlap_the_carried_in_shift(
    carry_in_end: str, expected: set[tuple[str, str]]
) -> None:
    start = paris_instant("2026-11-22 23:00")
    end = paris_instant(f"2026-11-23 {carry_in_end}")
    carried = shift("P1", start, [("social", int((end - start) / minutes(1)))])
    data = scenario_dict(
        teams=[paris_team(rules={"min_rest_between_shifts_hours": 0, "max_consecutive_days": 6})],
        advisers=[adviser("P1")],
    )
    assert broken_rules(compliant_week(), data, carry_in=[carried]) == expected


def short_day(date_: str, start: str) -> Shift:
    return shift("P1", paris_instant(f"{date_} {start}"), [("social", 105), ("phone", 105)])


@pytest.mark.parametrize(
    ("second", "expected"),
    [("2026-11-24 08:00", OK), ("2026-11-23 13:00", {("shift_structure", "P1")})],
    ids=["second shift the next day", "second shift the same day"],
)
def test_at_most_one_shift_starts_on_a_local_date(
    second: str, expected: set[tuple[str, str]]
) -> None:
    rules = {
        "shift_starts": ["08:00", "13:00", "18:00"],
        "shift_lengths_hours": [3.5],
        "min_rest_between_shifts_hours": 1,
        "contract_hours_per_week": 7,
    }
    data = scenario_dict(
        teams=[paris_team(rules=rules)],
        advisers=[adviser("P1", split={"social": 50, "phone": 50})],
    )
    roster = [short_day("2026-11-23", "08:00"), short_day(*second.split())]
    assert broken_rules(roster, data) == expected


# --- shift_start --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("08:00", OK),
        ("09:30", OK),
        ("14:30", OK),
        ("09:15", {("shift_start", "P1")}),
        ("13:45", {("shift_start", "P1")}),
    ],
)
def test_a_paris_shift_starts_on_the_half_hour_from_08_00_to_14_30(
    start: str, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_p1_shift(1, paris_day("P1", "2026-11-24", start))) == expected


@pytest.mark.parametrize(
    ("paris_start", "expected"),
    [("22:00", OK), ("22:30", {("shift_start", "S1")})],
    ids=["08:00 in Sydney", "08:30 in Sydney"],
)
def test_a_sydney_start_is_read_on_the_sydney_clock(
    paris_start: str, expected: set[tuple[str, str]]
) -> None:
    night = shift("S1", paris_instant(f"2026-11-23 {paris_start}"), sydney_blocks(9))
    assert broken_rules(with_s1_night(0, night)) == expected


# --- shift_length -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_social", "expected"),
    [
        pytest.param(150, OK, id="7 h 30"),
        pytest.param(135, {("shift_length", "P1")}, id="7 h 15"),
        pytest.param(165, {("shift_length", "P1")}, id="7 h 45"),
    ],
)
def test_a_paris_shift_lasts_7h30(last_social: int, expected: set[tuple[str, str]]) -> None:
    blocks = [("social", 150), ("break", 30), ("phone", 120), ("social", last_social)]
    tuesday_shift = shift("P1", TUESDAY, blocks)
    assert broken_rules(with_p1_shift(1, tuesday_shift)) == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(9, OK), (9.5, {("shift_length", "S1")}), (10, OK)],
)
def test_a_sydney_shift_lasts_9_10_or_11_hours(
    hours: float, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_s1_night(0, sydney_night("S1", "2026-11-23", hours))) == expected


# --- team_window (see test_validation_clock_changes.py for the clock-change nights) -----------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(10, OK), (11, {("team_window", "S1")})],
    ids=["10 h night ends 08:00 Paris", "11 h night ends 09:00 Paris"],
)
def test_a_sydney_night_stays_inside_22_00_to_08_00_paris(
    hours: float, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_s1_night(0, sydney_night("S1", "2026-11-23", hours))) == expected


@pytest.mark.parametrize(
    ("window_end", "expected"),
    [("22:00", OK), ("21:45", {("team_window", "P1")})],
)
def test_a_paris_shift_ending_at_22_00_needs_the_window_to_22_00(
    window_end: str, expected: set[tuple[str, str]]
) -> None:
    data = scenario_dict(
        teams=[paris_team(window={"start": "08:00", "end": window_end})],
        advisers=[adviser("P1")],
    )
    week = compliant_week()
    week[1] = paris_day("P1", "2026-11-24", "14:30")  # 14:30-22:00, 11 h before Wednesday 09:00
    assert broken_rules(week, data) == expected


# --- availability -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_", "expected"),
    [("16:30", OK), ("16:15", {("availability", "P1")})],
    ids=["unavailable from the end of the shift", "unavailable 15 min before its end"],
)
def test_a_shift_must_not_meet_an_unavailable_span(
    from_: str, expected: set[tuple[str, str]]
) -> None:
    away = {"start": f"2026-11-24T{from_}:00+01:00", "end": "2026-11-24T18:00:00+01:00"}
    data = scenario_dict(
        advisers=[
            adviser("P1", unavailable=[away]),
            adviser("S1", team="sydney", channels=("social",)),
        ]
    )
    assert broken_rules([*compliant_week(), *compliant_sydney_week()], data) == expected


@pytest.mark.parametrize(
    ("day_off", "expected"),
    [("2026-11-28", OK), ("2026-11-27", {("availability", "P1")})],
    ids=["day off on saturday, no shift", "day off on friday, a shift"],
)
def test_a_shift_must_not_fall_on_a_day_off(day_off: str, expected: set[tuple[str, str]]) -> None:
    # 43.75 h less a fifth for the day of leave is the 35 h the week holds
    p1 = adviser("P1", unavailable=[{"date": day_off}], contract_hours_per_week=43.75)
    data = scenario_dict(advisers=[p1, adviser("S1", team="sydney", channels=("social",))])
    assert broken_rules([*compliant_week(), *compliant_sydney_week()], data) == expected


@pytest.mark.parametrize(
    ("day_off", "expected"),
    [("2026-11-23", OK), ("2026-11-24", {("availability", "S1")})],
    ids=["monday in Sydney", "tuesday in Sydney"],
)
def test_a_day_off_is_the_advisers_own_local_day(
    day_off: str, expected: set[tuple[str, str]]
) -> None:
    # the Monday night in Paris (22:00) is Tuesday 08:00-18:00 in Sydney
    s1 = adviser(
        "S1",
        team="sydney",
        channels=("social",),
        unavailable=[{"date": day_off, "reason": "leave"}],
        contract_hours_per_week=47.5,
    )
    data = scenario_dict(advisers=[adviser("P1"), s1])
    assert broken_rules([*compliant_week(), *compliant_sydney_week()], data) == expected


# --- skills -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channels", "expected"),
    [(("social", "phone"), OK), (("social",), {("skills", "S1")})],
    ids=["skilled for phone", "not skilled for phone"],
)
def test_an_adviser_works_only_on_channels_they_are_skilled_for(
    channels: tuple[str, ...], expected: set[tuple[str, str]]
) -> None:
    night = shift(
        "S1",
        paris_instant("2026-11-23 22:00"),
        [("social", 240), ("break", 30), ("phone", 60), ("social", 270)],
    )
    data = scenario_dict(advisers=[adviser("P1"), adviser("S1", team="sydney", channels=channels)])
    assert broken_rules(with_s1_night(0, night), data) == expected
