"""Bad input is a ScenarioError that names the file, the line or field, and the problem."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from roster.errors import ScenarioError
from roster.io import load_problem, load_scenario

SCENARIO: dict[str, Any] = {
    "name": "tiny",
    "week": {"monday": "2026-11-23", "timezone": "Europe/Paris"},
    "channels": [{"name": "social"}, {"name": "phone", "kind": "realtime"}],
    "teams": [
        {
            "name": "paris",
            "timezone": "Europe/Paris",
            "window": {"start": "08:00", "end": "22:00"},
            "split": {"social": 70, "phone": 30},
        }
    ],
    "advisers": [
        {"id": "P001", "team": "paris", "channels": ["social", "phone"]},
        {"id": "P002", "team": "paris", "channels": ["social", "phone"]},
    ],
    "demand": {"csv": "demand.csv", "minimum": [{"channel": "social", "advisers": 1}]},
    "carry_in": "carry_in.csv",
}

DEMAND = [
    "interval_start,channel,required,language",
    "2026-11-23T08:00:00+01:00,social,2,",  # line 2
    "2026-11-23T08:00:00+01:00,phone,1,",  # line 3
    "2026-11-23T08:15:00+01:00,social,2,",  # line 4
    "2026-11-23T08:15:00+01:00,phone,1,",  # line 5
]

CARRY_IN = [
    "adviser_id,activity,start,end",
    "P001,social,2026-11-22T13:30:00Z,2026-11-22T16:30:00Z",  # line 2
    "P001,break,2026-11-22T16:30:00Z,2026-11-22T17:00:00Z",  # line 3
    "P001,phone,2026-11-22T17:00:00Z,2026-11-22T21:00:00Z",  # line 4
]


def write_folder(
    folder: Path,
    scenario: dict[str, Any] | None = None,
    demand: list[str] | None = None,
    carry_in: list[str] | None = None,
) -> Path:
    """A scenario folder holding the small valid scenario, or the given replacements."""
    folder.mkdir(parents=True, exist_ok=True)
    data = SCENARIO if scenario is None else scenario
    (folder / "scenario.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (folder / "demand.csv").write_text("\n".join(demand or DEMAND) + "\n", encoding="utf-8")
    (folder / "carry_in.csv").write_text("\n".join(carry_in or CARRY_IN) + "\n", encoding="utf-8")
    return folder


def scenario_with(**changes: Any) -> dict[str, Any]:
    """The small scenario with some values replaced, addressed as 'teams.0.timezone'."""
    data = copy.deepcopy(SCENARIO)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return data


def demand_with(line: int, text: str) -> list[str]:
    """The small demand file with one line (numbered from 1, the header) replaced."""
    lines = list(DEMAND)
    lines[line - 1] = text
    return lines


def error_of(folder: Path) -> str:
    """The message of the ScenarioError that loading the folder raises, its files named as
    'demand.csv' rather than by their full path."""
    with pytest.raises(ScenarioError) as caught:
        load_problem(folder)
    message = str(caught.value)
    assert message.startswith(f"{folder}{os.sep}"), "the message names the file by its path"
    return message.removeprefix(f"{folder}{os.sep}")


def test_the_small_scenario_is_valid(tmp_path: Path) -> None:
    problem = load_problem(write_folder(tmp_path))
    assert problem.requirements.headcount("phone")[32] == 1
    assert len(problem.carry_in.shifts) == 1


# scenario.json


def test_unknown_time_zone_names_the_field(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(teams__0__timezone="Europe/Pariss"))
    assert error_of(folder) == (
        "scenario.json: teams[0].timezone: unknown time zone 'Europe/Pariss' "
        "(use an IANA name such as 'Europe/Paris')"
    )


def test_unknown_reference_time_zone_names_the_week(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(week__timezone="Paris"))
    assert error_of(folder).startswith("scenario.json: week.timezone: unknown time zone 'Paris'")


def test_adviser_in_an_unknown_team_is_named_with_the_team(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(advisers__1__team="Sydny"))
    assert error_of(folder) == "scenario.json: advisers[1] (P002).team: unknown team 'Sydny'"


def test_adviser_split_not_adding_to_100_percent(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(advisers__0__split={"social": 60, "phone": 30}))
    assert error_of(folder) == (
        "scenario.json: advisers[0].split: channel split adds up to 90%, not 100%"
    )


def test_team_split_not_adding_to_100_percent(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(teams__0__split={"social": 70, "phone": 40}))
    assert error_of(folder) == (
        "scenario.json: teams[0].split: channel split adds up to 110%, not 100%"
    )


def test_week_not_starting_on_a_monday(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(week__monday="2026-11-24"))
    assert error_of(folder) == ("scenario.json: week.monday: 2026-11-24 is a tuesday, not a monday")


def test_unknown_field_is_named(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, scenario_with(advisers__0__teem="paris"))
    assert error_of(folder).startswith(
        "scenario.json: advisers[0].teem: Extra inputs are not permitted"
    )


def test_unavailability_without_offset(tmp_path: Path) -> None:
    span = {"start": "2026-11-24T08:00:00", "end": "2026-11-24T12:00:00"}
    folder = write_folder(tmp_path, scenario_with(advisers__0__unavailable=[span]))
    assert error_of(folder) == (
        "scenario.json: advisers[0].unavailable[0]: start 2026-11-24T08:00:00 has no UTC offset"
    )


def test_shift_length_off_the_grid_names_the_team_rule(tmp_path: Path) -> None:
    team = copy.deepcopy(SCENARIO["teams"][0]) | {"rules": {"shift_lengths_hours": [7.6]}}
    folder = write_folder(tmp_path, scenario_with(teams__0=team))
    assert error_of(folder) == (
        "scenario.json: teams[0] (paris).rules.shift_lengths_hours: "
        "7.6 h is not a whole number of 15-minute intervals"
    )


def test_binary_scenario_file_is_unreadable(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "scenario.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert error_of(folder).startswith("scenario.json: unreadable file (")


def test_scenario_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "scenario.json").write_text('{\n  "name": "tiny",\n  week: {}\n}\n')
    assert error_of(folder).startswith("scenario.json: line 3: not valid JSON: ")


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "week.json")
    assert str(caught.value) == f"{tmp_path / 'week.json'}: file not found"


def test_folder_without_a_scenario_file(tmp_path: Path) -> None:
    assert error_of(tmp_path) == "scenario.json: file not found"


# demand.csv


def test_missing_demand_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "demand.csv").unlink()
    assert error_of(folder) == "demand.csv: file not found"


def test_demand_row_outside_the_week_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(3, "2026-11-30T08:00:00+01:00,phone,1,"))
    message = error_of(folder)
    assert message.startswith("demand.csv: line 3: interval_start 2026-11-30T08:00:00+01:00 ")
    assert message.endswith(
        "is outside the week 2026-11-22T23:00:00+00:00 - 2026-11-29T23:00:00+00:00"
    )


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:45:00-01:00"])
def test_demand_date_past_either_end_of_the_calendar_names_the_line(
    tmp_path: Path, stamp: str
) -> None:
    # regression: its conversion to UTC overflowed, and the command line showed a traceback
    folder = write_folder(tmp_path, demand=demand_with(2, f"{stamp},social,2,"))
    assert error_of(folder) == f"demand.csv: line 2: interval_start '{stamp}' is out of range"


def test_demand_row_just_before_the_week_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(2, "2026-11-22T23:45:00+01:00,social,2,"))
    message = error_of(folder)
    assert message.startswith("demand.csv: line 2: interval_start 2026-11-22T23:45:00+01:00 ")
    assert "is outside the week" in message


def test_demand_row_not_on_the_grid_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(4, "2026-11-23T08:05:00+01:00,social,2,"))
    assert error_of(folder) == (
        "demand.csv: line 4: interval_start 2026-11-23T08:05:00+01:00 "
        "is not on the 15-minute grid of the week"
    )


def test_negative_demand_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(5, "2026-11-23T08:15:00+01:00,phone,-1,"))
    assert error_of(folder) == (
        "demand.csv: line 5: required '-1' is not a whole number of advisers >= 0"
    )


@pytest.mark.parametrize("value", ["1.5", "nan", "inf"])
def test_demand_that_is_not_a_whole_number_names_the_line(tmp_path: Path, value: str) -> None:
    folder = write_folder(
        tmp_path, demand=demand_with(2, f"2026-11-23T08:00:00+01:00,social,{value},")
    )
    assert error_of(folder) == (
        f"demand.csv: line 2: required '{value}' is not a whole number of advisers >= 0"
    )


def test_demand_that_is_not_a_number_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(2, "2026-11-23T08:00:00+01:00,social,two,"))
    assert error_of(folder) == "demand.csv: line 2: required 'two' is not a number"


def test_unknown_channel_in_demand_names_the_line_and_the_known_channels(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(3, "2026-11-23T08:00:00+01:00,chat,1,"))
    assert error_of(folder) == "demand.csv: line 3: unknown channel 'chat' (known: phone, social)"


def test_duplicate_demand_row_names_both_lines(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(4, "2026-11-23T08:00:00+01:00,social,3,"))
    assert error_of(folder).startswith("demand.csv: line 4: repeats the row of line 2 ")


def test_same_instant_written_with_another_offset_is_a_duplicate(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(4, "2026-11-23T07:00:00Z,social,3,"))
    assert error_of(folder).startswith("demand.csv: line 4: repeats the row of line 2 ")


def test_same_instant_and_channel_in_another_language_is_not_a_duplicate(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=[*DEMAND, "2026-11-23T08:00:00+01:00,social,1,en"])
    load_problem(folder)


def test_missing_demand_column_is_named(tmp_path: Path) -> None:
    lines = ["interval_start,channel,language", "2026-11-23T08:00:00+01:00,social,"]
    assert error_of(write_folder(tmp_path, demand=lines)).startswith(
        "demand.csv: line 1: missing column(s) required; "
    )


def test_demand_timestamp_without_offset_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(2, "2026-11-23T08:00:00,social,2,"))
    assert error_of(folder).startswith(
        "demand.csv: line 2: interval_start '2026-11-23T08:00:00' has no UTC offset"
    )


def test_demand_timestamp_that_is_not_a_date_names_the_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, demand=demand_with(3, "monday 8am,phone,1,"))
    assert error_of(folder) == (
        "demand.csv: line 3: interval_start 'monday 8am' is not an ISO 8601 date-time"
    )


def test_binary_demand_file_is_unreadable(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "demand.csv").write_bytes(b"\xff\xfe\x00i\x00n\x00\x00\x89\x90\xfa")
    message = error_of(folder)
    assert message.startswith("demand.csv: unreadable CSV (")
    assert "can't decode" in message


def test_empty_demand_file_is_unreadable(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "demand.csv").write_text("")
    assert error_of(folder).startswith("demand.csv: unreadable CSV (")


# carry_in.csv


def test_missing_carry_in_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "carry_in.csv").unlink()
    assert error_of(folder) == "carry_in.csv: file not found"


def test_carry_in_timestamp_without_offset_names_the_line(tmp_path: Path) -> None:
    lines = [*CARRY_IN[:3], "P001,phone,2026-11-22T18:00:00,2026-11-22T22:00:00"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 4: start '2026-11-22T18:00:00' has no UTC offset"
        " (write e.g. 2026-11-22T18:00:00+01:00)"
    )


def test_carry_in_date_past_the_start_of_the_calendar_names_the_line(tmp_path: Path) -> None:
    # regression: its conversion to UTC overflowed, and the command line showed a traceback
    lines = [*CARRY_IN[:3], "P001,phone,0001-01-01T00:00:00+01:00,2026-11-22T22:00:00Z"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 4: start '0001-01-01T00:00:00+01:00' is out of range"
    )


def test_carry_in_blocks_of_one_adviser_that_overlap_name_both_lines(tmp_path: Path) -> None:
    lines = [*CARRY_IN, "P001,social,2026-11-22T20:45:00Z,2026-11-22T22:00:00Z"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 5: P001's block overlaps the one on line 4"
    )


def test_carry_in_blocks_of_one_adviser_back_to_back_are_one_shift(tmp_path: Path) -> None:
    lines = [*CARRY_IN, "P001,social,2026-11-22T21:00:00Z,2026-11-22T22:00:00Z"]
    (shift,) = load_problem(write_folder(tmp_path, carry_in=lines)).carry_in.shifts
    assert (shift.start, shift.end) == (
        datetime(2026, 11, 22, 13, 30, tzinfo=UTC),
        datetime(2026, 11, 22, 22, 0, tzinfo=UTC),
    )


def test_carry_in_block_from_the_end_of_the_week_names_the_line(tmp_path: Path) -> None:
    # the week of 2026-11-23 in Paris ends on Sunday 29 at midnight, 23:00 UTC
    inside = [CARRY_IN[0], "P002,social,2026-11-29T22:45:00Z,2026-11-29T23:00:00Z"]
    assert len(load_problem(write_folder(tmp_path / "in", carry_in=inside)).carry_in.shifts) == 1
    outside = [CARRY_IN[0], "P002,social,2026-11-29T23:00:00Z,2026-11-29T23:15:00Z"]
    assert error_of(write_folder(tmp_path / "out", carry_in=outside)) == (
        "carry_in.csv: line 2: start 2026-11-29T23:00:00Z is not before the end of the week "
        "(2026-11-29T23:00:00Z)"
    )


def test_carry_in_unknown_activity_names_the_line(tmp_path: Path) -> None:
    lines = [*CARRY_IN[:2], "P001,lunch,2026-11-22T16:30:00Z,2026-11-22T17:00:00Z"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 3: unknown activity 'lunch'"
    )


def test_carry_in_block_ending_before_it_starts_names_the_line(tmp_path: Path) -> None:
    lines = [*CARRY_IN[:1], "P001,social,2026-11-22T16:30:00Z,2026-11-22T13:30:00Z"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 2: end is not after start"
    )


def test_carry_in_missing_column_is_named(tmp_path: Path) -> None:
    lines = ["adviser_id,start,end", "P001,2026-11-22T13:30:00Z,2026-11-22T16:30:00Z"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 1: missing column(s) activity"
    )


def test_carry_in_of_an_unknown_adviser_names_the_line(tmp_path: Path) -> None:
    lines = [CARRY_IN[0], "P999,social,2026-11-22T13:30:00Z,2026-11-22T16:30:00Z"]
    assert error_of(write_folder(tmp_path, carry_in=lines)) == (
        "carry_in.csv: line 2: unknown adviser 'P999'"
    )


# Team rules that shift generation relies on


def test_shift_start_off_the_grid_is_named_when_loading(tmp_path: Path) -> None:
    team = copy.deepcopy(SCENARIO["teams"][0]) | {"rules": {"shift_starts": ["08:10"]}}
    assert error_of(write_folder(tmp_path, scenario_with(teams__0=team))) == (
        "scenario.json: teams[0] (paris).rules.shift_starts: "
        "shift start 08:10 is not on the 15-minute grid"
    )


@pytest.mark.xfail(
    strict=True,
    reason="shift_starts is a union (list | range): pydantic reports the list branch first, "
    "'Input should be a valid list', and hides the range's own error",
)
def test_empty_shift_start_range_is_named_when_loading(tmp_path: Path) -> None:
    team = copy.deepcopy(SCENARIO["teams"][0])
    team["rules"] = {"shift_starts": {"from": "14:00", "to": "08:00"}}
    message = error_of(write_folder(tmp_path, scenario_with(teams__0=team)))
    assert message.startswith("scenario.json: teams[0].rules.shift_starts")
    assert "shift start range from 14:00 to 08:00 is empty" in message
