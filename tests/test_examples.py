"""The example scenarios load, hold the teams and weeks they claim, and match their generator."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from roster.io import load_problem
from roster.problem import Problem
from roster.solution import Roster
from roster.timegrid import localize

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PARIS = "Europe/Paris"

# folder: (Monday, intervals, advisers per team, generator arguments)
EXPECTED: dict[str, tuple[date, int, dict[str, int], list[str]]] = {
    "airline_week": (date(2026, 11, 23), 672, {"paris": 20, "sydney": 6}, ["--advisers", "26"]),
    "airline_week_2026-03-23": (
        date(2026, 3, 23),
        668,
        {"paris": 20, "sydney": 6},
        ["--advisers", "26", "--monday", "2026-03-23"],
    ),
    "airline_week_2026-10-19": (
        date(2026, 10, 19),
        676,
        {"paris": 20, "sydney": 6},
        ["--advisers", "26", "--monday", "2026-10-19"],
    ),
    "night_outsourced": (
        date(2026, 11, 23),
        672,
        {"paris": 12, "outsourced": 4},
        ["--advisers", "16", "--night-policy", "outsourced"],
    ),
    "no_night": (
        date(2026, 11, 23),
        672,
        {"paris": 12},
        ["--advisers", "12", "--night-policy", "none"],
    ),
    "airline_week_forecast": (
        date(2026, 11, 23),
        672,
        {"paris": 20, "sydney": 6},
        ["--advisers", "26", "--forecast"],
    ),
}
WITH_NIGHTS = [
    "airline_week",
    "airline_week_2026-03-23",
    "airline_week_2026-10-19",
    "night_outsourced",
    "airline_week_forecast",
]


@cache
def problem_of(name: str) -> Problem:
    return load_problem(EXAMPLES / name)


@cache
def generator() -> ModuleType:
    """examples/generate.py, imported from its file (examples is not a package)."""
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def headcount(problem: Problem, channel: str) -> list[int]:
    return problem.requirements.headcount(channel)


def supply(problem: Problem, channel: str) -> float:
    """Hours the advisers can give a channel: contract hours times their split target."""
    scenario = problem.scenario
    return sum(
        scenario.contract_hours_of(a) * scenario.split_of(a).get(channel, 0) / 100
        for a in scenario.advisers
    )


def test_every_example_folder_is_expected() -> None:
    folders = {p.parent.name for p in EXAMPLES.glob("*/scenario.json")}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_example_loads_with_its_week_and_team_sizes(name: str) -> None:
    monday, count, sizes, _ = EXPECTED[name]
    problem = problem_of(name)
    scenario = problem.scenario
    assert scenario.name == name
    assert scenario.week.monday == monday
    assert scenario.week.timezone == PARIS
    assert problem.grid.count == count
    teams = {t.name: sum(1 for a in scenario.advisers if a.team == t.name) for t in scenario.teams}
    assert teams == sizes


@pytest.mark.parametrize("name", EXPECTED)
def test_example_solver_settings_are_bounded_and_reproducible(name: str) -> None:
    settings = problem_of(name).scenario.solver
    assert (settings.time_limit_seconds, settings.workers, settings.seed) == (10, 2, 0)


@pytest.mark.parametrize("name", EXPECTED)
def test_example_demand_asks_for_both_channels(name: str) -> None:
    problem = problem_of(name)
    assert sum(headcount(problem, "social")) > 0
    assert sum(headcount(problem, "phone")) > 0


@pytest.mark.parametrize("name", EXPECTED)
def test_example_demand_is_85_to_95_percent_of_what_the_advisers_supply(name: str) -> None:
    problem = problem_of(name)
    step = problem.grid.minutes / 60
    for channel in ("social", "phone"):
        share = sum(headcount(problem, channel)) * step / supply(problem, channel)
        assert 0.85 <= share <= 0.95, f"{channel}: demand is {share:.0%} of supply"


@pytest.mark.parametrize("name", WITH_NIGHTS)
def test_social_media_has_at_least_one_adviser_at_every_interval(name: str) -> None:
    assert min(headcount(problem_of(name), "social")) >= 1


def test_no_night_asks_for_nobody_at_night_or_at_weekends() -> None:
    problem = problem_of("no_night")
    social, phone = headcount(problem, "social"), headcount(problem, "phone")
    for i, local in enumerate(problem.grid.local_instants):
        open_hours = local.weekday() < 5 and time(8) <= local.time() < time(22)
        assert (social[i] >= 1) == open_hours, local.isoformat()
        if not open_hours:
            assert phone[i] == 0, local.isoformat()


def test_phone_peaks_in_the_morning_and_social_media_at_midday() -> None:
    problem = problem_of("airline_week")
    social, phone = headcount(problem, "social"), headcount(problem, "phone")
    tuesday = [i for i, t in enumerate(problem.grid.local_instants) if t.weekday() == 1]
    at = {problem.grid.local_instants[i].strftime("%H:%M"): i for i in tuesday}
    assert phone[at["10:00"]] > phone[at["17:30"]]
    assert social[at["12:00"]] > social[at["10:00"]]
    assert social[at["17:00"]] > social[at["15:00"]]


@pytest.mark.parametrize("name", EXPECTED)
def test_every_interval_of_a_team_window_has_a_shift_option_or_a_carried_in_shift(
    name: str,
) -> None:
    generator().check_windows_coverable(problem_of(name))


@pytest.mark.parametrize("name", WITH_NIGHTS)
def test_carry_in_lies_in_the_night_before_the_week(name: str) -> None:
    problem = problem_of(name)
    monday = problem.scenario.week.monday
    sunday_night = localize(monday - timedelta(days=1), time(22), PARIS)
    monday_morning = localize(monday, time(8), PARIS)
    assert sunday_night is not None and monday_morning is not None
    night_team = next(t.name for t in problem.scenario.teams if t.name != "paris")
    shifts = problem.carry_in.shifts
    assert shifts
    for shift in shifts:
        assert problem.scenario.adviser(shift.adviser_id).team == night_team
        assert sunday_night <= shift.start < problem.grid.start < shift.end <= monday_morning


@pytest.mark.parametrize("name", WITH_NIGHTS)
def test_carry_in_covers_the_first_night_of_the_week(name: str) -> None:
    problem = problem_of(name)
    monday_morning = localize(problem.scenario.week.monday, time(8), PARIS)
    first_night = problem.grid.span(problem.grid.start, monday_morning)
    need = headcount(problem, "social")
    have = problem.scheduled(Roster())[("social", None)]
    assert all(have[i] >= need[i] for i in first_night)


def test_the_three_airline_weeks_hold_the_same_advisers() -> None:
    def people(name: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
        return [
            (a.id, a.name, a.team, tuple(a.languages)) for a in problem_of(name).scenario.advisers
        ]

    assert people("airline_week") == people("airline_week_2026-03-23")
    assert people("airline_week") == people("airline_week_2026-10-19")
    assert people("airline_week") == people("airline_week_forecast")


@pytest.mark.parametrize("name", EXPECTED)
def test_example_is_what_the_generator_writes(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / name
    generator().main([*EXPECTED[name][3], "--out", str(out)])
    assert f"{name}: week of" in capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(p.name for p in (EXAMPLES / name).iterdir())
    for file in written:
        assert (out / file).read_bytes() == (EXAMPLES / name / file).read_bytes(), file


def test_generator_refuses_a_week_not_starting_on_monday(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        generator().main(["--advisers", "26", "--out", str(tmp_path), "--monday", "2026-11-24"])


def test_rows_with_an_empty_language_are_the_channel_headcount() -> None:
    """Regression: pandas 3 read the empty language as NaN, a language nobody speaks, and
    headcount() added the English rows on top of it."""
    problem = problem_of("airline_week")
    assert set(problem.requirements.required) == {
        ("phone", None),
        ("social", None),
        ("social", "en"),
    }
    tuesday_noon = problem.grid.index(datetime.fromisoformat("2026-11-24T12:00:00+01:00"))
    assert problem.requirements.headcount("social")[tuesday_noon] == 6  # not 6 + 1 in English


def test_forecast_example_takes_its_demand_from_the_forecast_alone() -> None:
    problem = problem_of("airline_week_forecast")
    assert problem.scenario.demand.csv is None
    assert problem.forecast is not None
    assert not (EXAMPLES / "airline_week_forecast" / "demand.csv").exists()
    assert {c.name: c.service is not None for c in problem.scenario.channels} == {
        "social": True,
        "phone": True,
    }


def test_forecast_example_has_the_social_peaks_and_the_phone_by_day() -> None:
    problem = problem_of("airline_week_forecast")
    assert problem.forecast is not None
    social, _ = problem.forecast.pooled("social")
    phone, _ = problem.forecast.pooled("phone")
    tuesday = {
        t.strftime("%H:%M"): i
        for i, t in enumerate(problem.grid.local_instants)
        if t.weekday() == 1
    }
    assert social[tuesday["12:00"]] > social[tuesday["15:00"]] > social[tuesday["03:00"]] > 0
    assert social[tuesday["17:00"]] > social[tuesday["15:00"]]
    assert phone[tuesday["10:00"]] > phone[tuesday["17:30"]] > 0
    assert phone[tuesday["03:00"]] == 0
    aht = {key: set(a[a > 0]) for key, a in problem.forecast.aht.items()}
    assert aht == {("social", None): {420.0}, ("phone", None): {300.0}, ("social", "en"): {480.0}}
