"""The `roster` command: solve, check and schema, and one-line errors for bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from api.cli import main
from roster.solution import Activity, Roster, Shift
from roster.timegrid import to_utc
from solver.result import Progress, SolveResult

ROOT = Path(__file__).resolve().parents[1]
AIRLINE_WEEK = ROOT / "examples" / "airline_week"

SHIFT_COLUMNS = ["adviser_id", "team", "start", "end", "local_start", "local_end", "timezone"]
ACTIVITY_COLUMNS = ["adviser_id", "activity", "start", "end"]
COVERAGE_COLUMNS = ["interval_start", "channel", "required", "scheduled", "shortfall"]
SUMMARY_KEYS = {
    "status",
    "objective",
    "lower_bound",
    "gap",
    "solve_seconds",
    "penalties",
    "diagnosis",
    "violations",
    "shortfall_hours",
    "required_hours",
    "scheduled_hours",
    "advisers",
}


def tiny_scenario() -> dict:
    """One Paris adviser on a 4-hour contract: a single 08:00-12:00 shift is a clean week."""
    return {
        "name": "tiny",
        "week": {"monday": "2026-11-23", "timezone": "Europe/Paris"},
        "channels": [{"name": "social"}, {"name": "phone", "kind": "realtime"}],
        "teams": [
            {
                "name": "paris",
                "timezone": "Europe/Paris",
                "rules": {
                    "shift_starts": ["08:00"],
                    "shift_lengths_hours": [4],
                    "contract_hours_per_week": 4,
                    "contract_tolerance_hours": 0,
                },
            }
        ],
        "advisers": [{"id": "A1", "name": "Ana", "team": "paris", "channels": ["social"]}],
        "demand": {"csv": "demand.csv"},
        "solver": {"time_limit_seconds": 5, "workers": 1},
    }


DEMAND = [
    ["interval_start", "channel", "required"],
    ["2026-11-23T08:00:00+01:00", "social", "1"],
    ["2026-11-23T08:15:00+01:00", "social", "1"],
]


def write_folder(
    folder: Path, scenario: dict | None = None, demand: list[list[str]] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = tiny_scenario() if scenario is None else scenario
    (folder / "scenario.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    with (folder / "demand.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(DEMAND if demand is None else demand)
    return folder


@pytest.fixture
def week(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "week")


def write_roster_folder(folder: Path, start: str, end: str) -> Path:
    """A hand-written roster: A1 on social from `start` to `end` (Paris time, with offset)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "shifts.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(SHIFT_COLUMNS)
        out.writerow(["A1", "paris", utc(start), utc(end), start, end, "Europe/Paris"])
    with (folder / "activities.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(ACTIVITY_COLUMNS)
        out.writerow(["A1", "social", utc(start), utc(end)])
    return folder


def utc(local: str) -> str:
    return to_utc(datetime.fromisoformat(local)).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def assert_one_line_error(capsys: pytest.CaptureFixture[str], code: int, *words: str) -> str:
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("roster: error: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


# --- schema -------------------------------------------------------------------------------


def schema_of(capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)


def test_schema_is_a_json_schema(capsys):
    schema = schema_of(capsys)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Roster scenario"


def test_schema_uses_the_names_written_in_files(capsys):
    text = json.dumps(schema_of(capsys))
    assert '"break"' in text and '"break_"' not in text
    assert '"from"' in text


def test_schema_accepts_a_scenario_and_refuses_an_unknown_field(capsys):
    validator = jsonschema.Draft202012Validator(schema_of(capsys))
    scenario = tiny_scenario() | {"$schema": "../scenario.schema.json"}
    validator.validate(scenario)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(tiny_scenario() | {"weeks": 2})


def test_schema_accepts_the_airline_week(capsys):
    scenario = json.loads((AIRLINE_WEEK / "scenario.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema_of(capsys)).validate(scenario)


# --- check --------------------------------------------------------------------------------


def test_check_of_a_clean_roster_exits_0(week, tmp_path, capsys):
    folder = write_roster_folder(
        tmp_path / "out", "2026-11-23T08:00:00+01:00", "2026-11-23T12:00:00+01:00"
    )
    assert main(["check", str(week), str(folder)]) == 0
    assert capsys.readouterr().out == "no hard rule broken\n"


def test_check_accepts_the_scenario_file_itself(week, tmp_path, capsys):
    folder = write_roster_folder(
        tmp_path / "out", "2026-11-23T08:00:00+01:00", "2026-11-23T12:00:00+01:00"
    )
    assert main(["check", str(week / "scenario.json"), str(folder)]) == 0


def test_check_prints_the_broken_rule_and_exits_1(week, tmp_path, capsys):
    folder = write_roster_folder(
        tmp_path / "out", "2026-11-23T09:00:00+01:00", "2026-11-23T13:00:00+01:00"
    )
    assert main(["check", str(week), str(folder)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("shift_start: adviser A1 2026-11-23T08:00:00Z-2026-11-23T12:00:00Z")
    assert "1 hard rule violation" in err


def test_check_of_a_folder_without_a_roster_is_bad_input(week, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code = main(["check", str(week), str(tmp_path / "empty")])
    assert_one_line_error(capsys, code, "shifts.csv", "file not found")


def test_check_of_a_roster_for_an_unknown_adviser_is_bad_input(week, tmp_path, capsys):
    folder = write_roster_folder(
        tmp_path / "out", "2026-11-23T08:00:00+01:00", "2026-11-23T12:00:00+01:00"
    )
    text = (folder / "shifts.csv").read_text(encoding="utf-8").replace("A1,", "Z9,")
    (folder / "shifts.csv").write_text(text, encoding="utf-8")
    text = (folder / "activities.csv").read_text(encoding="utf-8").replace("A1,", "Z9,")
    (folder / "activities.csv").write_text(text, encoding="utf-8")
    code = main(["check", str(week), str(folder)])
    assert_one_line_error(capsys, code, ".csv: line 2: unknown adviser 'Z9'")


# --- bad input ----------------------------------------------------------------------------


def with_team(**changes: object) -> dict:
    scenario = tiny_scenario()
    scenario["teams"][0] |= changes
    return scenario


def with_adviser(**changes: object) -> dict:
    scenario = tiny_scenario()
    scenario["advisers"][0] |= changes
    return scenario


BAD_SCENARIOS = {
    "unknown team": (
        with_adviser(team="Sydny"),
        None,
        ["scenario.json", "advisers[0]", "team", "unknown team 'Sydny'"],
    ),
    "unknown time zone": (
        with_team(timezone="Europe/Pariss"),
        None,
        ["scenario.json", "teams[0].timezone", "unknown time zone 'Europe/Pariss'"],
    ),
    "split not adding to 100": (
        with_team(split={"social": 70, "phone": 20}),
        None,
        ["scenario.json", "teams[0].split", "90%"],
    ),
    "demand row outside the week": (
        None,
        [*DEMAND, ["2026-11-30T08:00:00+01:00", "social", "1"]],
        ["demand.csv", "line 4", "outside the week"],
    ),
    "negative demand": (
        None,
        [DEMAND[0], ["2026-11-23T08:00:00+01:00", "social", "-1"]],
        ["demand.csv", "line 2", "'-1'"],
    ),
}


@pytest.mark.parametrize("case", BAD_SCENARIOS, ids=list(BAD_SCENARIOS))
@pytest.mark.parametrize("command", ["solve", "check"])
def test_bad_scenario_exits_2_with_one_line_naming_file_and_place(case, command, tmp_path, capsys):
    scenario, demand, words = BAD_SCENARIOS[case]
    folder = write_folder(tmp_path / "week", scenario, demand)
    if command == "solve":
        argv = ["solve", str(folder), "--out", str(tmp_path / "out")]
    else:
        argv = ["check", str(folder), str(tmp_path)]
    assert_one_line_error(capsys, main(argv), *words)
    assert not (tmp_path / "out").exists()


def test_missing_scenario_exits_2(tmp_path, capsys):
    code = main(["solve", str(tmp_path / "nowhere.json"), "--out", str(tmp_path / "out")])
    assert_one_line_error(capsys, code, "nowhere.json", "file not found")


def test_folder_without_scenario_exits_2(tmp_path, capsys):
    code = main(["check", str(tmp_path), str(tmp_path)])
    assert_one_line_error(capsys, code, "scenario.json", "file not found")


def test_unreadable_scenario_exits_2(tmp_path, capsys):
    (tmp_path / "scenario.json").write_bytes(b"\xff\xfe\x00garbage")
    code = main(["check", str(tmp_path), str(tmp_path)])
    assert_one_line_error(capsys, code, "scenario.json", "unreadable file")


def test_scenario_that_is_not_json_names_the_line(tmp_path, capsys):
    (tmp_path / "scenario.json").write_text('{\n  "name": "x",\n  oops\n}\n', encoding="utf-8")
    code = main(["check", str(tmp_path), str(tmp_path)])
    assert_one_line_error(capsys, code, "scenario.json", "line 3", "not valid JSON")


def test_unreadable_demand_file_exits_2(week, tmp_path, capsys):
    (week / "demand.csv").write_bytes(b"\xff\xfe\x00\x81garbage\n\x00\xff")
    code = main(["check", str(week), str(tmp_path)])
    assert_one_line_error(capsys, code, "demand.csv")


def test_unknown_argument_exits_2_in_one_line(week, capsys):
    code = main(["solve", str(week), "--out", "x", "--fast"])
    assert_one_line_error(capsys, code, "unrecognized arguments: --fast")


def test_unknown_command_exits_2_in_one_line(capsys):
    assert_one_line_error(capsys, main(["plan"]), "invalid choice: 'plan'")


def test_no_command_exits_2_in_one_line(capsys):
    assert_one_line_error(capsys, main([]), "COMMAND")


@pytest.mark.parametrize("limit", ["soon", "0", "-3"])
def test_bad_time_limit_exits_2(week, limit, capsys):
    code = main(["solve", str(week), "--out", "x", "--time-limit", limit])
    assert_one_line_error(capsys, code, "--time-limit")


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "solve" in capsys.readouterr().out


def test_installed_command_reports_bad_input_without_traceback(tmp_path):
    folder = write_folder(tmp_path / "week", with_adviser(team="Sydny"))
    run = subprocess.run(
        [sys.executable, "-m", "api.cli", "solve", str(folder), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        f"roster: error: {folder / 'scenario.json'}: advisers[0] (A1).team: unknown team 'Sydny'"
    ]


# --- solve with a stand-in solver ---------------------------------------------------------


def fake_solver(status: str, roster: Roster, diagnosis: list[str] | None = None):
    def solve(problem, *, time_limit=None, on_progress=None):
        if on_progress is not None:
            on_progress(Progress(0.5, 4400.0, 4000.0))
            on_progress(Progress(1.25, 4000.0, 4000.0))
        found = status not in ("NO_SOLUTION", "IMPOSSIBLE")
        return SolveResult(
            status=status,
            roster=roster,
            objective=4000.0 if found else None,
            lower_bound=4000.0,
            solve_seconds=1.25,
            penalties={"shortfall": 4000.0} if found else {},
            diagnosis=diagnosis or [],
        )

    return solve


def monday(start_hour: int, hours: int) -> Roster:
    """A1 on social from `start_hour` (Paris) on Monday 23 November 2026."""
    start = datetime(2026, 11, 23, start_hour - 1, tzinfo=UTC)
    end = start + timedelta(hours=hours)
    return Roster([Shift("A1", start, end, (Activity("social", start, end),))])


def test_solve_shows_progress_writes_four_files_and_prints_the_summary(
    week, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("solver.solve.solve", fake_solver("OPTIMAL", monday(8, 4)))
    out = tmp_path / "out"
    assert main(["solve", str(week), "--out", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    progress = [line for line in stderr.splitlines() if " best " in line]
    assert len(progress) == 2
    assert "1.2 s" in progress[1] and "4,000" in progress[1] and "0.00%" in progress[1]
    assert "9.09%" in progress[0]
    assert "OPTIMAL" in stdout and "4,000 points" in stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "activities.csv",
        "coverage.csv",
        "shifts.csv",
        "summary.json",
    ]
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["status"] == "OPTIMAL"
    assert data["violations"] == []
    assert data["advisers"][0]["hours"] == 4


def test_solve_quiet_prints_no_progress(week, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("solver.solve.solve", fake_solver("OPTIMAL", monday(8, 4)))
    assert main(["solve", str(week), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    stdout, stderr = capsys.readouterr()
    assert stderr == ""
    assert "OPTIMAL" in stdout


def test_solve_passes_the_time_limit(week, tmp_path, monkeypatch):
    seen = {}

    def solve(problem, *, time_limit=None, on_progress=None):
        seen["limit"] = time_limit
        return fake_solver("OPTIMAL", monday(8, 4))(problem)

    monkeypatch.setattr("solver.solve.solve", solve)
    assert main(["solve", str(week), "--out", str(tmp_path / "o"), "--time-limit", "2.5"]) == 0
    assert seen["limit"] == 2.5


def test_solve_reports_broken_rules_of_its_roster(week, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("solver.solve.solve", fake_solver("FEASIBLE", monday(9, 4)))
    assert main(["solve", str(week), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [v.split(":")[0] for v in data["violations"]] == ["shift_start"]
    assert "Hard rules broken: 1" in capsys.readouterr().out


@pytest.mark.parametrize("status", ["NO_SOLUTION", "IMPOSSIBLE"])
def test_solve_without_a_roster_prints_the_diagnosis_and_exits_1(
    status, week, tmp_path, capsys, monkeypatch
):
    why = "Adviser A1 cannot work 4 contract hours: no allowed shift fits the week."
    monkeypatch.setattr("solver.solve.solve", fake_solver(status, Roster(), [why]))
    out = tmp_path / "out"
    assert main(["solve", str(week), "--out", str(out), "--quiet"]) == 1
    stdout, stderr = capsys.readouterr()
    assert why in stdout
    assert status in stdout
    assert "no roster written" in stderr
    assert not out.exists()


def test_solve_into_a_file_is_bad_input(week, tmp_path, capsys):
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    code = main(["solve", str(week), "--out", str(tmp_path / "taken")])
    assert_one_line_error(capsys, code, "taken", "not a folder")


# --- solve for real -----------------------------------------------------------------------


@pytest.mark.slow
def test_solve_airline_week_writes_the_roster_files(tmp_path, capsys):
    out = tmp_path / "airline_week"
    code = main(["solve", str(AIRLINE_WEEK), "--out", str(out), "--time-limit", "5"])
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert "status" in stdout

    assert read_header(out / "shifts.csv")[: len(SHIFT_COLUMNS)] == SHIFT_COLUMNS
    assert read_header(out / "activities.csv")[: len(ACTIVITY_COLUMNS)] == ACTIVITY_COLUMNS
    assert set(COVERAGE_COLUMNS) <= set(read_header(out / "coverage.csv"))
    assert read_header(out / "coverage.csv")[0] == "interval_start"

    with (out / "shifts.csv").open(newline="", encoding="utf-8") as f:
        shifts = list(csv.DictReader(f))
    assert shifts
    for row in shifts:
        assert row["start"].endswith("Z") and row["end"].endswith("Z")
        assert row["local_start"][-6] in "+-" and row["timezone"]
    with (out / "activities.csv").open(newline="", encoding="utf-8") as f:
        assert {row["activity"] for row in csv.DictReader(f)} >= {"social", "phone", "break"}

    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(data) >= SUMMARY_KEYS
    assert data["status"] in ("OPTIMAL", "FEASIBLE")
    assert data["violations"] == []
    for adviser in data["advisers"]:
        assert {"id", "hours", "share"} <= set(adviser)

    assert main(["check", str(AIRLINE_WEEK), str(out)]) == 0
    assert capsys.readouterr().out == "no hard rule broken\n"


def test_solve_of_a_tiny_week_writes_a_roster_that_check_accepts(week, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", str(week), "--out", str(out), "--time-limit", "5"]) == 0
    stdout, stderr = capsys.readouterr()
    assert "solving" in stderr and " best " in stderr and " bound " in stderr
    assert "status      OPTIMAL" in stdout
    assert main(["check", str(week), str(out)]) == 0
    assert capsys.readouterr().out == "no hard rule broken\n"
