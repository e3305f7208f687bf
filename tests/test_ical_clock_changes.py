"""Feeds read by icalendar and by ical.js give the roster's instants across the clock changes.

Sydney covers the Paris night. In 2026 Paris springs forward on the night of Saturday 28 March
and falls back on that of Saturday 24 October; Sydney falls back on Sunday 5 April at 03:00 and
springs forward on Sunday 4 October at 02:00. ical.js knows no zone but the VTIMEZONEs of the
feed, so it checks those too.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from api.ical import adviser_feed, shifts_feed, team_feed
from roster.io import load_scenario, parse_scenario
from roster.model import Scenario
from roster.solution import Activity, Shift
from tests import feed_helpers
from tests.factories import (
    AUTUMN_MONDAY,
    PARIS,
    SPRING_MONDAY,
    SYDNEY,
    adviser,
    at,
    day,
    paris_team,
    scenario_dict,
    shift,
    sydney_blocks,
    sydney_night,
    sydney_team,
)
from tests.feed_helpers import icalendar_spans, icaljs_read, icaljs_spans, spans_read

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def spans(shifts: list[Shift]) -> list[tuple[datetime, datetime]]:
    return sorted((s.start, s.end) for s in shifts)


def night_team_scenario() -> Scenario:
    """P1 in Paris, S1 in Sydney, and N1 in a night team working on the Paris clock."""
    night = paris_team(name="night", window={"start": "22:00", "end": "08:00"})
    return parse_scenario(
        scenario_dict(
            monday=SPRING_MONDAY,
            teams=[paris_team(), sydney_team(), night],
            advisers=[
                adviser("P1", name="Camille"),
                adviser("S1", team="sydney", channels=("social",), name="Lea"),
                adviser("N1", team="night", name="Nour"),
            ],
        )
    )


def across(adviser_id: str, zone: str, start: str, end: str, **clock: bool) -> Shift:
    """A shift from one wall-clock time to another in a zone, social then a break then phone."""
    begin, finish = at(start, zone, clock.get("start_dst")), at(end, zone, clock.get("end_dst"))
    minutes = int((finish - begin).total_seconds() // 60)
    half = (minutes - 30) // 2
    return shift(
        adviser_id, begin, [("social", half), ("break", 30), ("phone", minutes - half - 30)]
    )


# the nights of the four clock changes of 2026, as shifts that cross them
CHANGE_NIGHTS = [
    # Saturday 28 March: Paris springs forward, its night lasts 9 h
    sydney_night("S1", "2026-03-28", hours=9),
    across("N1", PARIS, "2026-03-28 22:00", "2026-03-29 07:00"),  # 8 h of real time
    across("P1", PARIS, "2026-03-29 00:30", "2026-03-29 04:00"),
    # Sunday 5 April 03:00: Sydney falls back to 02:00
    sydney_night("S1", "2026-04-04", hours=10),  # 22:00 Paris = 06:00 Sydney, just after
    across("S1", SYDNEY, "2026-04-04 22:00", "2026-04-05 05:00"),  # 8 h of real time
    # Sunday 4 October 02:00: Sydney springs forward to 03:00
    sydney_night("S1", "2026-10-03", hours=10),
    across("S1", SYDNEY, "2026-10-03 22:00", "2026-10-04 05:00"),  # 6 h of real time
    # Saturday 24 October: Paris falls back at 03:00 to 02:00, its night lasts 11 h
    sydney_night("S1", "2026-10-24", hours=11),
    across("N1", PARIS, "2026-10-24 22:00", "2026-10-25 07:00"),  # 10 h of real time
    across("P1", PARIS, "2026-10-24 21:30", "2026-10-25 01:30"),  # ends just before it
    across("P1", PARIS, "2026-10-25 02:30", "2026-10-25 06:00", start_dst=False),  # 2nd 02:30
]


def change_night_feeds() -> list[tuple[bytes, list[Shift]]]:
    """Each adviser's feed and each team's, with the shifts it must show."""
    scenario = night_team_scenario()
    feeds = []
    for a in scenario.advisers:
        mine = [s for s in CHANGE_NIGHTS if s.adviser_id == a.id]
        feeds.append((adviser_feed(scenario, a.id, CHANGE_NIGHTS, now=NOW).body, mine))
    for team in scenario.teams:
        members = {a.id for a in scenario.advisers if a.team == team.name}
        theirs = [s for s in CHANGE_NIGHTS if s.adviser_id in members]
        feeds.append((team_feed(scenario, team.name, CHANGE_NIGHTS, now=NOW).body, theirs))
    return feeds


def test_the_change_nights_last_as_long_as_the_clocks_say() -> None:
    hours = [(s.end - s.start).total_seconds() / 3600 for s in CHANGE_NIGHTS]
    assert hours == [9, 8, 2.5, 10, 8, 10, 6, 11, 10, 4, 3.5]


def test_icalendar_reads_the_rosters_instants_across_the_four_clock_changes() -> None:
    for body, shifts in change_night_feeds():
        assert icalendar_spans(body) == spans(shifts)


def test_icaljs_reads_the_rosters_instants_across_the_four_clock_changes() -> None:
    feeds = change_night_feeds()
    read = icaljs_read(*(body for body, _ in feeds))
    for (_, shifts), feed in zip(feeds, read, strict=True):
        assert spans_read(feed) == spans(shifts)


def test_icaljs_reads_the_local_times_in_the_advisers_zone() -> None:
    scenario = night_team_scenario()
    body = adviser_feed(scenario, "S1", CHANGE_NIGHTS, now=NOW).body
    (feed,) = icaljs_read(body)
    assert feed["timezones"] == [SYDNEY]
    assert {e["start_zone"] for e in feed["events"]} == {SYDNEY}
    assert feed["properties"]["x-wr-timezone"] == SYDNEY
    assert feed["properties"]["refresh-interval"] == "PT15M"


def test_icaljs_reads_an_hour_before_paris_falls_back_on_the_summer_clock() -> None:
    """01:30 on 25 October 2026 is still summer time in Paris (23:30 UTC): a VTIMEZONE whose
    change is written on the winter clock (as icalendar 7.3 writes it) puts it at 00:30 UTC."""
    late = across("P1", PARIS, "2026-10-24 21:30", "2026-10-25 01:30")
    assert late.end == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert icaljs_spans(adviser_feed(night_team_scenario(), "P1", [late], now=NOW).body) == [
        (late.start, late.end)
    ]


# --- the example weeks ---------------------------------------------------------------------------


def sydney_nights(monday: str, scenario_folder: Path) -> tuple[Scenario, list[Shift]]:
    """Every Sydney adviser of an example week on every Paris night of it, 22:00 to 08:00 Paris
    time whatever its length."""
    scenario = load_scenario(scenario_folder)
    shifts = []
    for a in scenario.advisers:
        if a.team != "sydney":
            continue
        for n in range(7):
            evening, morning = day(monday, n), day(monday, n + 1)
            start, end = at(f"{evening} 22:00", PARIS), at(f"{morning} 08:00", PARIS)
            hours = (end - start).total_seconds() / 3600
            shifts.append(shift(a.id, start, sydney_blocks(hours)))
    return scenario, shifts


@pytest.mark.parametrize("monday", [SPRING_MONDAY, AUTUMN_MONDAY])
def test_the_sydney_night_team_of_the_example_weeks_reads_the_same_in_both_parsers(
    monday: str,
) -> None:
    scenario, shifts = sydney_nights(monday, EXAMPLES / f"airline_week_{monday}")
    body = team_feed(scenario, "sydney", shifts, now=NOW).body
    assert {round((e - s).total_seconds() / 3600) for s, e in spans(shifts)} == {
        SPRING_MONDAY: {10, 9},
        AUTUMN_MONDAY: {10, 11},
    }[monday]
    assert icalendar_spans(body) == spans(shifts)
    assert icaljs_spans(body) == spans(shifts)


# --- many shifts in many zones -------------------------------------------------------------------

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_MINUTES = 365 * 24 * 60
ZONES = [
    PARIS,
    SYDNEY,
    "Australia/Lord_Howe",  # a half-hour change
    "America/Santiago",  # changes at midnight
    "America/St_Johns",  # offset of -3:30
    "Asia/Kathmandu",  # +5:45, no change
    "Pacific/Chatham",  # +12:45 / +13:45
    "Europe/London",
    "America/New_York",
    "UTC",
]


def many_zones_scenario() -> Scenario:
    teams = [paris_team(name=f"t{n}", timezone=zone) for n, zone in enumerate(ZONES)]
    advisers = [adviser(f"A{n}", team=f"t{n}") for n in range(len(ZONES))]
    return parse_scenario(scenario_dict(teams=teams, advisers=advisers))


def random_shifts(seed: int, count: int) -> list[Shift]:
    """Shifts of the advisers of `many_zones_scenario`, half of them starting or ending within
    three hours of a clock change of their zone in 2026, on a 5-minute grid."""
    chance = random.Random(seed)
    out = []
    for _ in range(count):
        n = chance.randrange(len(ZONES))
        if CHANGES[ZONES[n]] and chance.random() < 0.5:
            centre = chance.choice(CHANGES[ZONES[n]])
            start = centre + timedelta(minutes=5 * chance.randint(-36, 36))
        else:
            start = YEAR + timedelta(minutes=5 * chance.randrange(YEAR_MINUTES // 5))
        minutes = 5 * chance.randint(1, 160)
        cut = 5 * chance.randint(0, minutes // 5)
        blocks = [("social", cut), ("phone", minutes - cut)] if 0 < cut < minutes else []
        out.append(
            shift(f"A{n}", start, blocks)
            if blocks
            else Shift(f"A{n}", start, start + timedelta(minutes=minutes))
        )
    return out


def _changes_2026() -> dict[str, list[datetime]]:
    """The hours of 2026 (UTC) at which each zone's offset has just changed."""
    out = {}
    for zone in ZONES:
        tz = pytz.timezone(zone)
        out[zone] = []
        for d in range(365):  # days first, then the hours of a day whose offset changed
            midnight = YEAR + timedelta(days=d)
            hours = [midnight + timedelta(hours=h) for h in range(25)]
            offsets = [t.astimezone(tz).utcoffset() for t in (hours[0], hours[24])]
            if offsets[0] != offsets[1]:
                out[zone] += [
                    t
                    for t, before in zip(hours[1:], hours, strict=False)
                    if t.astimezone(tz).utcoffset() != before.astimezone(tz).utcoffset()
                ]
    return out


SCENARIO = many_zones_scenario()


def test_icaljs_reads_every_instant_of_many_shifts_in_many_zones() -> None:
    shifts = random_shifts(seed=5, count=200)
    before = YEAR - timedelta(days=1)  # every shift is ahead
    body = shifts_feed(SCENARIO, shifts, now=before, name="all", timezone=PARIS).body
    assert icalendar_spans(body) == spans(shifts)
    assert icaljs_spans(body) == spans(shifts)


CHANGES = _changes_2026()
NEAR_A_CHANGE = [(n, t) for n, zone in enumerate(ZONES) for t in CHANGES[zone]]


@st.composite
def shifts_anywhere(draw: st.DrawFn) -> Shift:
    """A shift of one of the advisers of `many_zones_scenario`, at any second of 2026 or near a
    clock change of their zone, lasting a second to a day, with one or two blocks or none."""
    if draw(st.booleans()):
        n, centre = draw(st.sampled_from(NEAR_A_CHANGE))
        start = centre + timedelta(seconds=draw(st.integers(-4 * 3600, 4 * 3600)))
    else:
        n = draw(st.integers(0, len(ZONES) - 1))
        start = YEAR + timedelta(seconds=draw(st.integers(0, YEAR_MINUTES * 60)))
    seconds = draw(st.integers(1, 24 * 3600))
    end = start + timedelta(seconds=seconds)
    cut = start + timedelta(seconds=draw(st.integers(0, seconds)))
    if start < cut < end:
        blocks = (Activity("social", start, cut), Activity("break", cut, end))
    else:
        blocks = draw(st.sampled_from([(), (Activity("phone", start, end),)]))
    return Shift(f"A{n}", start, end, blocks)


@settings(max_examples=40, deadline=None)
@given(shifts=st.lists(shifts_anywhere(), max_size=6))
def test_any_shifts_read_back_by_icalendar_are_the_same_instants(shifts: list[Shift]) -> None:
    before = YEAR - timedelta(days=1)  # every shift is ahead
    body = shifts_feed(SCENARIO, shifts, now=before, name="any", timezone=PARIS).body
    assert icalendar_spans(body) == spans(shifts)


# --- the second reader ---------------------------------------------------------------------------


def test_without_node_the_icaljs_tests_skip_unless_ci_requires_them(monkeypatch) -> None:
    monkeypatch.setattr(feed_helpers.shutil, "which", lambda name: None)
    monkeypatch.delenv(feed_helpers.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="need Node"):
        icaljs_read(b"")
    monkeypatch.setenv(feed_helpers.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="ROSTER_REQUIRE_ICALJS=1 but"):
        icaljs_read(b"")
