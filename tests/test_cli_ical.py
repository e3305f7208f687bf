"""`roster ical`: a feed per adviser and per team, kept up to date between runs; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar

from api.cli import main
from api.cli_ical import STATE_FILE
from roster.io import write_roster
from roster.solution import Roster, Shift
from tests.factories import (
    MONDAY,
    adviser,
    compliant_sydney_week,
    compliant_week,
    make_problem,
    scenario_dict,
)
from tests.feed_helpers import icalendar_spans, icaljs_read, moved, spans_read
from tests.test_cli import assert_one_line_error

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T12:00:00Z"
NEXT_MONDAY = "2026-11-30"


def scenario_data(monday: str = MONDAY) -> dict:
    return scenario_dict(
        monday=monday,
        advisers=[
            adviser("P1", name="Camille"),
            adviser("S1", team="sydney", channels=("social",), name="Lea"),
        ],
    )


def week_folder(folder: Path, shifts: list[Shift], monday: str = MONDAY) -> Path:
    """A scenario and its roster, as `roster solve` leaves them, in `folder`."""
    data = scenario_data(monday)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.json").write_text(json.dumps(data), encoding="utf-8")
    write_roster(folder / "roster", make_problem(data), Roster(shifts), summary={})
    return folder


def run_ical(folder: Path, out: Path, now: str = NOW) -> int:
    return main(["ical", str(folder), str(folder / "roster"), "--out", str(out), "--now", now])


def events(path: Path) -> dict[str, tuple[int, str]]:
    """UID -> (SEQUENCE, STATUS) of a feed file."""
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"])) for e in calendar.walk("VEVENT")}


WEEK = [*compliant_week(), *compliant_sydney_week()]


def test_ical_writes_a_feed_per_adviser_and_per_team_and_their_state(tmp_path, capsys) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    assert run_ical(folder, tmp_path / "feeds") == 0
    out, err = capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "feeds").iterdir()) == [
        "P1.ics",
        "S1.ics",
        STATE_FILE,
        "team-paris.ics",
        "team-sydney.ics",
    ]
    assert len(events(tmp_path / "feeds" / "P1.ics")) == 5
    assert len(events(tmp_path / "feeds" / "team-sydney.ics")) == 4
    assert "P1.ics" in out and "team-sydney.ics" in out
    assert err.strip().endswith(f"4 feeds written to {tmp_path / 'feeds'}")


def test_each_feed_shows_the_instants_of_the_roster(tmp_path) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    assert run_ical(folder, tmp_path / "feeds") == 0
    frame = pd.read_csv(folder / "roster" / "shifts.csv")
    for adviser_id in ("P1", "S1"):
        rows = frame[frame["adviser_id"] == adviser_id]
        expected = sorted(
            zip(pd.to_datetime(rows["start"]), pd.to_datetime(rows["end"]), strict=True)
        )
        assert icalendar_spans((tmp_path / "feeds" / f"{adviser_id}.ics").read_bytes()) == expected


def test_running_again_on_the_same_roster_rewrites_the_same_bytes(tmp_path) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    run_ical(folder, tmp_path / "feeds")
    before = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    assert run_ical(folder, tmp_path / "feeds", now="2026-11-21T08:00:00Z") == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()} == before


def test_running_again_after_a_new_solve_updates_and_cancels(tmp_path, capsys) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    run_ical(folder, tmp_path / "feeds")
    paris = compliant_week()
    resolved = [paris[0], moved(paris[1], 60), *paris[2:4], *compliant_sydney_week()]
    week_folder(folder, resolved)  # Friday's shift is gone, Tuesday's starts an hour later
    capsys.readouterr()
    assert run_ical(folder, tmp_path / "feeds", now="2026-11-21T08:00:00Z") == 0
    assert events(tmp_path / "feeds" / "P1.ics") == {
        "shift-20261123-P1@roster": (0, "CONFIRMED"),
        "shift-20261124-P1@roster": (1, "CONFIRMED"),
        "shift-20261125-P1@roster": (0, "CONFIRMED"),
        "shift-20261126-P1@roster": (0, "CONFIRMED"),
        "shift-20261127-P1@roster": (1, "CANCELLED"),
    }
    assert {seq for seq, _ in events(tmp_path / "feeds" / "S1.ics").values()} == {0}
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["P1.ics", "5", "0", "1", "1"]


def test_next_weeks_roster_leaves_this_weeks_events_as_they_were(tmp_path) -> None:
    this_week = week_folder(tmp_path / "this", WEEK)
    next_week = week_folder(
        tmp_path / "next", compliant_week(monday=NEXT_MONDAY), monday=NEXT_MONDAY
    )
    run_ical(this_week, tmp_path / "feeds")
    assert run_ical(next_week, tmp_path / "feeds", now="2026-11-27T08:00:00Z") == 0
    p1 = events(tmp_path / "feeds" / "P1.ics")
    assert len(p1) == 10
    assert set(p1.values()) == {(0, "CONFIRMED")}
    assert len(events(tmp_path / "feeds" / "S1.ics")) == 4  # no Sydney shift next week


def test_feeds_without_their_state_are_started_again_with_a_warning(tmp_path, capsys) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    run_ical(folder, tmp_path / "feeds")
    (tmp_path / "feeds" / STATE_FILE).unlink()
    capsys.readouterr()
    assert run_ical(folder, tmp_path / "feeds") == 0
    assert "warning" in capsys.readouterr().err


# --- bad input -----------------------------------------------------------------------------------


def test_a_missing_roster_folder_is_bad_input(tmp_path, capsys) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    code = main(["ical", str(folder), str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    assert_one_line_error(capsys, code, "nowhere", "not a folder")


def test_an_out_that_is_a_file_is_bad_input(tmp_path, capsys) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert_one_line_error(capsys, run_ical(folder, tmp_path / "file"), "--out is a file")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{oops", ["unreadable feeds state"]),
        ('{"format": "something else"}', ["not a feeds state"]),
        (
            '{"format": "roster feeds state", "version": 1, "feeds": {"P1.ics": {"events": 3}}}',
            ["damaged feeds state"],
        ),
    ],
)
def test_a_damaged_state_file_is_bad_input(tmp_path, capsys, text: str, words: list[str]) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / STATE_FILE).write_text(text, encoding="utf-8")
    code = run_ical(folder, tmp_path / "feeds")
    assert_one_line_error(capsys, code, STATE_FILE, *words)


@pytest.mark.parametrize("now", ["soon", "2026-11-20T12:00:00"])
def test_a_bad_now_is_bad_input(tmp_path, capsys, now: str) -> None:
    folder = week_folder(tmp_path / "week", WEEK)
    assert_one_line_error(capsys, run_ical(folder, tmp_path / "feeds", now=now), "--now")


def test_a_shift_outside_the_scenarios_week_is_bad_input(tmp_path, capsys) -> None:
    folder = week_folder(tmp_path / "week", [*WEEK, *compliant_week(monday=NEXT_MONDAY)[:1]])
    code = run_ical(folder, tmp_path / "feeds")
    assert_one_line_error(capsys, code, "shifts.csv", "P1", "outside")


# --- solved example weeks ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("week", ["airline_week_2026-03-23", "airline_week_2026-10-19"])
def test_feeds_of_a_solved_clock_change_week_read_the_same_in_both_parsers(
    week: str, tmp_path
) -> None:
    example = ROOT / "examples" / week
    roster, feeds = tmp_path / "roster", tmp_path / "feeds"
    assert main(["solve", str(example), "--out", str(roster), "--time-limit", "5", "--quiet"]) == 0
    monday = f"{week[-10:]}T00:00:00Z"
    assert main(["ical", str(example), str(roster), "--out", str(feeds), "--now", monday]) == 0
    frame = pd.read_csv(roster / "shifts.csv")
    files = sorted(feeds.glob("*.ics"))
    for file, feed in zip(files, icaljs_read(*(f.read_bytes() for f in files)), strict=True):
        if file.name.startswith("team-"):
            rows = frame[frame["team"] == file.stem.removeprefix("team-")]
        else:
            rows = frame[frame["adviser_id"] == file.stem]
        expected = sorted(
            zip(pd.to_datetime(rows["start"]), pd.to_datetime(rows["end"]), strict=True)
        )
        assert expected
        assert icalendar_spans(file.read_bytes()) == expected
        assert spans_read(feed) == expected
