"""The validator as a whole: one check per hard rule, sorted output, properties on random shifts.

Each rule is tested alone, just inside and just outside its limit, in the files
test_validation_shape.py, test_validation_breaks.py, test_validation_hours.py,
test_validation_rest.py and test_validation_clock_changes.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.rules import HARD_RULES
from roster.solution import Activity, Roster, Shift
from roster.validation import RULES, validate
from tests.factories import (
    adviser,
    compliant_roster,
    compliant_sydney_week,
    compliant_week,
    make_problem,
    paris_day,
    paris_instant,
    scenario_dict,
    shift,
    sydney_night,
)

PROBLEM = make_problem(scenario_dict())


def test_every_hard_rule_has_one_check_named_after_it() -> None:
    assert list(RULES) == list(HARD_RULES)
    for name, check in RULES.items():
        assert check.__name__ == name
        assert check.__doc__, f"{name} has no definition"


def test_the_compliant_roster_has_no_violation() -> None:
    assert validate(PROBLEM, compliant_roster()) == []


def test_an_empty_roster_breaks_only_the_contracts() -> None:
    found = validate(PROBLEM, Roster())
    assert [(v.rule, v.adviser_id) for v in found] == [
        ("contract_hours", "P1"),
        ("contract_hours", "S1"),
    ]
    assert all((v.start, v.end) == (PROBLEM.grid.start, PROBLEM.grid.end) for v in found)


def test_the_order_of_the_roster_does_not_matter() -> None:
    shifts = compliant_roster().shifts
    shifts[1] = paris_day("P1", "2026-11-24", "09:15")
    shifts[6] = sydney_night("S1", "2026-11-24", hours=11)
    forward = validate(PROBLEM, Roster(shifts))
    backward = validate(PROBLEM, Roster(shifts[::-1]))
    assert forward == backward
    assert len(forward) == 2


def test_violations_are_sorted_by_start_adviser_and_rule() -> None:
    week = compliant_week()
    week[3] = paris_day("P1", "2026-11-26", "09:15")  # shift_start on thursday
    week[0] = shift("P1", paris_instant("2026-11-23 09:00"), [("social", 150), ("break", 30)])
    nights = compliant_sydney_week()
    nights[0] = sydney_night("S1", "2026-11-23", hours=9.5)  # shift_length on monday night
    found = validate(PROBLEM, Roster([*week, *nights]))
    keys = [(v.start, v.adviser_id, v.rule) for v in found]
    assert keys == sorted(keys)
    assert [v.rule for v in found if v.adviser_id == "S1"] == ["shift_length"]
    assert ("shift_start", "P1") in [(v.rule, v.adviser_id) for v in found]


def test_some_rules_can_be_checked_alone() -> None:
    roster = Roster()
    assert validate(PROBLEM, roster, rules=["shift_structure", "channel_split"]) == []
    with pytest.raises(ValueError, match="unknown rule"):
        validate(PROBLEM, roster, rules=["night_window_team"])


def test_carried_in_shifts_are_never_reported_alone() -> None:
    # a carried-in shift that breaks every shape rule (10:07 start, 3 h, no break, gap)
    start = paris_instant("2026-11-20 10:07")
    odd = Shift("P1", start, start + timedelta(hours=3), (Activity("chat", start, start),))
    problem = make_problem(scenario_dict(), carry_in=Roster([odd]))
    assert validate(problem, compliant_roster()) == []


def test_a_violation_reads_as_a_sentence_with_the_numbers() -> None:
    week = compliant_week()
    week[0] = paris_day("P1", "2026-11-23", "14:30")
    week[1] = paris_day("P1", "2026-11-24", "08:30")
    (found,) = validate(PROBLEM, Roster([*week, *compliant_sydney_week()]))
    assert str(found) == (
        "min_rest_between_shifts: adviser P1 2026-11-23T21:00:00Z-2026-11-24T07:30:00Z: "
        "rest of 10 h 30 min between shifts (Mon 23 Nov 22:00 - Tue 24 Nov 08:30), "
        "team paris requires 11 h"
    )


# --- properties ---------------------------------------------------------------------------------

SINGLE = make_problem(scenario_dict(advisers=[adviser("P1")]))
QUARTERS = SINGLE.grid.count
KINDS = st.sampled_from(["social", "phone", "break", "chat"])


def build(start: datetime, blocks: list[tuple[str, int]]) -> Shift:
    return shift("P1", start, blocks)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(
    offset=st.integers(-8 * 60, (QUARTERS + 32) * 15),
    blocks=st.lists(st.tuples(KINDS, st.integers(0, 600)), max_size=8),
    end_shift=st.integers(-60, 60),
)
def test_any_single_shift_is_judged_without_crashing(
    offset: int, blocks: list[tuple[str, int]], end_shift: int
) -> None:
    start = SINGLE.grid.start + timedelta(minutes=offset)
    s = build(start, blocks)
    s = replace(s, end=s.end + timedelta(minutes=end_shift))
    found = validate(SINGLE, Roster([s]))
    for v in found:
        assert v.rule in HARD_RULES
        assert v.adviser_id == "P1"
        assert v.start <= v.end
        assert v.detail


ON_GRID_BLOCKS = st.lists(
    st.tuples(KINDS, st.integers(1, 24).map(lambda n: 15 * n)), min_size=1, max_size=8
)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(quarter=st.integers(0, QUARTERS - 1), blocks=ON_GRID_BLOCKS)
def test_blocks_that_tile_on_the_grid_are_never_a_structure_violation(
    quarter: int, blocks: list[tuple[str, int]]
) -> None:
    s = build(SINGLE.grid.instant(quarter), blocks)
    assert "shift_structure" not in {v.rule for v in validate(SINGLE, Roster([s]))}


@st.composite
def broken_tilings(draw: st.DrawFn) -> Shift:
    """A shift of on-grid blocks changed so that the blocks no longer tile it on the grid."""
    quarter = draw(st.integers(0, QUARTERS - 1))
    s = build(SINGLE.grid.instant(quarter), draw(ON_GRID_BLOCKS))
    acts = list(s.activities)
    how = draw(st.sampled_from(["drop", "end", "overlap", "off_grid"]))
    if how == "overlap" and len(acts) < 2:
        how = "drop"
    i = draw(st.integers(0, len(acts) - 1))
    if how == "drop":
        del acts[i]
        return replace(s, activities=tuple(acts))
    if how == "end":
        delta = draw(st.sampled_from([-60, -30, -15, -5, 5, 15, 30, 60]))
        return replace(s, end=s.end + timedelta(minutes=delta))
    if how == "overlap":
        j = max(i, 1)
        acts[j] = replace(acts[j], start=acts[j].start - timedelta(minutes=15))
        return replace(s, activities=tuple(acts))
    moved = timedelta(minutes=draw(st.integers(1, 14)))
    acts = acts[:i] + [replace(a, start=a.start + moved, end=a.end + moved) for a in acts[i:]]
    acts[i] = replace(acts[i], start=acts[i].start - moved)
    return replace(s, end=s.end + moved, activities=tuple(acts))


@settings(max_examples=100, derandomize=True, deadline=None)
@given(broken=broken_tilings())
def test_blocks_that_do_not_tile_are_always_a_structure_violation(broken: Shift) -> None:
    assert "shift_structure" in {v.rule for v in validate(SINGLE, Roster([broken]))}
