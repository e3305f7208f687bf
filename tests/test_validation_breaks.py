"""Validator rules inside a shift: the break and the shortest stretch on one channel."""

from __future__ import annotations

import pytest

from roster.solution import Shift
from tests.factories import (
    Blocks,
    adviser,
    broken_rules,
    compliant_sydney_week,
    compliant_week,
    paris_instant,
    paris_team,
    scenario_dict,
    shift,
)

OK: set[tuple[str, str]] = set()


def with_tuesday(blocks: Blocks) -> list[Shift]:
    """The compliant roster with P1's Tuesday (09:00) made of other blocks."""
    week = compliant_week()
    week[1] = shift("P1", paris_instant("2026-11-24 09:00"), blocks)
    return [*week, *compliant_sydney_week()]


# --- break_placement ----------------------------------------------------------------------------


def break_at(offset: int) -> list[tuple[str, int]]:
    """A 7.5 h shift whose 30 min break starts `offset` minutes in, phone after it."""
    phone = min(120, 420 - offset)
    after = 420 - offset - phone
    blocks = [("social", offset), ("break", 30), ("phone", phone)]
    return [*blocks, ("social", after)] if after else blocks


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        pytest.param(120, OK, id="2 h in"),
        pytest.param(300, OK, id="5 h in"),
        pytest.param(105, {("break_placement", "P1")}, id="1 h 45 in"),
        pytest.param(315, {("break_placement", "P1")}, id="5 h 15 in"),
    ],
)
def test_the_break_starts_between_2h_and_5h_after_the_shift_start(
    offset: int, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_tuesday(break_at(offset))) == expected


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param(
            [("social", 150), ("break", 30), ("phone", 120), ("social", 150)], OK, id="30 min"
        ),
        pytest.param(
            [("social", 150), ("break", 15), ("break", 15), ("phone", 120), ("social", 150)],
            OK,
            id="two touching 15 min blocks are one 30 min break",
        ),
        pytest.param(
            [("social", 150), ("break", 45), ("phone", 120), ("social", 135)],
            {("break_placement", "P1")},
            id="45 min",
        ),
        pytest.param(
            [("social", 150), ("break", 15), ("phone", 120), ("social", 165)],
            {("break_placement", "P1")},
            id="15 min",
        ),
        pytest.param(
            [("social", 150), ("break", 15), ("phone", 120), ("break", 15), ("social", 150)],
            {("break_placement", "P1")},
            id="two breaks of 15 min",
        ),
        pytest.param(
            [("social", 150), ("phone", 120), ("social", 180)],
            {("break_placement", "P1")},
            id="no break",
        ),
    ],
)
def test_a_7h30_shift_holds_exactly_one_30_min_break(
    blocks: Blocks, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_tuesday(blocks)) == expected


SHORT_SHIFTS = scenario_dict(
    teams=[
        paris_team(rules={"shift_lengths_hours": [6, 6.25, 7.5], "contract_tolerance_hours": 2})
    ],
    advisers=[adviser("P1")],
)


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param([("social", 120), ("phone", 120), ("social", 120)], OK, id="6 h, no break"),
        pytest.param(
            [("social", 150), ("break", 30), ("phone", 120), ("social", 60)],
            {("break_placement", "P1")},
            id="6 h with a break",
        ),
        pytest.param(
            [("social", 150), ("break", 30), ("phone", 120), ("social", 75)],
            OK,
            id="6 h 15 with a break",
        ),
        pytest.param(
            [("social", 135), ("phone", 120), ("social", 120)],
            {("break_placement", "P1")},
            id="6 h 15, no break",
        ),
    ],
)
def test_a_break_is_required_over_6_hours_and_forbidden_up_to_6(
    blocks: Blocks, expected: set[tuple[str, str]]
) -> None:
    week = compliant_week()
    week[1] = shift("P1", paris_instant("2026-11-24 09:00"), blocks)
    assert broken_rules(week, SHORT_SHIFTS) == expected


# --- min_block_length ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param(
            [("social", 150), ("break", 30), ("phone", 60), ("social", 210)], OK, id="1 h phone"
        ),
        pytest.param(
            [("social", 150), ("break", 30), ("phone", 30), ("phone", 30), ("social", 210)],
            OK,
            id="two touching 30 min phone blocks are one hour",
        ),
        pytest.param(
            [("social", 150), ("break", 30), ("phone", 45), ("social", 225)],
            {("min_block_length", "P1")},
            id="45 min phone",
        ),
        pytest.param(
            [("social", 105), ("phone", 45), ("break", 30), ("phone", 75), ("social", 195)],
            {("min_block_length", "P1")},
            id="45 min phone before the break",
        ),
    ],
)
def test_a_stretch_on_one_channel_lasts_at_least_an_hour(
    blocks: Blocks, expected: set[tuple[str, str]]
) -> None:
    assert broken_rules(with_tuesday(blocks)) == expected


LATE_BREAK = scenario_dict(
    teams=[paris_team(rules={"break": {"latest_after_minutes": 390}})],
    advisers=[adviser("P1")],
)


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        pytest.param(
            [("social", 270), ("phone", 120), ("break", 30), ("social", 30)],
            OK,
            id="30 min alone after the break",
        ),
        pytest.param(
            [("social", 270), ("phone", 120), ("break", 30), ("phone", 15), ("social", 15)],
            {("min_block_length", "P1")},
            id="two 15 min stretches after the break",
        ),
    ],
)
def test_a_short_stretch_is_allowed_when_it_fills_its_part_of_the_shift(
    blocks: Blocks, expected: set[tuple[str, str]]
) -> None:
    week = compliant_week()
    week[1] = shift("P1", paris_instant("2026-11-24 09:00"), blocks)
    assert broken_rules(week, LATE_BREAK) == expected
