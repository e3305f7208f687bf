"""Re-publishing: same UIDs, SEQUENCE up for changes only, CANCELLED for 14 days, same bytes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from api.ical import CANCELLED_GRACE, Changes, Feed, FeedState, adviser_feed, team_feed
from roster.solution import Shift
from tests.factories import PARIS, at, paris_day, shift
from tests.feed_helpers import airline, moved

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
LATER = NOW + timedelta(hours=6)
WEEK = [paris_day("P1", f"2026-03-{d}") for d in (23, 24, 25, 26, 27)]


def publish(shifts: list[Shift], state: FeedState | None = None, now: datetime = NOW) -> Feed:
    return adviser_feed(airline(), "P1", shifts, state, now=now)


def events(feed: Feed) -> dict[str, tuple[int, str, str]]:
    """UID -> (SEQUENCE, STATUS, SUMMARY)."""
    return {
        str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"]), str(e["SUMMARY"]))
        for e in Calendar.from_ical(feed.body).walk("VEVENT")
    }


def vevents(feed: Feed) -> dict[str, bytes]:
    """UID -> the VEVENT's bytes as written."""
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", feed.body, flags=re.DOTALL)
    return {re.search(rb"\r\nUID:(.*?)\r\n", b).group(1).decode(): b for b in blocks}


def test_the_same_roster_published_again_gives_the_same_bytes() -> None:
    first = publish(WEEK)
    again = publish(WEEK, first.state, now=LATER)
    assert again.body == first.body
    assert again.etag == first.etag
    assert again.last_modified == first.last_modified == NOW
    assert again.changes == Changes(unchanged=5)


def test_a_moved_shift_keeps_its_uid_and_only_its_sequence_grows() -> None:
    first = publish(WEEK)
    tuesday = "shift-20260324-P1@roster"
    second = publish([WEEK[0], moved(WEEK[1], 60), *WEEK[2:]], first.state, now=LATER)
    assert events(second).keys() == events(first).keys()
    assert {uid: seq for uid, (seq, _, _) in events(second).items()} == {
        uid: 1 if uid == tuesday else 0 for uid in events(first)
    }
    assert second.changes == Changes(updated=1, unchanged=4)
    assert second.last_modified == LATER


def test_unchanged_events_are_written_byte_for_byte_as_before() -> None:
    first = publish(WEEK)
    second = publish([WEEK[0], moved(WEEK[1], 60), *WEEK[2:]], first.state, now=LATER)
    before, after = vevents(first), vevents(second)
    changed = {uid for uid in before if before[uid] != after[uid]}
    assert changed == {"shift-20260324-P1@roster"}
    assert b"LAST-MODIFIED:20260320T180000Z" in after["shift-20260324-P1@roster"]


def test_a_moved_break_is_a_change() -> None:
    first = publish(WEEK)
    later_break = paris_day("P1", "2026-03-24", phone=60)  # same hours, other blocks
    second = publish([WEEK[0], later_break, *WEEK[2:]], first.state, now=LATER)
    assert events(second)["shift-20260324-P1@roster"][0] == 1


def test_a_channel_changed_is_a_change() -> None:
    social = shift("P1", at("2026-03-24 09:00", PARIS), [("social", 450)])
    first = publish([social])
    phone = shift("P1", at("2026-03-24 09:00", PARIS), [("phone", 450)])
    second = publish([phone], first.state, now=LATER)
    assert events(second) == {"shift-20260324-P1@roster": (1, "CONFIRMED", "Phone")}


def test_a_removed_shift_stays_as_cancelled_with_a_higher_sequence() -> None:
    first = publish(WEEK)
    second = publish([*WEEK[:2], *WEEK[3:]], first.state, now=LATER)
    assert events(second)["shift-20260325-P1@roster"] == (
        1,
        "CANCELLED",
        "Cancelled: Social media / Phone",
    )
    assert second.changes == Changes(cancelled=1, unchanged=4)
    wednesday = Calendar.from_ical(second.body).walk("VEVENT")[2]
    assert (wednesday.start, wednesday.end) == (WEEK[2].start, WEEK[2].end)
    assert wednesday["TRANSP"] == "TRANSPARENT"  # the slot is free again


@pytest.mark.parametrize(
    ("after_cancelling", "still_there"),
    [(CANCELLED_GRACE - timedelta(seconds=1), True), (CANCELLED_GRACE, False)],
)
def test_a_cancelled_event_leaves_the_feed_14_days_after(
    after_cancelling: timedelta, still_there: bool
) -> None:
    future = [paris_day("P1", "2026-05-04"), paris_day("P1", "2026-05-05")]
    first = publish(future)
    cancelled = publish(future[:1], first.state, now=LATER)
    later = publish(future[:1], cancelled.state, now=LATER + after_cancelling)
    assert ("shift-20260505-P1@roster" in events(later)) is still_there
    assert len(events(later)) == (2 if still_there else 1)


def test_a_cancelled_shift_put_back_is_confirmed_with_a_higher_sequence() -> None:
    first = publish(WEEK)
    cancelled = publish(WEEK[:4], first.state, now=LATER)
    back = publish(WEEK, cancelled.state, now=LATER + timedelta(hours=1))
    assert events(back)["shift-20260327-P1@roster"] == (2, "CONFIRMED", "Social media / Phone")


def test_a_shift_moved_to_another_day_is_a_cancellation_and_a_new_event() -> None:
    first = publish(WEEK[:1])
    second = publish([moved(WEEK[0], 24 * 60)], first.state, now=LATER)
    assert events(second) == {
        "shift-20260323-P1@roster": (1, "CANCELLED", "Cancelled: Social media / Phone"),
        "shift-20260324-P1@roster": (0, "CONFIRMED", "Social media / Phone"),
    }
    assert second.changes == Changes(new=1, cancelled=1)


def test_a_publication_for_one_week_leaves_the_other_weeks_as_they_were() -> None:
    """`roster ical` publishes one week at a time: next week's roster cancels none of this
    week's shifts."""
    this_week = (at("2026-03-23 00:00", PARIS), at("2026-03-30 00:00", PARIS))
    next_week = (this_week[1], at("2026-04-06 00:00", PARIS))
    following = [paris_day("P1", "2026-03-30"), paris_day("P1", "2026-03-31")]
    first = adviser_feed(airline(), "P1", WEEK, now=NOW, scope=this_week)
    second = adviser_feed(airline(), "P1", following, first.state, now=LATER, scope=next_week)
    assert {seq for seq, _, _ in events(second).values()} == {0}
    assert len(events(second)) == 7
    assert second.changes == Changes(new=2, unchanged=5)


def test_a_shift_outside_the_scope_given_is_refused() -> None:
    this_week = (at("2026-03-23 00:00", PARIS), at("2026-03-30 00:00", PARIS))
    with pytest.raises(ValueError, match="starts outside the scope"):
        adviser_feed(airline(), "P1", [paris_day("P1", "2026-03-30")], now=NOW, scope=this_week)


def test_an_event_leaving_the_window_is_dropped_not_cancelled() -> None:
    first = publish(WEEK)
    month_later = NOW + timedelta(weeks=6)  # the week ended more than 4 weeks ago
    second = publish([], first.state, now=month_later)
    assert events(second) == {}
    assert second.state.events == {}
    assert second.last_modified == month_later


def test_the_state_read_back_from_json_gives_the_same_feed() -> None:
    first = publish(WEEK)
    stored = json.loads(json.dumps(first.state.to_json()))
    again = publish(WEEK, FeedState.from_json(stored), now=LATER)
    assert again.body == first.body
    assert again.state == first.state


def test_a_team_feed_counts_its_own_sequences() -> None:
    roster = [paris_day("P1", "2026-03-24"), paris_day("P2", "2026-03-24")]
    first = team_feed(airline(), "paris", roster, now=NOW)
    changed = [roster[0], moved(roster[1], 30)]
    second = team_feed(airline(), "paris", changed, first.state, now=LATER)
    assert {uid: seq for uid, (seq, _, _) in events(second).items()} == {
        "shift-20260324-P1@roster": 0,
        "shift-20260324-P2@roster": 1,
    }
