"""Time handling: the week grid across clock changes, Paris and Sydney wall clocks, night shifts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from datetime import timezone as fixed_offset

import pytest
import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from roster.io import parse_scenario
from roster.model import Scenario
from roster.shifts import team_options
from roster.timegrid import Grid, localize, night_hours, to_local

PARIS = "Europe/Paris"
SYDNEY = "Australia/Sydney"
ORDINARY_WEEK = date(2026, 11, 23)
SPRING_FORWARD_WEEK = date(2026, 3, 23)  # Paris changes clocks on Sunday 29 March
FALL_BACK_WEEK = date(2026, 10, 19)  # Paris changes clocks on Sunday 25 October


def sydney_times_of_paris_night(day: date) -> tuple[str, str]:
    """Sydney wall-clock times at which the Paris night 22:00 (day) - 08:00 (day + 1) runs."""
    start = localize(day, time(22), PARIS)
    end = localize(day + timedelta(days=1), time(8), PARIS)
    assert start is not None and end is not None
    return (
        to_local(start, SYDNEY).strftime("%H:%M"),
        to_local(end, SYDNEY).strftime("%H:%M"),
    )


def sydney_scenario(monday: date) -> Scenario:
    """A week with only the Sydney night team of the domain brief."""
    return parse_scenario(
        {
            "week": {"monday": monday.isoformat(), "timezone": PARIS},
            "channels": [{"name": "social"}],
            "teams": [
                {
                    "name": "sydney",
                    "timezone": SYDNEY,
                    "window": {"start": "22:00", "end": "08:00"},
                    "rules": {
                        "min_rest_between_shifts_hours": 10,
                        "max_hours_per_day": 10.5,
                        "contract_hours_per_week": 38,
                        "contract_tolerance_hours": 2,
                        "shift_starts": ["06:00", "07:00", "08:00"],
                        "shift_lengths_hours": [9, 10, 11],
                        "break": {
                            "minutes": 30,
                            "earliest_after_minutes": 180,
                            "latest_after_minutes": 360,
                        },
                    },
                }
            ],
            "advisers": [],
        }
    )


# The week grid


@pytest.mark.parametrize(
    ("monday", "minutes", "count"),
    [
        (ORDINARY_WEEK, 15, 672),
        (SPRING_FORWARD_WEEK, 15, 668),
        (FALL_BACK_WEEK, 15, 676),
        (ORDINARY_WEEK, 30, 336),
        (SPRING_FORWARD_WEEK, 30, 334),
        (FALL_BACK_WEEK, 30, 338),
    ],
)
def test_week_has_one_interval_per_real_quarter_or_half_hour(
    monday: date, minutes: int, count: int
) -> None:
    assert Grid.for_week(monday, PARIS, minutes).count == count


def test_week_runs_from_monday_midnight_to_next_monday_midnight_in_paris() -> None:
    grid = Grid.for_week(FALL_BACK_WEEK, PARIS)
    assert grid.start == datetime(2026, 10, 18, 22, tzinfo=pytz.utc)  # 00:00 CEST
    assert grid.end == datetime(2026, 10, 25, 23, tzinfo=pytz.utc)  # 00:00 CET


def test_fall_back_week_shows_the_repeated_hour_twice_on_the_paris_wall_clock() -> None:
    grid = Grid.for_week(FALL_BACK_WEEK, PARIS)
    labels = [t.strftime("%a %H:%M") for t in grid.local_instants]
    assert labels.count("Sun 02:30") == 2
    assert len(set(labels)) == grid.count - 4


def test_spring_forward_week_skips_the_missing_hour_on_the_paris_wall_clock() -> None:
    grid = Grid.for_week(SPRING_FORWARD_WEEK, PARIS)
    labels = [t.strftime("%a %H:%M") for t in grid.local_instants]
    assert "Sun 02:30" not in labels
    assert labels[labels.index("Sun 01:45") + 1] == "Sun 03:00"


def test_index_of_the_first_and_last_interval() -> None:
    grid = Grid.for_week(ORDINARY_WEEK, PARIS)
    assert grid.index(grid.start) == 0
    assert grid.index(grid.end - grid.step) == grid.count - 1


def test_index_reads_any_utc_offset_of_the_same_instant() -> None:
    grid = Grid.for_week(ORDINARY_WEEK, PARIS)
    paris = datetime.fromisoformat("2026-11-23T08:00:00+01:00")
    sydney = datetime.fromisoformat("2026-11-23T18:00:00+11:00")
    assert grid.index(paris) == grid.index(sydney) == 32


@pytest.mark.parametrize("stamp", ["2026-11-23T08:05:00+01:00", "2026-11-23T08:00:30+01:00"])
def test_index_rejects_an_instant_off_the_grid(stamp: str) -> None:
    grid = Grid.for_week(ORDINARY_WEEK, PARIS)
    with pytest.raises(ValueError, match="not on the 15-minute grid"):
        grid.index(datetime.fromisoformat(stamp))


def test_index_rejects_a_half_hour_step_on_a_30_minute_grid() -> None:
    grid = Grid.for_week(ORDINARY_WEEK, PARIS, 30)
    with pytest.raises(ValueError, match="not on the 30-minute grid"):
        grid.index(datetime.fromisoformat("2026-11-23T08:15:00+01:00"))


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-22T23:45:00+01:00",  # the last quarter-hour before the week
        "2026-11-30T00:00:00+01:00",  # the end of the week is not in it
        "2027-11-23T08:00:00+01:00",
    ],
)
def test_index_rejects_an_instant_outside_the_week(stamp: str) -> None:
    grid = Grid.for_week(ORDINARY_WEEK, PARIS)
    with pytest.raises(ValueError, match="outside the week"):
        grid.index(datetime.fromisoformat(stamp))


def test_index_rejects_a_naive_date_time() -> None:
    grid = Grid.for_week(ORDINARY_WEEK, PARIS)
    with pytest.raises(ValueError, match="no UTC offset"):
        grid.index(datetime(2026, 11, 23, 8))


MONDAYS = [ORDINARY_WEEK, SPRING_FORWARD_WEEK, FALL_BACK_WEEK, date(2026, 4, 6)]
ZONES = [
    pytz.utc,
    pytz.timezone(PARIS),
    pytz.timezone(SYDNEY),
    pytz.timezone("America/New_York"),
    pytz.timezone("Asia/Kathmandu"),  # +05:45
    fixed_offset(timedelta(hours=5, minutes=30)),
]


@settings(max_examples=300, deadline=None)
@given(
    monday=st.sampled_from(MONDAYS),
    minutes=st.sampled_from([15, 30]),
    offset=st.integers(min_value=-120, max_value=7 * 25 * 60),
    seconds=st.sampled_from([0, 0, 0, 1, 59]),
    shown_in=st.sampled_from(ZONES),
)
def test_index_and_instant_round_trip_for_any_aware_instant_of_the_week(
    monday: date, minutes: int, offset: int, seconds: int, shown_in: tzinfo
) -> None:
    grid = Grid.for_week(monday, PARIS, minutes)
    t = (grid.start + timedelta(minutes=offset, seconds=seconds)).astimezone(shown_in)
    if not grid.start <= t < grid.end:
        with pytest.raises(ValueError):
            grid.index(t)
    elif grid.on_grid(t):
        i = grid.index(t)
        assert 0 <= i < grid.count
        assert grid.instant(i) == t
        assert grid.index(datetime.fromisoformat(t.isoformat())) == i
    else:
        assert seconds or offset % minutes
        with pytest.raises(ValueError, match="not on the"):
            grid.index(t)


# Wall clocks


def test_localize_returns_none_for_a_time_paris_skips() -> None:
    assert localize(date(2026, 3, 29), time(2, 30), PARIS) is None


def test_localize_takes_the_first_of_a_time_paris_shows_twice() -> None:
    first = localize(date(2026, 10, 25), time(2, 30), PARIS)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=pytz.utc)  # 02:30 CEST, not CET


def test_localize_of_the_hour_after_the_skip_exists() -> None:
    assert localize(date(2026, 3, 29), time(3), PARIS) == datetime(2026, 3, 29, 1, tzinfo=pytz.utc)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 27), 10.0),
        (date(2026, 3, 28), 9.0),  # Paris springs forward during the night
        (date(2026, 3, 29), 10.0),
        (date(2026, 10, 23), 10.0),
        (date(2026, 10, 24), 11.0),  # Paris falls back during the night
        (date(2026, 10, 25), 10.0),
        (date(2026, 11, 23), 10.0),
    ],
)
def test_paris_night_lasts_9_h_in_spring_11_h_in_autumn_and_10_h_otherwise(
    day: date, hours: float
) -> None:
    assert night_hours(day, PARIS) == hours


@pytest.mark.parametrize(
    ("day", "sydney"),
    [
        (date(2026, 1, 10), ("08:00", "18:00")),
        (date(2026, 11, 23), ("08:00", "18:00")),
        (date(2026, 3, 27), ("08:00", "18:00")),
        (date(2026, 3, 28), ("08:00", "17:00")),  # 9-hour night
        (date(2026, 3, 29), ("07:00", "17:00")),
        (date(2026, 4, 3), ("07:00", "17:00")),
        (date(2026, 6, 15), ("06:00", "16:00")),
        (date(2026, 10, 4), ("07:00", "17:00")),
        (date(2026, 10, 10), ("07:00", "17:00")),
        (date(2026, 10, 23), ("07:00", "17:00")),
        (date(2026, 10, 24), ("07:00", "18:00")),  # 11-hour night
        (date(2026, 10, 25), ("08:00", "18:00")),
    ],
)
def test_sydney_wall_clock_of_the_paris_night(day: date, sydney: tuple[str, str]) -> None:
    assert sydney_times_of_paris_night(day) == sydney


def test_night_of_saturday_4_april_is_already_on_sydney_standard_time() -> None:
    """Sydney falls back at 03:00 on Sunday 5 April, Sydney time: 16:00 UTC on Saturday 4 April,
    before the Paris night of that Saturday starts. (The table in the domain brief puts this
    night in the 07:00-17:00 row; it is 06:00-16:00.)"""
    assert sydney_times_of_paris_night(date(2026, 4, 4)) == ("06:00", "16:00")


def test_night_of_saturday_3_october_is_already_on_sydney_summer_time() -> None:
    """Sydney springs forward at 02:00 on Sunday 4 October, Sydney time: 16:00 UTC on Saturday
    3 October, before the Paris night of that Saturday starts. (The table in the domain brief
    puts this night in the 06:00-16:00 row; it is 07:00-17:00.)"""
    assert sydney_times_of_paris_night(date(2026, 10, 3)) == ("07:00", "17:00")


# Night shifts of the Sydney team


def night_options(monday: date) -> dict[date, list[tuple[datetime, datetime]]]:
    """The Sydney team's options of a week, as UTC spans, by the Paris date their night starts."""
    scenario = sydney_scenario(monday)
    grid = Grid.for_week(monday, PARIS)
    out: dict[date, list[tuple[datetime, datetime]]] = {}
    for option in team_options(scenario, grid, scenario.teams[0]):
        night = (to_local(option.start, PARIS) - timedelta(hours=8)).date()
        out.setdefault(night, []).append((option.start, option.end))
    return out


@pytest.mark.parametrize(
    "monday", [ORDINARY_WEEK, SPRING_FORWARD_WEEK, FALL_BACK_WEEK, date(2026, 3, 30)]
)
def test_sydney_team_has_a_shift_for_every_paris_night_end_to_end(monday: date) -> None:
    options = night_options(monday)
    assert sorted(options) == [monday + timedelta(days=i) for i in range(7)]
    for day, spans in options.items():
        start = localize(day, time(22), PARIS)
        end = localize(day + timedelta(days=1), time(8), PARIS)
        assert (start, end) in spans, f"no shift covers the night of {day} end to end"
        assert all(start <= a and b <= end for a, b in spans), f"a shift leaves the night of {day}"


def test_sydney_team_covers_the_9_hour_night_of_28_march_with_one_shift_from_08_00() -> None:
    spans = night_options(SPRING_FORWARD_WEEK)[date(2026, 3, 28)]
    assert [(to_local(a, SYDNEY).strftime("%H:%M"), b - a) for a, b in spans] == [
        ("08:00", timedelta(hours=9))
    ]


def test_sydney_team_covers_the_11_hour_night_of_24_october_with_one_shift_from_07_00() -> None:
    spans = night_options(FALL_BACK_WEEK)[date(2026, 10, 24)]
    full = [(a, b) for a, b in spans if b - a == timedelta(hours=11)]
    assert [to_local(a, SYDNEY).strftime("%H:%M") for a, _ in full] == ["07:00"]


@pytest.mark.parametrize(
    ("night", "sydney_start"),
    [
        (date(2026, 3, 27), "08:00"),
        (date(2026, 3, 29), "07:00"),
        (date(2026, 10, 23), "07:00"),
        (date(2026, 10, 25), "08:00"),
    ],
)
def test_sydney_start_of_the_full_night_moves_with_the_paris_clock_change(
    night: date, sydney_start: str
) -> None:
    monday = night - timedelta(days=night.weekday())
    start = localize(night, time(22), PARIS)
    spans = night_options(monday)[night]
    assert any(a == start for a, _ in spans)
    assert to_local(start, SYDNEY).strftime("%H:%M") == sydney_start
