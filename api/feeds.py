"""Calendar feeds in the service: private addresses, built at publication, served as stored.

A feed's address is `/feeds/{secret}.ics`; the secret is the only credential, because calendar
apps subscribe to a bare URL and cannot send a bearer token. It is 192 random bits, shown once
when made, and stored as its SHA-256 only, as bearer tokens are (`api.auth`): nothing can guess
2**192 possibilities, so a fast hash loses nothing and keeps each poll to one indexed lookup.
Rotating replaces the hash, so the old address stops working at once; revoking clears it. A
team's feed, for its supervisors, works the same way: a supervisor makes its address; and so
does an incident's, for the crisis cell: the surge duties of the incident's published plan
(`api.crisis_feed`).

Feeds are built when a roster is published, in the publishing transaction: a feed never shows
a roster that was not published (a publication that fails leaves the feeds as they were) and
no publication is lost (one that commits has rebuilt them). The feed rows are locked first, so
that two publications of different weeks touching one adviser build one after the other, the
second from the first's state and with its roster in view. A feed also rebuilds, whole, when
read a day or more after it was built, as its window slides and cancelled events expire; that
also catches the one race left: a feed made for the first time while a publication commits
may miss that publication until then. An incident's feed is rebuilt, whole, by every
publication of its week: the roster published may be the incident's plan, or one that replaces
it and keeps or drops the plan's call-ups, which the feed then keeps or cancels, as the advisers'
feeds keep or cancel their shifts.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.crisis_feed import crisis_feed, in_roster, published_duties
from api.db import now as utc_now
from api.errors import NotFound
from api.ical import PAST, Feed, FeedState, Scope, adviser_feed, team_feed
from api.incident_models import IncidentPlanRow, IncidentRow
from api.models import (
    ActivityRow,
    AdviserRow,
    ChannelRow,
    FeedRow,
    JobRow,
    ShiftRow,
    TeamRow,
    VersionRow,
    WeekRow,
)
from roster.model import Adviser, Channel, Scenario, Team, Week
from roster.solution import Activity, Shift

STALE = timedelta(days=1)  # a feed read this long after its build is built again first
SECRET_BYTES = 24  # 192 bits, 32 URL-safe characters


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ addresses


def make_address(
    session: Session,
    *,
    adviser_id: str | None = None,
    team: str | None = None,
    incident_id: int | None = None,
) -> tuple[FeedRow, str]:
    """Give an adviser's, a team's or an incident's feed a new secret (the old one stops
    working) and return the row and the secret, which is never stored. A feed made for the
    first time is built from the published rosters. One commit; NotFound if there is no such
    adviser, team or incident."""
    if [adviser_id, team, incident_id].count(None) != 2:
        raise ValueError("one of an adviser, a team and an incident")
    if adviser_id is not None and session.get(AdviserRow, adviser_id) is None:
        raise NotFound(f"no adviser {adviser_id!r}")
    if team is not None and session.get(TeamRow, team) is None:
        raise NotFound(f"no team {team!r}")
    if incident_id is not None and session.get(IncidentRow, incident_id) is None:
        raise NotFound(f"no incident {incident_id}")
    row = _find(session, adviser_id=adviser_id, team=team, incident_id=incident_id)
    instant = utc_now()
    if row is None:
        row = FeedRow(
            adviser_id=adviser_id,
            team=team,
            incident_id=incident_id,
            state={},
            body=b"",
            etag="",
        )
        _build(session, [row], now=instant)  # before the address exists: never served empty
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row.secret_hash, row.secret_created_at = secret_hash(secret), instant
    session.add(row)
    session.commit()
    session.refresh(row)
    return row, secret


def revoke_address(
    session: Session,
    *,
    adviser_id: str | None = None,
    team: str | None = None,
    incident_id: int | None = None,
) -> None:
    """The feed's address stops working; the feed's state is kept, so a new address later
    shows the same events with their sequence. NotFound if the feed has no address."""
    row = _find(session, adviser_id=adviser_id, team=team, incident_id=incident_id)
    if row is None or row.secret_hash is None:
        raise NotFound("no feed address to revoke")
    row.secret_hash = row.secret_created_at = None
    session.add(row)
    session.commit()


def _find(
    session: Session, *, adviser_id: str | None, team: str | None, incident_id: int | None
) -> FeedRow | None:
    query = select(FeedRow)
    if adviser_id is not None:
        query = query.where(FeedRow.adviser_id == adviser_id)
    elif team is not None:
        query = query.where(FeedRow.team == team)
    else:
        query = query.where(FeedRow.incident_id == incident_id)
    return session.exec(query).first()


# ------------------------------------------------------------------------------ serving


@dataclass(frozen=True)
class Stored:
    """What a feed's address serves: its ETag, Last-Modified (UTC) and, once read, its body."""

    id: int
    etag: str
    last_modified: datetime
    body: bytes | None = None


def lookup(session: Session, secret: str) -> Stored:
    """The feed at `secret`, without its body unless it was built again (a day old) first.

    NotFound, saying nothing more, for any secret that is not a feed's current one.
    """
    found = session.exec(
        select(FeedRow.id, FeedRow.etag, FeedRow.last_modified, FeedRow.built_at).where(
            FeedRow.secret_hash == secret_hash(secret)
        )
    ).first()
    if found is None:
        raise NotFound("not found")  # the same answer for a secret never made, rotated, revoked
    feed_id, etag, last_modified, built_at = found
    now = utc_now()
    if now - built_at < STALE:
        return Stored(feed_id, etag, last_modified)
    row = session.get(FeedRow, feed_id)
    if row is None:
        raise NotFound("not found")
    return _rebuild_on_read(session, row, now=now)


def with_body(session: Session, feed: Stored) -> Stored:
    """The feed with its body, read with its ETag so the two always agree."""
    if feed.body is not None:
        return feed
    found = session.exec(
        select(FeedRow.body, FeedRow.etag, FeedRow.last_modified).where(FeedRow.id == feed.id)
    ).first()
    if found is None:
        raise NotFound("not found")
    body, etag, last_modified = found
    return Stored(feed.id, etag, last_modified, body)


def _rebuild_on_read(session: Session, row: FeedRow, *, now: datetime) -> Stored:
    """Build a stale feed and store it unless another build (a publication) came first: a
    compare-and-set on `builds`, so a read never writes back a state older than the stored."""
    assert row.id is not None
    feed_id, seen, secret = row.id, row.builds, row.secret_hash
    session.expunge(row)  # built aside; stored by the compare-and-set below
    _build(session, [row], now=now)
    moved = session.exec(  # type: ignore[call-overload]
        update(FeedRow)
        .where(col(FeedRow.id) == feed_id, col(FeedRow.builds) == seen)
        .values(
            state=row.state,
            body=row.body,
            etag=row.etag,
            last_modified=row.last_modified,
            built_at=row.built_at,
            builds=seen + 1,
        )
    )
    session.commit()
    if moved.rowcount == 1:
        return Stored(feed_id, row.etag, row.last_modified, row.body)
    fresh = session.get(FeedRow, feed_id)
    if fresh is None or fresh.secret_hash != secret:
        raise NotFound("not found")  # rotated or revoked meanwhile
    return Stored(feed_id, fresh.etag, fresh.last_modified, fresh.body)


# ------------------------------------------------------------------------------ building


def rebuild_for_publication(session: Session, version_ids: Sequence[int]) -> int:
    """Rebuild, in the caller's transaction, the feeds of the advisers with shifts in the
    versions (the one published and the one it supersedes), of their teams, and of the
    incidents of their weeks; how many.

    Only the span of those shifts is derived again (`scope` of `api.ical`): the events of
    other weeks are kept as they are, so a publication costs a week's events per feed, not a
    year's. An incident's feed, a week's at most, is built whole.
    """
    starts: dict[str, list[datetime]] = {}
    for adviser_id, start in session.exec(
        select(ShiftRow.adviser_id, ShiftRow.start).where(col(ShiftRow.version_id).in_(version_ids))
    ):
        starts.setdefault(adviser_id, []).append(start)
    weeks = select(VersionRow.week_id).where(col(VersionRow.id).in_(version_ids))
    incidents = set(session.exec(select(IncidentRow.id).where(col(IncidentRow.week_id).in_(weeks))))
    if not starts and not incidents:
        return 0
    every = [t for ts in starts.values() for t in ts]
    scope = (min(every), max(every) + timedelta(seconds=1)) if every else None
    teams = set(
        session.exec(select(AdviserRow.team).where(col(AdviserRow.id).in_(starts)).distinct())
    )
    rows = list(
        session.exec(
            select(FeedRow)
            .where(
                col(FeedRow.adviser_id).in_(starts)
                | col(FeedRow.team).in_(teams)
                | col(FeedRow.incident_id).in_(incidents)
            )
            .order_by(col(FeedRow.id))
            .with_for_update()  # in id order: concurrent publications cannot deadlock
        )
    )
    _build(session, rows, now=utc_now(), scope=scope)
    return len(rows)


def _build(
    session: Session, rows: Sequence[FeedRow], *, now: datetime, scope: Scope | None = None
) -> None:
    """Build each feed from the published rosters and its previous state, into its row: the
    shifts starting in `scope` (UTC, end excluded), or all of them (None); an incident's feed
    whole, whatever the scope."""
    for row in rows:
        if row.incident_id is not None:
            _store(row, _incident_feed(session, row, now=now), now=now)
    rows = [r for r in rows if r.incident_id is None]
    if not rows:
        return
    teams = {r.team for r in rows if r.team is not None}
    solo = {r.adviser_id for r in rows if r.adviser_id is not None}
    advisers = list(
        session.exec(
            select(AdviserRow).where(col(AdviserRow.id).in_(solo) | col(AdviserRow.team).in_(teams))
        )
    )
    scenario = _scenario(session, advisers, teams, now=now)
    ids = [a.id for a in advisers]
    shifts = _published_shifts(session, ids, since=now - PAST - STALE, scope=scope)
    for row in rows:
        previous = FeedState.from_json(row.state) if row.state else None
        feed: Feed
        if row.adviser_id is not None:
            mine = shifts.get(row.adviser_id, [])
            feed = adviser_feed(scenario, row.adviser_id, mine, previous, now=now, scope=scope)
        else:
            assert row.team is not None
            members = [s for a in advisers if a.team == row.team for s in shifts.get(a.id, [])]
            feed = team_feed(scenario, row.team, members, previous, now=now, scope=scope)
        _store(row, feed, now=now)


def _store(row: FeedRow, feed: Feed, *, now: datetime) -> None:
    row.state, row.body, row.etag = feed.state.to_json(), feed.body, feed.etag
    assert feed.last_modified is not None  # a built feed has been modified at least once
    row.last_modified, row.built_at = feed.last_modified, now
    row.builds += 1


def published_plan_results(session: Session, incident_id: int) -> list[dict[str, Any]]:
    """The results of the incident's plans that were published (superseded since or not), in
    the order they were published."""
    # a plan's roster is its job's version: published, or superseded since
    results = session.exec(
        select(IncidentPlanRow.result)
        .join(JobRow, col(JobRow.id) == col(IncidentPlanRow.job_id))
        .join(VersionRow, col(VersionRow.id) == col(JobRow.version_id))
        .where(
            IncidentPlanRow.incident_id == incident_id,
            col(VersionRow.state).in_(("published", "superseded")),
        )
        .order_by(col(VersionRow.published_at), col(VersionRow.id))
    ).all()
    return [r for r in results if r]


def _incident_feed(session: Session, row: FeedRow, *, now: datetime) -> Feed:
    """The crisis cell's feed of an incident: the surge duties of its plans published, as far
    as the week's published roster still works them, in the week's reference zone; no event
    before a plan of it is published."""
    incident_id = row.incident_id
    assert incident_id is not None
    found = session.exec(
        select(IncidentRow.name, WeekRow.timezone, WeekRow.id)
        .join(WeekRow, col(WeekRow.id) == col(IncidentRow.week_id))
        .where(IncidentRow.id == incident_id)
    ).first()
    assert found is not None  # the feed goes with its incident (ON DELETE CASCADE)
    name, timezone, week_id = found
    duties = published_duties(published_plan_results(session, incident_id))
    people = {d.adviser_id for d in duties if d.adviser_id is not None}
    if people:
        current = session.exec(
            select(VersionRow.id).where(
                VersionRow.week_id == week_id, VersionRow.state == "published"
            )
        ).first()
        shifts = [] if current is None else _version_shifts(session, current, people)
        duties = in_roster(duties, shifts)
    titles = {
        c.name: Channel(name=c.name, kind=c.kind, label=c.label).title  # type: ignore[arg-type]
        for c in session.exec(select(ChannelRow))
    }
    previous = FeedState.from_json(row.state) if row.state else None
    return crisis_feed(
        duties,
        previous,
        now=now,
        incident_id=incident_id,
        incident_name=name,
        timezone=timezone,
        titles=titles,
    )


def _version_shifts(session: Session, version_id: int, adviser_ids: set[str]) -> list[Shift]:
    """The advisers' shifts, with their blocks, in one version."""
    where = [ShiftRow.version_id == version_id, col(ShiftRow.adviser_id).in_(adviser_ids)]
    blocks: dict[int, list[Activity]] = {}
    for shift_id, kind, start, end in session.exec(
        select(ActivityRow.shift_id, ActivityRow.kind, ActivityRow.start, ActivityRow.end)
        .join(ShiftRow, col(ShiftRow.id) == col(ActivityRow.shift_id))
        .where(*where)
        .order_by(col(ActivityRow.start))
    ):
        blocks.setdefault(shift_id, []).append(Activity(kind, start, end))
    return [
        Shift(adviser_id, start, end, tuple(blocks.get(shift_id, ())))
        for shift_id, adviser_id, start, end in session.exec(
            select(ShiftRow.id, ShiftRow.adviser_id, ShiftRow.start, ShiftRow.end).where(*where)
        )
    ]


def _scenario(
    session: Session, advisers: Iterable[AdviserRow], teams: Iterable[str], *, now: datetime
) -> Scenario:
    """What feeds need of the data as it stands: the advisers' names and teams, the zones of
    those teams and of `teams`, the channels' titles (the week is a placeholder: feeds span
    many)."""
    advisers = list(advisers)
    team_names = {a.team for a in advisers} | set(teams)
    teams = session.exec(select(TeamRow).where(col(TeamRow.name).in_(team_names))).all()
    channels = session.exec(select(ChannelRow)).all()
    monday = (now - timedelta(days=now.weekday())).date()
    return Scenario(
        week=Week(monday=monday, timezone="UTC"),
        channels=[Channel(name=c.name, kind=c.kind, label=c.label) for c in channels],  # type: ignore[arg-type]
        teams=[Team(name=t.name, timezone=t.timezone) for t in teams],
        advisers=[
            Adviser(id=a.id, name=a.name, team=a.team, channels=a.channels) for a in advisers
        ],
    )


def _published_shifts(
    session: Session, adviser_ids: Sequence[str], *, since: datetime, scope: Scope | None
) -> dict[str, list[Shift]]:
    """The advisers' shifts ending after `since` (and starting in `scope`) in every published
    roster, by adviser.

    Read here rather than with `api.convert.load_roster`, which reads one version: a feed
    spans all published weeks, and this reads them in two queries of plain columns.
    """
    where = [
        VersionRow.state == "published",
        col(ShiftRow.adviser_id).in_(adviser_ids),
        col(ShiftRow.end) > since,
    ]
    if scope is not None:
        where += [col(ShiftRow.start) >= scope[0], col(ShiftRow.start) < scope[1]]
    published = (
        select(ShiftRow.id, ShiftRow.adviser_id, ShiftRow.start, ShiftRow.end)
        .join(VersionRow, col(VersionRow.id) == col(ShiftRow.version_id))
        .where(*where)
    )
    activities = (
        select(ActivityRow.shift_id, ActivityRow.kind, ActivityRow.start, ActivityRow.end)
        .join(ShiftRow, col(ShiftRow.id) == col(ActivityRow.shift_id))
        .join(VersionRow, col(VersionRow.id) == col(ShiftRow.version_id))
        .where(*where)
        .order_by(col(ActivityRow.start))
    )
    blocks: dict[int, list[Activity]] = {}
    for shift_id, kind, start, end in session.exec(activities):
        blocks.setdefault(shift_id, []).append(Activity(kind, start, end))
    out: dict[str, list[Shift]] = {}
    for shift_id, adviser_id, start, end in session.exec(published):
        shift = Shift(adviser_id, start, end, tuple(blocks.get(shift_id, ())))
        out.setdefault(adviser_id, []).append(shift)
    return out
