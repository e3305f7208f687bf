"""Forecast files and service goals: what they hold, and bad ones named by file, line and field."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from roster.errors import ScenarioError
from roster.io import load_problem, parse_scenario
from roster.problem import Problem
from tests.factories import SOCIAL_GOAL, forecast_folder, make_problem, scenario_dict, with_goals

NOON = "2026-11-24T12:00:00+01:00"  # Tuesday noon in Paris, on the grid of the default week


def load(tmp_path: Path, rows: list[list[object]], **kwargs: Any) -> Problem:
    return load_problem(forecast_folder(tmp_path / "week", rows, **kwargs))


def index_of(problem: Problem, stamp: str) -> int:
    return problem.grid.index(datetime.fromisoformat(stamp))


def test_forecast_rows_become_contacts_and_handling_times_on_the_week_grid(tmp_path: Path) -> None:
    problem = load(
        tmp_path,
        [[NOON, "social", 12, 420], [NOON, "phone", "30.5", 300], [NOON, "social", 2, 480, "en"]],
    )
    forecast = problem.forecast
    assert forecast is not None
    i = index_of(problem, NOON)
    assert forecast.volume[("social", None)][i] == 12
    assert forecast.aht[("phone", None)][i] == 300
    assert forecast.volume[("phone", None)][i] == 30.5  # forecasts are expectations
    assert forecast.volume[("social", "en")][i] == 2
    assert forecast.volume[("social", None)].sum() == 12  # no row: no contacts


def test_pooled_contacts_of_a_channel_weigh_handling_times_by_volume(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "social", 12, 420], [NOON, "social", 4, 540, "en"]])
    volume, aht = problem.forecast.pooled("social")
    i = index_of(problem, NOON)
    assert (volume[i], aht[i]) == (16, (12 * 420 + 4 * 540) / 16)
    assert aht[i - 1] == 0


def test_a_row_without_contacts_may_leave_its_handling_time_empty(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "social", 0, ""], [NOON, "phone", 0, 300]])
    assert problem.forecast.volume[("social", None)].sum() == 0


def test_utc_instants_are_read_as_the_same_intervals(tmp_path: Path) -> None:
    problem = load(tmp_path, [["2026-11-24T11:00:00Z", "social", 5, 420]])
    assert problem.forecast.volume[("social", None)][index_of(problem, NOON)] == 5


def test_a_forecast_line_just_inside_the_promise_is_accepted(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "social", 1, 3599]])
    assert problem.forecast.aht[("social", None)].max() == 3599


BAD_LINES: dict[str, tuple[list[object], list[str]]] = {
    "negative volume": ([NOON, "social", -2, 420], ["line 3", "volume '-2'", "contacts >= 0"]),
    "volume not a number": ([NOON, "social", "many", 420], ["line 3", "volume 'many'"]),
    "volume not finite": ([NOON, "social", "inf", 420], ["line 3", "volume 'inf'"]),
    "volume beyond any contact centre": (
        [NOON, "phone", "1e9", 300],
        ["line 3", "333,333,333 erlangs", "more than the 100,000"],
    ),
    "missing handling time": ([NOON, "phone", 4, ""], ["line 3", "aht_seconds is missing"]),
    "handling time of zero": ([NOON, "phone", 4, 0], ["line 3", "aht_seconds '0'", "> 0"]),
    "handling time as long as the promise": (
        [NOON, "social", 4, 3600],
        ["line 3", "aht_seconds 3600", "promise of 'social'"],
    ),
    "unknown channel": ([NOON, "chat", 4, 300], ["line 3", "unknown channel 'chat'"]),
    "interval off the grid": (
        ["2026-11-24T12:07:00+01:00", "social", 4, 420],
        ["line 3", "not on the 15-minute grid"],
    ),
    "interval outside the week": (
        ["2026-11-30T12:00:00+01:00", "social", 4, 420],
        ["line 3", "outside the week"],
    ),
    "interval without offset": (
        ["2026-11-24T12:00:00", "social", 4, 420],
        ["line 3", "has no UTC offset"],
    ),
    "interval not a date": (["noon", "social", 4, 420], ["line 3", "not an ISO 8601"]),
    "row given twice": ([NOON, "phone", 1, 300], ["line 3", "repeats the row of line 2"]),
}


@pytest.mark.parametrize("case", BAD_LINES, ids=list(BAD_LINES))
def test_bad_forecast_line_is_named_with_its_file_and_line(tmp_path: Path, case: str) -> None:
    row, words = BAD_LINES[case]
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, [[NOON, "phone", 10, 300], row])
    message = str(caught.value)
    assert "forecast.csv: " in message
    for word in words:
        assert word in message


def test_a_channel_without_a_service_goal_cannot_be_sized(tmp_path: Path) -> None:
    data = with_goals(scenario_dict(), phone=None)
    with pytest.raises(ScenarioError, match=r"line 2: channel 'phone' has no service goal"):
        load(tmp_path, [[NOON, "phone", 10, 300]], data=data)


def test_a_missing_column_is_named_on_line_1(tmp_path: Path) -> None:
    folder = forecast_folder(tmp_path / "week", [])
    (folder / "forecast.csv").write_text("interval_start,channel,volume\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"forecast.csv: line 1: missing column\(s\) aht"):
        load_problem(folder)


def test_an_unreadable_forecast_names_its_file(tmp_path: Path) -> None:
    folder = forecast_folder(tmp_path / "week", [])
    (folder / "forecast.csv").write_bytes(b"\xff\xfe\x00\x81garbage\n\x00\xff")
    with pytest.raises(ScenarioError, match=r"forecast.csv: unreadable CSV"):
        load_problem(folder)


def test_a_missing_forecast_names_its_file(tmp_path: Path) -> None:
    folder = forecast_folder(tmp_path / "week", [])
    (folder / "forecast.csv").unlink()
    with pytest.raises(ScenarioError, match=r"forecast.csv: file not found"):
        load_problem(folder)


# --- service goals in the scenario ----------------------------------------------------------


def goal_error(**goals: Any) -> str:
    data = scenario_dict()
    for channel in data["channels"]:
        if channel["name"] in goals:
            channel["service"] = goals[channel["name"]]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source="scenario.json")
    return str(caught.value)


@pytest.mark.parametrize(
    ("goal", "words"),
    [
        ({"service_level": 80, "within_seconds": 20}, ["service_level", "0.8 for 80%"]),
        ({"service_level": 1, "within_seconds": 20}, ["service_level 1", "below 1"]),
        ({"service_level": 0, "within_seconds": 20}, ["service_level 0", "above 0"]),
        ({"service_level": 0.8}, ["within_seconds or within_minutes"]),
        (
            {"service_level": 0.8, "within_seconds": 20, "within_minutes": 1},
            ["within_seconds or within_minutes"],
        ),
        ({"service_level": 0.8, "within_seconds": 20, "shrinkage": 1}, ["shrinkage"]),
        ({"service_level": 0.8, "within_seconds": 20, "max_occupancy": 0}, ["max_occupancy"]),
        ({"service_level": 0.8, "within_seconds": 20, "speed": 3}, ["speed", "Extra inputs"]),
    ],
)
def test_bad_service_goal_is_named_by_its_channel(goal: dict[str, Any], words: list[str]) -> None:
    message = goal_error(phone=goal)
    assert message.startswith("scenario.json: channels[1]")
    for word in words:
        assert word in message


@pytest.mark.parametrize("field", ["asa_seconds", "max_occupancy"])
def test_a_deferred_channel_takes_no_real_time_goal(field: str) -> None:
    message = goal_error(social=SOCIAL_GOAL | {field: 0.5})
    assert (
        message == f"scenario.json: channels[0]: service.{field} applies to real-time channels only"
    )


def test_a_promise_of_more_than_72_hours_is_refused() -> None:
    assert "within_minutes" in goal_error(social={"service_level": 0.9, "within_minutes": 4321})


def test_a_forecast_needs_a_channel_with_a_goal() -> None:
    data = scenario_dict()
    data["demand"]["forecast"] = "forecast.csv"
    with pytest.raises(ScenarioError, match=r"demand\.forecast: no channel has a service goal"):
        parse_scenario(data)


def test_the_wait_reads_in_seconds_whatever_its_unit() -> None:
    scenario = parse_scenario(with_goals(scenario_dict()))
    assert scenario.channel("phone").service.wait_seconds == 20
    assert scenario.channel("social").service.wait_seconds == 3600


def test_no_forecast_leaves_the_problem_without_one() -> None:
    assert (
        make_problem(scenario_dict(), demand=[("2026-11-24 12:00", "social", 1)]).forecast is None
    )


def test_forecast_arrays_cover_the_clock_change_week(tmp_path: Path) -> None:
    data = with_goals(scenario_dict(monday="2026-03-23"))
    rows = [
        ["2026-03-29T01:45:00+01:00", "social", 3, 420],
        ["2026-03-29T03:00:00+02:00", "social", 4, 420],
    ]
    problem = load(tmp_path, rows, data=data)
    volume = problem.forecast.volume[("social", None)]
    assert len(volume) == 668
    first = index_of(problem, "2026-03-29T01:45:00+01:00")
    assert volume[first] == 3 and volume[first + 1] == 4  # 02:00-03:00 does not exist that day
    assert np.count_nonzero(volume) == 2
