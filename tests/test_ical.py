"""What a feed holds: the calendar, one event per shift on the adviser's clock, UIDs, zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import pytz
from icalendar import Calendar

import api.ical
from api.ical import (
    CONTENT_TYPE,
    adviser_feed,
    etag,
    event_uid,
    shifts_feed,
    team_feed,
)
from roster.io import parse_scenario
from roster.solution import Shift
from tests.factories import (
    PARIS,
    SYDNEY,
    adviser,
    at,
    paris_day,
    scenario_dict,
    shift,
    sydney_night,
)
from tests.feed_helpers import airline, icalendar_events, icalendar_spans

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def the_event(body: bytes):
    (event,) = icalendar_events(body)
    return event


# --- the calendar ------------------------------------------------------------------------------


def test_the_calendar_says_what_it_is_and_how_often_to_refresh() -> None:
    body = adviser_feed(airline(), "P1", [paris_day("P1", "2026-03-24")], now=NOW).body
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == api.ical.PRODID
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Roster - Camille"
    assert calendar["X-WR-TIMEZONE"] == PARIS
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT15M\r\n" in body


def test_feeds_are_served_as_utf8_calendars_with_a_strong_etag_of_their_bytes() -> None:
    assert CONTENT_TYPE == "text/calendar; charset=utf-8"
    assert etag(b"a") == etag(b"a") != etag(b"b")
    assert etag(b"a").startswith('"') and etag(b"a").endswith('"')  # strong: no W/ prefix


def test_an_adviser_without_shifts_has_a_valid_feed_with_their_zone() -> None:
    body = adviser_feed(airline(), "S1", [], now=NOW).body
    calendar = Calendar.from_ical(body)
    assert calendar.walk("VEVENT") == []
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [SYDNEY]


# --- events --------------------------------------------------------------------------------------


def test_a_shift_is_one_event_on_the_advisers_own_clock() -> None:
    night = sydney_night("S1", "2026-03-24")  # 22:00 Paris = 08:00 Sydney
    event = the_event(adviser_feed(airline(), "S1", [night], now=NOW).body)
    assert event["DTSTART"].params["TZID"] == SYDNEY
    assert event.start == night.start
    assert event.end == night.end
    assert event.start.astimezone(pytz.timezone(SYDNEY)).strftime("%a %H:%M") == "Wed 08:00"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0


def test_the_summary_gives_the_channels_in_the_order_first_worked() -> None:
    phone_first = shift(
        "P1", at("2026-03-24 09:00", PARIS), [("phone", 60), ("social", 120), ("phone", 60)]
    )
    event = the_event(adviser_feed(airline(), "P1", [phone_first], now=NOW).body)
    assert event["SUMMARY"] == "Phone / Social media"


def test_a_channel_without_label_is_shown_capitalised() -> None:
    chat = shift("P1", at("2026-03-24 09:00", PARIS), [("chat", 120), ("social", 60)])
    event = the_event(adviser_feed(airline(), "P1", [chat], now=NOW).body)
    assert event["SUMMARY"] == "Chat / Social media"


def test_the_description_lists_the_blocks_on_the_advisers_clock() -> None:
    day = shift(
        "P1", at("2026-03-24 08:00", PARIS), [("social", 240), ("break", 30), ("phone", 210)]
    )
    event = the_event(adviser_feed(airline(), "P1", [day], now=NOW).body)
    assert str(event["DESCRIPTION"]) == (
        "Social media 08:00-12:00\nBreak 12:00-12:30\nPhone 12:30-16:00"
    )


def test_back_to_back_blocks_on_one_channel_are_one_line() -> None:
    blocks = [("social", 60), ("social", 60), ("phone", 60)]
    day = shift("P1", at("2026-03-24 08:00", PARIS), blocks)
    event = the_event(adviser_feed(airline(), "P1", [day], now=NOW).body)
    assert str(event["DESCRIPTION"]) == "Social media 08:00-10:00\nPhone 10:00-11:00"


def test_a_shift_without_blocks_is_described_by_its_hours() -> None:
    bare = Shift("P1", at("2026-03-24 08:00", PARIS), at("2026-03-24 12:00", PARIS))
    event = the_event(adviser_feed(airline(), "P1", [bare], now=NOW).body)
    assert event["SUMMARY"] == "Shift"
    assert str(event["DESCRIPTION"]) == "Shift 08:00-12:00"


def test_the_location_is_the_team() -> None:
    event = the_event(adviser_feed(airline(), "P1", [paris_day("P1", "2026-03-24")], now=NOW).body)
    assert event["LOCATION"] == "paris"


def test_events_are_stamped_with_their_last_change() -> None:
    event = the_event(adviser_feed(airline(), "P1", [paris_day("P1", "2026-03-24")], now=NOW).body)
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == event["CREATED"].dt == NOW


# --- UIDs ----------------------------------------------------------------------------------------


def test_the_uid_is_the_adviser_and_the_local_date_the_shift_starts_on() -> None:
    night = sydney_night("S1", "2026-03-24")  # Tuesday evening in Paris, Wednesday in Sydney
    event = the_event(adviser_feed(airline(), "S1", [night], now=NOW).body)
    assert event["UID"] == "shift-20260325-S1@roster"


def test_the_uid_ends_with_the_given_domain() -> None:
    feed = adviser_feed(
        airline(), "P1", [paris_day("P1", "2026-03-24")], now=NOW, domain="roster.example.org"
    )
    assert the_event(feed.body)["UID"] == "shift-20260324-P1@roster.example.org"


def test_two_shifts_starting_on_one_local_date_are_numbered_in_start_order() -> None:
    morning = shift("P1", at("2026-03-24 08:00", PARIS), [("social", 120)])
    evening = shift("P1", at("2026-03-24 18:00", PARIS), [("phone", 120)])
    events = icalendar_events(adviser_feed(airline(), "P1", [evening, morning], now=NOW).body)
    assert [(e["UID"], e["SUMMARY"]) for e in events] == [
        (event_uid("P1", date(2026, 3, 24)), "Social media"),
        (event_uid("P1", date(2026, 3, 24), 2), "Phone"),
    ]


# --- time zones ----------------------------------------------------------------------------------


def test_each_zone_used_has_its_vtimezone() -> None:
    crisis = [paris_day("P1", "2026-03-24"), sydney_night("S1", "2026-03-24")]
    body = shifts_feed(airline(), crisis, now=NOW, name="Surge", timezone=PARIS).body
    zones = [str(tz["TZID"]) for tz in Calendar.from_ical(body).walk("VTIMEZONE")]
    assert zones == [SYDNEY, PARIS]  # in name order


@pytest.mark.parametrize("zone", [PARIS, SYDNEY, "Australia/Lord_Howe", "America/Santiago"])
def test_each_vtimezone_change_is_read_on_the_clock_before_it(zone: str) -> None:
    """RFC 5545 3.6.5: an observance's DTSTART is local time with TZOFFSETFROM. So DTSTART less
    TZOFFSETFROM must be the UTC instant the zone's offset changes from FROM to TO."""
    body = shifts_feed(airline(), [], now=NOW, name="zone", timezone=zone).body
    (vtimezone,) = Calendar.from_ical(body).walk("VTIMEZONE")
    tz = pytz.timezone(zone)
    changes = 0
    for observance in vtimezone.subcomponents:
        before = observance["TZOFFSETFROM"].td
        after = observance["TZOFFSETTO"].td
        change = (observance["DTSTART"].dt - before).replace(tzinfo=UTC)
        assert change.astimezone(tz).utcoffset() == after
        if before != after:
            changes += 1
            assert (change - timedelta(seconds=1)).astimezone(tz).utcoffset() == before
    assert changes == 2  # a year of one of these zones has two clock changes


def test_the_vtimezone_starts_before_the_first_event_and_ends_after_the_last() -> None:
    early = shift("P1", at("2026-01-01 08:00", PARIS), [("social", 60)])
    late = shift("P1", at("2027-12-31 20:00", PARIS), [("social", 60)])
    body = adviser_feed(airline(), "P1", [early, late], now=NOW - timedelta(days=90)).body
    (vtimezone,) = Calendar.from_ical(body).walk("VTIMEZONE")
    onsets = [o["DTSTART"].dt for o in vtimezone.subcomponents]
    assert min(onsets) < datetime(2026, 1, 1)
    assert [o.month for o in onsets[1:]] == [3, 10, 3, 10]  # both years' changes


def test_a_wall_clock_time_that_happens_twice_is_written_in_utc() -> None:
    """At 03:00 on 25 October 2026 Paris goes back to 02:00: 02:30 happens twice, and parsers
    disagree on which one a local 02:30 means, so the event says it in UTC."""
    second = at("2026-10-25 02:30", PARIS, is_dst=False)
    night = shift("P1", second - timedelta(hours=4), [("social", 240), ("phone", 60)])
    event = the_event(adviser_feed(airline(), "P1", [night], now=NOW).body)
    assert "TZID" in event["DTSTART"].params
    assert event.end == second + timedelta(hours=1)
    assert "TZID" in event["DTEND"].params  # 03:30 happens once
    repeated = shift("P1", second, [("social", 60)])
    event = the_event(adviser_feed(airline(), "P1", [repeated], now=NOW).body)
    assert "TZID" not in event["DTSTART"].params
    assert event.start == second


# --- the window ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_before_now", "shown"),
    [(timedelta(weeks=4) - timedelta(minutes=1), True), (timedelta(weeks=4), False)],
)
def test_the_feed_holds_the_last_four_weeks(ends_before_now: timedelta, shown: bool) -> None:
    end = NOW - ends_before_now
    past = Shift("P1", end - timedelta(hours=2), end)
    future = shift("P1", NOW + timedelta(days=400), [("social", 60)])
    body = adviser_feed(airline(), "P1", [past, future], now=NOW).body
    expected = [(past.start, past.end)] if shown else []
    assert icalendar_spans(body) == [*expected, (future.start, future.end)]


# --- whose shifts --------------------------------------------------------------------------------


def test_an_advisers_feed_leaves_out_the_other_advisers() -> None:
    roster = [paris_day("P1", "2026-03-24"), paris_day("P2", "2026-03-24")]
    events = icalendar_events(adviser_feed(airline(), "P2", roster, now=NOW).body)
    assert [e["UID"] for e in events] == ["shift-20260324-P2@roster"]


def test_a_team_feed_holds_its_advisers_each_named() -> None:
    roster = [
        paris_day("P1", "2026-03-24"),
        paris_day("P2", "2026-03-25"),
        sydney_night("S1", "2026-03-24"),
    ]
    feed = team_feed(airline(), "paris", roster, now=NOW)
    calendar = Calendar.from_ical(feed.body)
    assert calendar["X-WR-CALNAME"] == "Roster - team paris"
    assert calendar["X-WR-TIMEZONE"] == PARIS
    assert [e["SUMMARY"] for e in calendar.walk("VEVENT")] == [
        "Camille: Social media / Phone",
        "Hugo: Social media / Phone",
    ]


def test_a_list_of_shifts_shows_each_in_its_advisers_zone() -> None:
    """The crisis feed of issue 6: any shifts, of advisers of any team."""
    surge = [paris_day("P2", "2026-03-24"), sydney_night("S1", "2026-03-24")]
    feed = shifts_feed(airline(), surge, now=NOW, name="Roster - surge", timezone=PARIS)
    calendar = Calendar.from_ical(feed.body)
    assert calendar["X-WR-CALNAME"] == "Roster - surge"
    events = calendar.walk("VEVENT")
    assert [(e["SUMMARY"], e["DTSTART"].params["TZID"]) for e in events] == [
        ("Hugo: Social media / Phone", PARIS),
        ("Lea: Social media", SYDNEY),
    ]


def test_an_adviser_without_a_name_is_shown_by_id() -> None:
    data = scenario_dict(advisers=[adviser("P9")])
    feed = team_feed(parse_scenario(data), "paris", [paris_day("P9", "2026-11-24")], now=NOW)
    assert the_event(feed.body)["SUMMARY"] == "P9: Social media / Phone"


# --- bad calls -----------------------------------------------------------------------------------


def test_a_shift_of_an_unknown_adviser_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown adviser 'Z9'"):
        shifts_feed(airline(), [paris_day("Z9", "2026-03-24")], now=NOW, name="x", timezone=PARIS)


def test_an_unknown_adviser_or_team_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown adviser 'Z9'"):
        adviser_feed(airline(), "Z9", [], now=NOW)
    with pytest.raises(ValueError, match="unknown team 'lyon'"):
        team_feed(airline(), "lyon", [], now=NOW)


def test_now_without_a_utc_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        adviser_feed(airline(), "P1", [], now=datetime(2026, 3, 20))
