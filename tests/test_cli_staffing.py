"""The `roster staffing` and `roster erlang` commands, and one-line errors for bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest

from api.cli import main
from roster.io import load_problem
from tests.factories import forecast_folder
from tests.test_cli import assert_one_line_error

ROOT = Path(__file__).resolve().parents[1]
FORECAST_WEEK = ROOT / "examples" / "airline_week_forecast"
EXAMPLE = ["--calls", "100", "--interval", "1800", "--aht", "180"]
ROWS = [
    ["2026-11-24T12:00:00+01:00", "phone", 50, 180],
    ["2026-11-24T12:00:00+01:00", "social", 12, 420],
    ["2026-11-24T12:00:00+01:00", "social", 2, 420, "en"],
]


# --- roster erlang --------------------------------------------------------------------------


def test_erlang_prints_the_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["erlang", *EXAMPLE, "--target", "0.8", "--within", "20", "--shrinkage", "0.3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "10.00 erlangs" in out
    assert "14 taking calls, 20 to schedule with 30% shrinkage" in out
    assert "88.8% answered within 20 s (goal 80%)" in out
    assert "average speed of answer  7.8 s" in out
    assert "occupancy                71.4%" in out
    assert "probability of waiting   17.4%" in out


def test_erlang_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang", *EXAMPLE, "--target", "0.8", "--within", "20", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agents"] == data["scheduled"] == 14
    assert data["traffic_erlangs"] == 10
    assert round(data["service_level"], 3) == 0.888
    assert round(data["wait_probability"], 3) == 0.174
    assert data["stable"] is True


def test_erlang_with_a_max_occupancy_adds_advisers(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["erlang", *EXAMPLE, "--target", "0.8", "--within", "20", "--max-occupancy", "0.7"]
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agents"] == 15


def test_erlang_sizes_for_an_average_speed_of_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang", *EXAMPLE, "--target-asa", "7.8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agents"] == 15 and data["asa_seconds"] <= 7.8
    assert data["service_level"] is None


def test_erlang_gives_the_figures_of_n_advisers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang", *EXAMPLE, "--agents", "13", "--within", "20"]) == 0
    assert "79.6% answered within 20 s" in capsys.readouterr().out


def test_erlang_says_when_the_advisers_cannot_keep_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang", *EXAMPLE, "--agents", "10", "--max-occupancy", "0.85"]) == 0
    out = capsys.readouterr().out
    assert "cannot keep up with 10.00 erlangs" in out
    assert "occupancy is above the maximum of 85%" in out
    assert main(["erlang", *EXAMPLE, "--agents", "10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["stable"], data["asa_seconds"]) == (False, None)


BAD_ERLANG = {
    "target without a wait": (["--target", "0.8"], ["--target needs --within"]),
    "target as a percentage": (["--target", "80", "--within", "20"], ["--target", "0.8 for 80%"]),
    "target of 100%": (["--target", "1", "--within", "20"], ["--target"]),
    "two goals": (["--target", "0.8", "--within", "20", "--agents", "3"], ["not allowed"]),
    "no goal": ([], ["one of the arguments --target --target-asa --agents is required"]),
    "fractional advisers": (["--agents", "2.5"], ["--agents", "whole number"]),
    "negative wait": (["--target", "0.8", "--within", "-1"], ["--within"]),
    "shrinkage of 1": (["--agents", "3", "--shrinkage", "1"], ["--shrinkage"]),
    "occupancy of 0": (["--agents", "3", "--max-occupancy", "0"], ["--max-occupancy"]),
}


@pytest.mark.parametrize("case", BAD_ERLANG, ids=list(BAD_ERLANG))
def test_bad_erlang_arguments_exit_2_in_one_line(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    extra, words = BAD_ERLANG[case]
    assert_one_line_error(capsys, main(["erlang", *EXAMPLE, *extra]), *words)


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--calls", "-1"), ("--calls", "many"), ("--interval", "0"), ("--aht", "nan")],
)
def test_bad_interval_figures_exit_2_in_one_line(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["erlang", *EXAMPLE, "--agents", "3"]
    argv[argv.index(flag) + 1] = value
    assert_one_line_error(capsys, main(argv), flag)


def test_erlang_refuses_a_load_no_interval_has(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["erlang", "--calls", "1e9", "--interval", "900", "--aht", "300"]
    code = main([*argv, "--target", "0.8", "--within", "20"])
    assert_one_line_error(capsys, code, "erlangs: give 0 to 100,000")


# --- roster staffing ------------------------------------------------------------------------


def test_staffing_writes_the_demand_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = forecast_folder(tmp_path / "week", ROWS)
    out = tmp_path / "demand.csv"
    assert main(["staffing", str(folder / "forecast.csv"), str(folder), "--out", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "phone    realtime: 80% answered within 20 s, max occupancy 85%" in stdout
    assert "social   deferred: 95% answered within 60 min" in stdout
    tuesday = next(line for line in stdout.splitlines() if "Tue 24 Nov  phone" in line)
    assert tuesday.split()[-3:-1] == ["20", "12:00"]  # the peak and when
    assert f"demand written to {out}" in stderr
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["interval_start", "channel", "required", "language"]
    assert len(rows) == 672 * 3  # every interval: phone, social, social in English
    noon = {
        (r["channel"], r["language"]): int(r["required"])
        for r in rows
        if r["interval_start"] == "2026-11-24T12:00:00+01:00"
    }
    assert noon[("phone", "")] == 20
    assert noon[("social", "")] > noon[("social", "en")] >= 1


def test_the_written_demand_asks_for_what_the_forecast_does(tmp_path: Path) -> None:
    folder = forecast_folder(tmp_path / "week", ROWS)
    out = folder / "demand.csv"
    assert main(["staffing", str(folder / "forecast.csv"), str(folder), "--out", str(out)]) == 0
    scenario = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
    scenario["demand"] = {"csv": "demand.csv"}
    (folder / "edited.json").write_text(json.dumps(scenario), encoding="utf-8")
    from_csv = load_problem(folder / "edited.json").requirements.required
    assert from_csv == load_problem(folder).requirements.required


def test_staffing_writes_every_interval_s_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = forecast_folder(tmp_path / "week", ROWS)
    figures = tmp_path / "figures.csv"
    argv = ["staffing", str(folder / "forecast.csv"), str(folder), "--figures", str(figures)]
    assert main(argv) == 0
    assert f"figures written to {figures}" in capsys.readouterr().err
    with figures.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 672 * 3
    noon = {
        (r["channel"], r["language"]): r
        for r in rows
        if r["interval_start"] == "2026-11-24T12:00:00+01:00"
    }
    phone = noon[("phone", "")]
    assert (phone["erlangs"], phone["answering"], phone["required"]) == ("10.0", "14", "20")
    assert (phone["service"], phone["occupancy"], phone["wait_probability"]) == (
        "0.8884",
        "0.7143",
        "0.1741",
    )
    assert phone["asa_seconds"] == "7.84"
    social = noon[("social", "")]
    assert social["service"] == "1.0" and social["asa_seconds"] == social["occupancy"] == ""


def test_staffing_without_out_only_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = forecast_folder(tmp_path / "week", ROWS)
    assert main(["staffing", str(folder / "forecast.csv"), str(folder)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "week" in stdout and stderr == ""
    assert not (folder / "demand.csv").exists()


def test_staffing_of_the_forecast_example(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["staffing", str(FORECAST_WEEK / "forecast.csv"), str(FORECAST_WEEK)]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Staffing for airline_week_forecast, week of 2026-11-23")
    assert sum(1 for line in lines if line.startswith("  week ")) == 2


def test_staffing_of_a_bad_forecast_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = forecast_folder(
        tmp_path / "week", [*ROWS, ["2026-11-24T12:07:00+01:00", "phone", 3, 180]]
    )
    code = main(["staffing", str(folder / "forecast.csv"), str(folder)])
    assert_one_line_error(capsys, code, "forecast.csv: line 5", "not on the 15-minute grid")


@pytest.mark.parametrize("flag", ["--out", "--figures"])
def test_staffing_into_a_folder_is_bad_input(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = forecast_folder(tmp_path / "week", ROWS)
    code = main(["staffing", str(folder / "forecast.csv"), str(folder), flag, str(tmp_path)])
    assert_one_line_error(capsys, code, f"{flag} is a folder")


def test_staffing_of_a_missing_forecast_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = forecast_folder(tmp_path / "week", ROWS)
    code = main(["staffing", str(tmp_path / "nowhere.csv"), str(folder)])
    assert_one_line_error(capsys, code, "nowhere.csv: file not found")


def test_schema_accepts_the_forecast_example_and_describes_service_goals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    scenario = json.loads((FORECAST_WEEK / "scenario.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(scenario)
    goal = schema["$defs"]["ServiceGoal"]["properties"]
    assert {"service_level", "within_seconds", "within_minutes", "shrinkage"} <= set(goal)
    assert "forecast" in schema["$defs"]["Demand"]["properties"]


# --- solve and check with a forecast --------------------------------------------------------


@pytest.mark.slow
def test_solve_of_the_forecast_example_projects_its_service_and_passes_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(FORECAST_WEEK), "--out", str(out), "--time-limit", "10"]) == 0
    stdout = capsys.readouterr().out
    assert "Projected service from the forecast" in stdout
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["violations"] == []
    assert set(data["projected_service"]) == {"phone", "social"}
    with (out / "coverage.csv").open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[-3:] == ["forecast_volume", "service_level", "on_time_share"]
    assert main(["check", str(FORECAST_WEEK), str(out)]) == 0
