"""The crisis cell's calendar: the surge duties of an incident's published plan (pure)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytz

from api.ical import DEFAULT_DOMAIN, EventDraft, Feed, FeedState, events_feed, merged_blocks
from roster.solution import BREAK, Activity, Shift

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Where a kind of surge duty sits in a plan's result: its `key`, the `source` named in
    UIDs, the keys naming who does it (the first present wins), the label after their name,
    the kind of an item that gives none, whether its duties are shifts of the roster (of the
    item's `adviser_id`), and the only kinds that are duties (None: all)."""

    key: str
    source: str
    who: tuple[str, ...]
    label: str
    kind: str
    rostered: bool = False
    kinds: tuple[str, ...] | None = None


SOURCES = (
    # a call-up of kind "move" takes a shift away: no duty
    Source("call_ups", "call_up", ("adviser_id",), "", "new", True, ("new", "extend")),
    Source("manager_duties", "manager", ("manager_id",), "manager", "duty"),
    Source("external", "external", ("pool",), "external", "booking"),
)
KINDS = {
    "new": "Call-up: a new shift",
    "extend": "Call-up: a longer shift (the part added)",
    "duty": "Manager on duty",
    "booking": "External booking",
}


@dataclass(frozen=True)
class SurgeDuty:
    """One stretch of surge work a plan asks of someone: a volunteer's call-up (a new shift,
    or the part added to a longer one), a manager's duty, an external booking.

    `source` and `who` name it from one plan to the next (with the local date it starts on);
    `start` and `end` are UTC; `adviser_id` is set when the duty is work of that adviser in the
    roster (a call-up): it shows while the published roster has it, with its blocks there;
    other duties show with the item's own `blocks`.
    """

    source: str
    who: str
    name: str
    team: str
    kind: str
    start: datetime
    end: datetime
    channels: tuple[str, ...] = ()
    hours: float | None = None
    useful_hours: float | None = None
    adviser_id: str | None = None
    blocks: tuple[Activity, ...] = ()


def surge_duties(result: Mapping[str, Any]) -> list[SurgeDuty]:
    """The duties a plan's result (`IncidentPlanRow.result`) adds, in start order: the
    call-ups that add work (kind `new` or `extend`), and the `manager_duties` and `external`
    bookings of plans that have them. A new kind of surge duty is one more line of `SOURCES`.

    Each item is read for `start` and `end` (ISO 8601 with an offset, the end after the start;
    an item without them is left out, and logged), `name`, `team`, `kind`, `channels` (or
    one `channel`), `advisers` (booked), `hours`, `useful_hours`, and `blocks`
    (`[{"channel", "start", "end"}]`, for people who are not on the roster); other keys are
    ignored.
    """
    duties = []
    for source in SOURCES:
        for item in result.get(source.key) or ():
            # what cannot be read is left out rather than failing the publication it is in
            duty = _duty(item, source) if isinstance(item, Mapping) else None
            if duty is None:
                log.warning("a %s of the plan has no readable start and end", source.source)
            elif source.kinds is None or duty.kind in source.kinds:
                duties.append(duty)
    return sorted(duties, key=lambda d: (d.start, d.source, d.who))


def _duty(item: Mapping[str, Any], source: Source) -> SurgeDuty | None:
    try:
        start, end = _instant(item["start"]), _instant(item["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if end <= start:
        return None
    who = next((str(item[k]) for k in source.who if item.get(k)), source.source)
    name = str(item.get("name") or who)
    if item.get("advisers"):  # an outsourcer's booking: how many of theirs
        name = f"{name}, {item['advisers']} advisers"
    adviser_id = item.get("adviser_id") if source.rostered else None
    blocks = []
    for block in item.get("blocks") or ():
        try:
            channel = str(block.get("channel") or block.get("kind") or "")
            blocks.append(Activity(channel, _instant(block["start"]), _instant(block["end"])))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # the duty shows without that block rather than not at all
    return SurgeDuty(
        source=source.source,
        who=who,
        name=f"{name} ({source.label})" if source.label else name,
        team=str(item.get("team") or ""),
        kind=str(item.get("kind") or source.kind),
        start=start,
        end=end,
        channels=tuple(str(c) for c in item.get("channels") or [item.get("channel")] if c),
        hours=_number(item.get("hours")),
        useful_hours=_number(item.get("useful_hours")),
        adviser_id=None if adviser_id is None else str(adviser_id),
        blocks=tuple(blocks),
    )


def published_duties(results: Iterable[Mapping[str, Any]]) -> list[SurgeDuty]:
    """The duties of an incident's published plans (their results, in the order published).

    A plan's call-ups are what it changed in the roster it started from, which may be an
    earlier plan of the incident, so the call-ups of every plan published count; a later one
    replaces an earlier one of the same person that it overlaps (its figures are newer), and
    `in_roster` then keeps what the published roster still works. Duties off the roster
    (managers', external bookings) are the last plan's, as it states them whole.
    """
    rostered: list[SurgeDuty] = []
    others: list[SurgeDuty] = []
    for result in results:
        duties = surge_duties(result)
        others = [d for d in duties if d.adviser_id is None]
        newer = [d for d in duties if d.adviser_id is not None]
        rostered = [d for d in rostered if not any(_same_work(d, n) for n in newer)] + newer
    return sorted([*rostered, *others], key=lambda d: (d.start, d.source, d.who))


def _same_work(a: SurgeDuty, b: SurgeDuty) -> bool:
    return (a.source, a.who) == (b.source, b.who) and a.start < b.end and b.start < a.end


def in_roster(duties: Iterable[SurgeDuty], shifts: Iterable[Shift]) -> list[SurgeDuty]:
    """The duties still worked in a roster's `shifts` (the week's published roster), each with
    its adviser's blocks there cut to its span; a duty of no adviser is kept as it is.

    A plan's call-ups are what it changed in the roster it was published as; a roster
    published later (a week's solve, another incident's plan) may keep that work or drop it,
    and the crisis feed shows what is worked, as the advisers' feeds do.
    """
    by_adviser: dict[str, list[Shift]] = {}
    for shift in shifts:
        by_adviser.setdefault(shift.adviser_id, []).append(shift)
    out = []
    for duty in duties:
        if duty.adviser_id is None:
            out.append(duty)
            continue
        mine = sorted(by_adviser.get(duty.adviser_id, []), key=lambda s: s.start)
        if not _covers(mine, duty.start, duty.end):
            continue
        cut = [
            Activity(a.kind, max(a.start, duty.start), min(a.end, duty.end))
            for shift in mine
            for a in shift.activities
            if a.start < duty.end and duty.start < a.end
        ]
        out.append(replace(duty, blocks=tuple(sorted(cut, key=lambda a: a.start))))
    return out


def _covers(shifts: list[Shift], start: datetime, end: datetime) -> bool:
    """Whether the shifts (in start order) are worked over the whole of [start, end)."""
    reached = start
    for shift in shifts:
        if shift.start > reached:
            break
        reached = max(reached, shift.end)
    return reached >= end


def crisis_feed(
    duties: Iterable[SurgeDuty],
    state: FeedState | None = None,
    *,
    now: datetime,
    incident_id: int | str,
    incident_name: str,
    timezone: str,
    titles: Mapping[str, str],
    domain: str = DEFAULT_DOMAIN,
) -> Feed:
    """The crisis cell's feed of an incident: one event per duty, shown in `timezone` (the
    incident week's reference zone, IANA), summary `Surge: Hugo — Social media / Phone`.

    `state` is what the feed published last: duties the plan no longer has are cancelled.
    `titles` are the channels' titles by name; `now` (aware) is the instant of the build.
    """
    tz = pytz.timezone(timezone)
    drafts: dict[str, EventDraft] = {}
    for duty in sorted(duties, key=lambda d: (d.start, d.source, d.who)):
        day = duty.start.astimezone(tz).date()
        number = 1
        while (uid := surge_uid(incident_id, duty, day, number, domain)) in drafts:
            number += 1
        channels = duty.channels or tuple(dict.fromkeys(b.kind for b in duty.blocks))
        names = " / ".join(titles.get(c, c.capitalize()) for c in channels if c != BREAK)
        drafts[uid] = EventDraft(
            start=duty.start,
            end=duty.end,
            timezone=timezone,
            summary=f"Surge: {duty.name} — {names}" if names else f"Surge: {duty.name}",
            description=_description(duty, tz, titles),
            location=duty.team,
        )
    return events_feed(drafts, state, now=now, name=f"Surge - {incident_name}", timezone=timezone)


def surge_uid(
    incident_id: int | str,
    duty: SurgeDuty,
    day: date,
    number: int = 1,
    domain: str = DEFAULT_DOMAIN,
) -> str:
    """The UID of a duty: the incident, the kind of duty, who, and the local date it starts on
    (the reference clock), so that a re-plan that moves Hugo's Tuesday call-up updates the
    Tuesday event (SEQUENCE + 1) rather than cancelling it beside a new one. The incident is
    the service's id, or a name on the command line.

    >>> nine = datetime(2026, 11, 24, 9, tzinfo=UTC)
    >>> duty = SurgeDuty("call_up", "P2", "Hugo", "paris", "new", nine, nine.replace(hour=13))
    >>> surge_uid(7, duty, date(2026, 11, 24))
    'surge-7-call_up-20261124-P2@roster'
    """
    suffix = "" if number == 1 else f".{number}"
    who = re.sub(r"[^A-Za-z0-9_.-]+", "-", duty.who).strip("-") or duty.source
    incident = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(incident_id)).strip("-") or "incident"
    return f"surge-{incident}-{duty.source}-{day:%Y%m%d}{suffix}-{who}@{domain}"


def _description(duty: SurgeDuty, tz: pytz.BaseTzInfo, titles: Mapping[str, str]) -> str:
    """Who (id, team), what kind of duty, one line per block on the reference clock, and the
    useful hours: what the crisis cell needs to ring the person."""
    who = duty.name if duty.adviser_id is None else f"{duty.name}, adviser {duty.adviser_id}"
    lines = [f"{who}, team {duty.team}" if duty.team else who]
    lines.append(KINDS.get(duty.kind, duty.kind.capitalize()))
    for block in merged_blocks(duty.blocks) or [Activity("", duty.start, duty.end)]:
        if block.kind == BREAK:
            title = "Break"
        elif block.kind:
            title = titles.get(block.kind, block.kind.capitalize())
        else:
            channels = [titles.get(c, c.capitalize()) for c in duty.channels]
            title = " / ".join(channels) or "Surge"
        lines.append(f"{title} {_clock(block.start, tz)}-{_clock(block.end, tz)}")
    if duty.useful_hours is not None:
        of = "" if duty.hours is None else f" of {duty.hours:g}"
        lines.append(f"Useful hours: {duty.useful_hours:g}{of}")
    lines.append(f"Times in {tz.zone}")
    return "\n".join(lines)


def _clock(instant: datetime, tz: pytz.BaseTzInfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def _instant(value: Any) -> datetime:
    instant = datetime.fromisoformat(str(value))
    if instant.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return instant.astimezone(UTC)


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
