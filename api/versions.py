"""Roster versions: drafts made by solves, publication, comparison, and what a version shows.

A version never changes once made (publication only changes its state), so what is read
from it (shifts, coverage, quality) is serialised once, with its ETag, and kept in a small
in-memory cache; the version's snapshot (the week's data, large) is read only to fill it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from api.convert import load_roster, problem_of, store_roster
from api.db import now
from api.errors import Conflict, NotFound
from api.feeds import rebuild_for_publication
from api.models import JobRow, ShiftRow, VersionPublic, VersionRow, WeekRow
from roster.io import coverage_frame
from roster.report import summary
from roster.solution import BREAK, Activity, Roster, Shift
from roster.timegrid import iso_utc, to_local


class Cache:
    """Serialised views of versions, least recently used out first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two makers of one key at once is harmless
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


# ------------------------------------------------------------------------------ reading

Entity = tuple[bytes, str]  # a serialised view and its ETag


def entity(body: bytes) -> Entity:
    """A body with its strong ETag, computed once when the view is cached."""
    return body, f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def get_version(session: Session, *, version_id: int) -> VersionRow:
    """A version, without its snapshot: that is read (lazily) only to build a view not cached."""
    row = session.get(VersionRow, version_id, options=[defer(VersionRow.snapshot)])  # type: ignore[arg-type]
    if row is None:
        raise NotFound(f"no roster version {version_id}")
    return row


def _key(version: VersionRow) -> tuple[Any, ...]:
    # The creation instant as well as the id: SQLite may give a deleted draft's id to a new one.
    return (version.id, version.created_at)


def version_public(session: Session, row: VersionRow) -> VersionPublic:
    count = session.exec(
        select(func.count()).select_from(ShiftRow).where(ShiftRow.version_id == row.id)
    ).one()
    data = row.model_dump(exclude={"snapshot"})
    return VersionPublic.model_validate({**data, "shifts": int(count)})


def list_versions(session: Session, *, week_id: int) -> list[VersionRow]:
    query = select(VersionRow).where(VersionRow.week_id == week_id)
    query = query.options(defer(VersionRow.snapshot))  # type: ignore[arg-type]
    return list(session.exec(query.order_by(col(VersionRow.number))).all())


def _zones(snapshot: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Adviser id -> (team, team zone), as the version was solved."""
    zones = {t["name"]: t["timezone"] for t in snapshot["scenario"]["teams"]}
    return {a["id"]: (a["team"], zones[a["team"]]) for a in snapshot["scenario"]["advisers"]}


def shift_dict(shift_id: int, shift: Shift, team: str, zone: str) -> dict[str, Any]:
    """A shift as the API shows it: UTC instants, and local ones in the adviser's team zone."""
    worked = [a for a in shift.activities if a.kind != BREAK]
    return {
        "id": shift_id,
        "adviser_id": shift.adviser_id,
        "team": team,
        "start": iso_utc(shift.start),
        "end": iso_utc(shift.end),
        "local_start": to_local(shift.start, zone).isoformat(),
        "local_end": to_local(shift.end, zone).isoformat(),
        "timezone": zone,
        "hours": round(sum(a.minutes for a in worked) / 60, 2),
        "break_minutes": shift.break_minutes,
        "channels": shift.channels,
        "activities": [
            {"kind": a.kind, "start": iso_utc(a.start), "end": iso_utc(a.end)}
            for a in shift.activities
        ],
    }


def shift_dicts(
    session: Session,
    version: VersionRow,
    adviser_id: str | None = None,
    zones: dict[str, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The version's shifts (one adviser's, if given), sorted by adviser and start.

    `zones` are the version's advisers' teams and zones, if known already (else read from the
    version's snapshot).
    """
    query = select(ShiftRow.id, ShiftRow.adviser_id, ShiftRow.start).where(
        ShiftRow.version_id == version.id
    )
    if adviser_id is not None:
        query = query.where(ShiftRow.adviser_id == adviser_id)
    ids = {(a, s): i for i, a, s in session.exec(query)}
    zones = zones if zones is not None else _zones(version.snapshot)
    assert version.id is not None
    roster = load_roster(session, version.id, adviser_id)
    out = []
    for s in roster.shifts:
        team, zone = zones.get(s.adviser_id, ("", "UTC"))
        out.append(shift_dict(ids[(s.adviser_id, s.start)], s, team, zone))
    return out


def _json(value: Any) -> bytes:
    """Compact JSON, as FastAPI writes its own responses."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def shifts_entity(session: Session, cache: Cache, version: VersionRow) -> Entity:
    """Every shift of the version as JSON, serialised once per version."""
    return cache.get(
        ("shifts", *_key(version)), lambda: entity(_json(shift_dicts(session, version)))
    )


def adviser_shifts_entity(
    session: Session,
    cache: Cache,
    adviser_cache: Cache,
    adviser_id: str,
    published: list[VersionRow],
) -> Entity:
    """One adviser's shifts in the `published` versions (snapshots not loaded), as one JSON list.

    Each version's part is serialised once per (adviser, version) in `adviser_cache`, and the
    advisers' zones once per version in `cache`: a read served from them touches no shift row.
    """
    parts = []
    for version in published:

        def make(version: VersionRow = version) -> bytes:
            zones = cache.get(("zones", *_key(version)), lambda: _zones(version.snapshot))
            return _json(shift_dicts(session, version, adviser_id, zones))[1:-1]  # no brackets

        part = adviser_cache.get(("adviser shifts", *_key(version), adviser_id), make)
        if part:
            parts.append(part)
    return entity(b"[" + b",".join(parts) + b"]")


def coverage(session: Session, cache: Cache, version: VersionRow) -> list[dict[str, Any]]:
    """Required, scheduled, shortfall per interval and channel (`roster.io.coverage_frame`).

    With a forecast, the projected-service columns too.
    """

    def make() -> list[dict[str, Any]]:
        assert version.id is not None
        frame = coverage_frame(problem_of(version.snapshot), load_roster(session, version.id))
        # Empty projected-service cells are NaN in pandas: null in JSON, not the invalid NaN.
        return frame.astype(object).where(frame.notna(), None).to_dict("records")

    return cache.get(("coverage", *_key(version)), make)


def coverage_entity(session: Session, cache: Cache, version: VersionRow, format: str) -> Entity:
    """The coverage serialised once per version, as JSON or CSV."""

    def make() -> Entity:
        rows = coverage(session, cache, version)
        if format == "csv":
            return entity(pd.DataFrame(rows).to_csv(index=False).encode("utf-8"))
        return entity(_json(rows))

    return cache.get(("coverage", format, *_key(version)), make)


def _plain(value: Any) -> Any:
    """numpy scalars from pandas records, as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def quality(session: Session, cache: Cache, version: VersionRow) -> dict[str, Any]:
    """The version's summary (`roster.report.summary`): hours and shares per adviser, and with
    a forecast the projected service."""

    def make() -> dict[str, Any]:
        assert version.id is not None
        return summary(
            problem_of(version.snapshot),
            load_roster(session, version.id),
            status=version.status,
            objective=version.objective,
            lower_bound=version.lower_bound,
            gap=version.gap,
            solve_seconds=version.solve_seconds,
            penalties=version.penalties,
            diagnosis=[],
            violations=version.violations,
        )

    return cache.get(("quality", *_key(version)), make)


def quality_entity(session: Session, cache: Cache, version: VersionRow, format: str) -> Entity:
    """The quality serialised once per version: JSON, or CSV with one line per adviser."""

    def make() -> Entity:
        data = quality(session, cache, version)
        if format == "json":
            return entity(_json(data))
        rows = []
        for a in data["advisers"]:
            row = {k: v for k, v in a.items() if not isinstance(v, dict)}
            for key in ("channel_hours", "share", "split_target"):
                row.update({f"{key}_{c}": v for c, v in a[key].items()})
            rows.append(row)
        return entity(pd.DataFrame(rows).to_csv(index=False).encode("utf-8"))

    return cache.get(("quality", format, *_key(version)), make)


# ------------------------------------------------------------------------------ writing


def _roster_of(shifts: list[list[Any]]) -> Roster:
    def instant(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)

    return Roster(
        [
            Shift(
                adviser,
                instant(start),
                instant(end),
                tuple(Activity(k, instant(a), instant(b)) for k, a, b in blocks),
            )
            for adviser, start, end, blocks in shifts
        ]
    )


def create_draft(session: Session, *, job: JobRow, result: dict[str, Any]) -> VersionRow:
    """Store a solve's roster as the week's next draft; the job points at it. One commit."""
    teams = {a["id"]: a["team"] for a in job.snapshot["scenario"]["advisers"]}
    for attempt in range(3):
        number = session.exec(
            select(func.coalesce(func.max(VersionRow.number), 0)).where(
                VersionRow.week_id == job.week_id
            )
        ).one()
        version = VersionRow(
            week_id=job.week_id,
            number=int(number) + 1,
            job_id=job.id,
            status=result["status"],
            objective=result["objective"],
            lower_bound=result["lower_bound"],
            gap=result["gap"],
            solve_seconds=result["solve_seconds"],
            penalties=result["penalties"],
            violations=result["violations"],
            snapshot=job.snapshot,
        )
        session.add(version)
        try:
            session.flush()
        except IntegrityError:  # another service took the number: take the next one
            session.rollback()
            if attempt == 2:
                raise
            continue
        store_roster(session, version, _roster_of(result["shifts"]), teams)
        job.version_id = version.id
        session.add(job)
        session.commit()
        session.refresh(version)
        return version
    raise AssertionError("unreachable")


def publish(session: Session, *, version_id: int, expected_revision: int | None) -> VersionRow:
    """Publish a draft: it becomes the week's roster and the one published before is superseded;
    the calendar feeds of the advisers it touches, and of their teams, are rebuilt with it.

    The week's revision is a version counter, moved by a compare-and-set in the same
    transaction: of two publications racing from the same revision, exactly one commits and
    the other gets Conflict (409). A unique index keeps one published version per week too.
    """
    version = get_version(session, version_id=version_id)
    if version.state != "draft":
        raise Conflict(f"version {version_id} is {version.state}; only a draft can be published")
    week = session.get(WeekRow, version.week_id)
    assert week is not None
    seen = week.revision if expected_revision is None else expected_revision
    try:
        moved = session.exec(  # type: ignore[call-overload]
            update(WeekRow)
            .where(col(WeekRow.id) == week.id, col(WeekRow.revision) == seen)
            .values(revision=seen + 1, published_version_id=version.id)
        )
        if moved.rowcount != 1:
            session.rollback()
            current = session.get(WeekRow, version.week_id)
            raise Conflict(
                f"week {version.week_id} was published meanwhile (revision "
                f"{current.revision if current else '?'}, you sent {seen}); reload and retry",
                field="expected_revision",
            )
        superseded = session.exec(
            select(VersionRow.id).where(
                VersionRow.week_id == week.id, VersionRow.state == "published"
            )
        ).all()
        session.exec(  # type: ignore[call-overload]
            update(VersionRow)
            .where(col(VersionRow.week_id) == week.id, col(VersionRow.state) == "published")
            .values(state="superseded")
        )
        done = session.exec(  # type: ignore[call-overload]
            update(VersionRow)
            .where(col(VersionRow.id) == version.id, col(VersionRow.state) == "draft")
            .values(state="published", published_at=now())
        )
        if done.rowcount != 1:
            session.rollback()
            raise Conflict(f"version {version_id} is no longer a draft")
        # in this transaction: the feeds show this roster if and only if it is published
        assert version.id is not None
        rebuild_for_publication(session, [version.id, *superseded])
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"week {version.week_id} was published meanwhile; reload and retry"
        ) from None
    session.refresh(version)
    return version


def compare(session: Session, *, base: VersionRow, other: VersionRow) -> dict[str, Any]:
    """Which shifts changed for whom from `base` to `other`: removed, added, changed blocks."""
    before = _by_adviser(shift_dicts(session, base))
    after = _by_adviser(shift_dicts(session, other))
    changes = []
    for adviser in sorted(set(before) | set(after)):
        old = {(s["start"], s["end"]): s for s in before.get(adviser, [])}
        new = {(s["start"], s["end"]): s for s in after.get(adviser, [])}
        removed = [old[k] for k in sorted(old.keys() - new.keys())]
        added = [new[k] for k in sorted(new.keys() - old.keys())]
        changed = [
            new[k]
            for k in sorted(old.keys() & new.keys())
            if old[k]["activities"] != new[k]["activities"]
        ]
        if removed or added or changed:
            changes.append(
                {"adviser_id": adviser, "removed": removed, "added": added, "changed": changed}
            )
    return {
        "base": base.id,
        "other": other.id,
        "advisers_changed": len(changes),
        "changes": changes,
    }


def _by_adviser(shifts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for s in shifts:
        out.setdefault(s["adviser_id"], []).append(s)
    return out
