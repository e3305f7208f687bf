"""The projected service of a roster in coverage.csv, summary.json and the printed summary."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from roster.io import coverage_frame, load_problem, write_roster
from roster.problem import Problem
from roster.report import format_summary, summary, wait_text
from roster.solution import Roster
from tests.factories import compliant_roster, forecast_folder, make_problem, scenario_dict

COVERAGE_COLUMNS = [
    "interval_start",
    "local_start",
    "channel",
    "language",
    "required",
    "scheduled",
    "shortfall",
    "surplus",
]
TUESDAY_MORNING = [  # P1 works 09:00-16:30: social, a break at 11:30, phone 12:00-14:00
    ["2026-11-24T09:00:00+01:00", "social", 3, 420],
    ["2026-11-24T12:00:00+01:00", "phone", 1, 300],
    ["2026-11-24T12:00:00+01:00", "social", 1, 420, "en"],
]


def forecast_problem(tmp_path: Path) -> Problem:
    return load_problem(forecast_folder(tmp_path / "week", TUESDAY_MORNING))


def solved(problem: Problem, roster: Roster) -> dict:
    return summary(
        problem,
        roster,
        status="FEASIBLE",
        objective=1.0,
        lower_bound=0.0,
        gap=1.0,
        solve_seconds=1.0,
        penalties={},
        diagnosis=[],
        violations=[],
    )


def rows(frame, channel: str, stamp: str, language: str = "") -> dict:
    match = frame[
        (frame["channel"] == channel)
        & (frame["local_start"] == stamp)
        & (frame["language"] == language)
    ]
    assert len(match) == 1
    return match.iloc[0].to_dict()


def test_coverage_gains_three_columns_after_the_existing_ones(tmp_path: Path) -> None:
    frame = coverage_frame(forecast_problem(tmp_path), compliant_roster())
    assert list(frame.columns) == [
        *COVERAGE_COLUMNS,
        "forecast_volume",
        "service_level",
        "on_time_share",
    ]


def test_coverage_without_a_forecast_keeps_its_columns() -> None:
    problem = make_problem(scenario_dict(), demand=[("2026-11-24 09:00", "social", 1)])
    assert list(coverage_frame(problem, compliant_roster()).columns) == COVERAGE_COLUMNS


def test_coverage_gives_each_channel_its_own_measure_where_contacts_arrive(
    tmp_path: Path,
) -> None:
    frame = coverage_frame(forecast_problem(tmp_path), compliant_roster())
    social = rows(frame, "social", "2026-11-24T09:00:00+01:00")
    assert social["forecast_volume"] == 3
    assert social["on_time_share"] == 1.0  # P1 answers 3 contacts of 7 minutes at once
    assert social["service_level"] != social["service_level"]  # NaN: empty in the CSV
    phone = rows(frame, "phone", "2026-11-24T12:00:00+01:00")
    assert phone["scheduled"] == 1
    assert phone["service_level"] == 0.0  # one adviser less 30% shrinkage: none answering
    quiet = rows(frame, "phone", "2026-11-24T09:00:00+01:00")
    assert quiet["forecast_volume"] == 0
    assert quiet["service_level"] != quiet["service_level"]
    english = rows(frame, "social", "2026-11-24T12:00:00+01:00", "en")
    assert english["forecast_volume"] != english["forecast_volume"]  # on the headcount row only


def test_coverage_csv_leaves_the_measures_empty_where_they_do_not_apply(tmp_path: Path) -> None:
    problem = forecast_problem(tmp_path)
    roster = compliant_roster()
    write_roster(tmp_path / "out", problem, roster, solved(problem, roster))
    with (tmp_path / "out" / "coverage.csv").open(newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    social = next(
        r
        for r in records
        if r["channel"] == "social"
        and r["language"] == ""
        and r["local_start"] == "2026-11-24T09:00:00+01:00"
    )
    assert (social["on_time_share"], social["service_level"]) == ("1.0", "")


def test_summary_projects_the_week_and_each_day_per_channel(tmp_path: Path) -> None:
    problem = forecast_problem(tmp_path)
    data = solved(problem, compliant_roster())
    projected = data["projected_service"]
    assert set(projected) == {"phone", "social"}
    social = projected["social"]
    assert social["measure"] == "on_time_share"
    assert (social["goal"], social["within_seconds"]) == (0.95, 3600)
    assert social["contacts"] == 4
    # the contact of 12:00 waits for P1 to come back from the phone at 14:00: late
    assert social["days"]["2026-11-24"] == social["week"] == 0.75
    assert social["days"]["2026-11-23"] is None
    assert social["backlog_grows"] is False
    phone = projected["phone"]
    assert phone["measure"] == "service_level"
    assert phone["intervals_with_contacts"] == 1
    assert phone["intervals_below_goal"] == (1 if phone["week"] < 0.8 else 0)
    json.dumps(data)  # plain JSON: no NaN, no numpy numbers


def test_summary_without_a_forecast_has_no_projection() -> None:
    problem = make_problem(scenario_dict(), demand=[("2026-11-24 09:00", "social", 1)])
    data = solved(problem, compliant_roster())
    assert "projected_service" not in data
    assert "Projected service" not in format_summary(data)


def test_printed_summary_has_a_line_per_channel_with_its_goal(tmp_path: Path) -> None:
    problem = forecast_problem(tmp_path)
    text = format_summary(solved(problem, Roster()))
    lines = text.splitlines()
    start = lines.index("Projected service from the forecast")
    phone, social = lines[start + 1], lines[start + 2]
    assert phone.startswith("  phone ") and "within 20 s (goal 80%)" in phone
    assert "1 of 1 intervals below it" in phone and "lowest day Tue 24 Nov 0%" in phone
    assert social.startswith("  social") and "within 60 min (goal 95%)" in social
    assert "the backlog grows week on week" in social  # nobody works: the work piles up


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (20, "20 s"),
        (119, "119 s"),
        (120, "2 min"),
        (3600, "60 min"),
        (5400, "90 min"),
        (7200, "2 h"),
        (9000, "150 min"),
        (10800, "3 h"),
    ],
)
def test_waits_read_as_a_supervisor_says_them(seconds: float, text: str) -> None:
    assert wait_text(seconds) == text
