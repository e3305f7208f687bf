"""Create, read, update, delete of the data a supervisor edits: keyword-only, one commit each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from api.convert import carry_in_rows, demand_rows, forecast_rows
from api.errors import BadData, Conflict, NotFound
from api.models import (
    AdviserCreate,
    AdviserPublic,
    AdviserRow,
    AdviserUpdate,
    CarryInRow,
    ChannelCreate,
    ChannelPublic,
    ChannelRow,
    ChannelUpdate,
    DemandRow,
    ForecastRow,
    TeamCreate,
    TeamPublic,
    TeamRow,
    TeamUpdate,
    TimeOffCreate,
    TimeOffPublic,
    TimeOffRow,
    WeekCreate,
    WeekPublic,
    WeekRow,
    WeekUpdate,
    check_channel,
)
from roster.forecast import Forecast
from roster.model import ServiceGoal
from roster.solution import Roster

R = TypeVar("R", bound=SQLModel)


def page(session: Session, query: Any, *, offset: int, limit: int) -> tuple[list[Any], int]:
    """Rows `offset` to `offset + limit` of a select, and how many it has in all."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return list(session.exec(query.offset(offset).limit(limit)).all()), int(total)


def _get(session: Session, table: type[R], key: object, what: str) -> R:
    row = session.get(table, key)
    if row is None:
        raise NotFound(f"no {what} {key!r}")
    return row


def _save(session: Session, row: R) -> R:
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def _channel_names(session: Session) -> set[str]:
    return set(session.exec(select(ChannelRow.name)).all())


def _check_split(split: dict[str, float] | None, known: set[str], field: str) -> None:
    for channel in split or {}:
        if channel not in known:
            raise BadData(f"unknown channel {channel!r}", field=field)


# ----------------------------------------------------------------------------- channels


def channel_public(row: ChannelRow) -> ChannelPublic:
    return ChannelPublic.model_validate(row.model_dump())


def get_channel(session: Session, *, name: str) -> ChannelRow:
    return _get(session, ChannelRow, name, "channel")


def _goal_column(goal: ServiceGoal | None) -> dict[str, Any] | None:
    # Unset fields stay out: the scenario re-checks the goal as given, not with its defaults.
    return None if goal is None else goal.model_dump(mode="json", exclude_unset=True)


def create_channel(session: Session, *, data: ChannelCreate) -> ChannelRow:
    if session.get(ChannelRow, data.name) is not None:
        raise Conflict(f"channel {data.name!r} exists already", field="name")
    values = data.model_dump(exclude={"service"})
    return _save(session, ChannelRow(**values, service=_goal_column(data.service)))


def update_channel(session: Session, *, name: str, data: ChannelUpdate) -> ChannelRow:
    row = get_channel(session, name=name)
    changes = data.model_dump(exclude_unset=True, exclude={"service"})
    if changes.get("kind", "") is None:
        raise BadData("may not be null", field="kind")
    if "service" in data.model_fields_set:
        changes["service"] = _goal_column(data.service)
    kind = changes.get("kind", row.kind)
    goal = changes.get("service", row.service)
    try:
        check_channel(name, kind, None if goal is None else ServiceGoal.model_validate(goal))
    except ValueError as err:
        raise BadData(str(err), field="service") from None
    for key, value in changes.items():
        setattr(row, key, value)
    return _save(session, row)


def delete_channel(session: Session, *, name: str) -> None:
    row = get_channel(session, name=name)
    users = [a.id for a in session.exec(select(AdviserRow)) if name in a.channels]
    users += [t.name for t in session.exec(select(TeamRow)) if name in (t.split or {})]
    if users:
        raise Conflict(f"channel {name!r} is still used by {', '.join(users[:5])}")
    for table, what in ((DemandRow, "demand"), (ForecastRow, "forecast")):
        if session.exec(select(table.id).where(table.channel == name)).first():
            raise Conflict(f"channel {name!r} is still used by {what} rows")
    if session.exec(select(CarryInRow.id).where(CarryInRow.activity == name)).first():
        raise Conflict(f"channel {name!r} is still used by carry-in rows")
    session.delete(row)
    session.commit()


# -------------------------------------------------------------------------------- teams


def team_public(row: TeamRow) -> TeamPublic:
    return TeamPublic.model_validate(row.model_dump())


def get_team(session: Session, *, name: str) -> TeamRow:
    return _get(session, TeamRow, name, "team")


def _team_columns(data: TeamCreate | TeamUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True, mode="json", by_alias=True)
    for key in ("timezone", "window", "rules", "split_tolerance_points"):
        if key in values and values[key] is None:
            raise BadData("may not be null", field=key)
    return values


def create_team(session: Session, *, data: TeamCreate) -> TeamRow:
    if session.get(TeamRow, data.name) is not None:
        raise Conflict(f"team {data.name!r} exists already", field="name")
    _check_split(data.split, _channel_names(session), "split")
    full = data.model_dump(mode="json", by_alias=True)
    return _save(session, TeamRow(**full))


def update_team(session: Session, *, name: str, data: TeamUpdate) -> TeamRow:
    row = get_team(session, name=name)
    values = _team_columns(data)
    if "split" in values:
        _check_split(values["split"], _channel_names(session), "split")
    for key, value in values.items():
        setattr(row, key, value)
    return _save(session, row)


def delete_team(session: Session, *, name: str) -> None:
    row = get_team(session, name=name)
    if session.exec(select(AdviserRow.id).where(AdviserRow.team == name)).first():
        raise Conflict(f"team {name!r} still has advisers")
    session.delete(row)
    session.commit()


# ----------------------------------------------------------------------------- advisers


def adviser_public(row: AdviserRow) -> AdviserPublic:
    return AdviserPublic.model_validate(row.model_dump())


def get_adviser(session: Session, *, adviser_id: str) -> AdviserRow:
    return _get(session, AdviserRow, adviser_id, "adviser")


def _check_adviser(session: Session, values: dict[str, Any]) -> None:
    if session.get(TeamRow, values["team"]) is None:
        raise BadData(f"unknown team {values['team']!r}", field="team")
    known = _channel_names(session)
    for channel in values["channels"]:
        if channel not in known:
            raise BadData(f"unknown channel {channel!r}", field="channels")
    for channel, share in (values.get("split") or {}).items():
        if channel not in known:
            raise BadData(f"unknown channel {channel!r}", field="split")
        if share > 0 and channel not in values["channels"]:
            raise BadData(f"{share:g}% on {channel!r}, a channel the adviser lacks", field="split")


def create_adviser(session: Session, *, data: AdviserCreate) -> AdviserRow:
    if session.get(AdviserRow, data.id) is not None:
        raise Conflict(f"adviser {data.id!r} exists already", field="id")
    values = data.model_dump(mode="json")
    _check_adviser(session, values)
    return _save(session, AdviserRow(**values))


def update_adviser(session: Session, *, adviser_id: str, data: AdviserUpdate) -> AdviserRow:
    row = get_adviser(session, adviser_id=adviser_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    for key in ("name", "team", "channels", "languages", "preferences", "volunteer"):
        if key in changes and changes[key] is None:
            raise BadData("may not be null", field=key)
    values = {**row.model_dump(), **changes}
    _check_adviser(session, values)
    for key, value in changes.items():
        setattr(row, key, value)
    return _save(session, row)


def delete_adviser(session: Session, *, adviser_id: str) -> None:
    session.delete(get_adviser(session, adviser_id=adviser_id))
    session.commit()


def list_advisers(
    session: Session,
    *,
    offset: int,
    limit: int,
    team: str | None = None,
    volunteer: bool | None = None,
) -> tuple[list[AdviserRow], int]:
    query = select(AdviserRow).order_by(col(AdviserRow.id))
    if team is not None:
        query = query.where(AdviserRow.team == team)
    if volunteer is not None:
        query = query.where(AdviserRow.volunteer == volunteer)
    return page(session, query, offset=offset, limit=limit)


# ----------------------------------------------------------------------------- time off


def time_off_public(row: TimeOffRow) -> TimeOffPublic:
    return TimeOffPublic(
        id=row.id or 0,
        adviser_id=row.adviser_id,
        date=row.day,
        start=row.start,
        end=row.end,
        reason=row.reason,
    )


def list_time_off(session: Session, *, adviser_id: str) -> list[TimeOffRow]:
    get_adviser(session, adviser_id=adviser_id)
    query = select(TimeOffRow).where(TimeOffRow.adviser_id == adviser_id)
    return list(session.exec(query.order_by(col(TimeOffRow.id))).all())


def create_time_off(session: Session, *, adviser_id: str, data: TimeOffCreate) -> TimeOffRow:
    get_adviser(session, adviser_id=adviser_id)
    row = TimeOffRow(
        adviser_id=adviser_id, day=data.date, start=data.start, end=data.end, reason=data.reason
    )
    return _save(session, row)


def delete_time_off(session: Session, *, adviser_id: str, time_off_id: int) -> None:
    row = session.get(TimeOffRow, time_off_id)
    if row is None or row.adviser_id != adviser_id:
        raise NotFound(f"no time off {time_off_id} for adviser {adviser_id!r}")
    session.delete(row)
    session.commit()


# -------------------------------------------------------------------------------- weeks


def week_public(session: Session, row: WeekRow) -> WeekPublic:
    counts = {
        f"{what}_rows": int(
            session.exec(
                select(func.count()).select_from(table).where(table.week_id == row.id)
            ).one()
        )
        for table, what in (
            (DemandRow, "demand"),
            (ForecastRow, "forecast"),
            (CarryInRow, "carry_in"),
        )
    }
    return WeekPublic.model_validate({**row.model_dump(), **counts})


def get_week(session: Session, *, week_id: int) -> WeekRow:
    return _get(session, WeekRow, week_id, "week")


def create_week(session: Session, *, data: WeekCreate) -> WeekRow:
    taken = session.exec(
        select(WeekRow.id).where(WeekRow.monday == data.monday, WeekRow.timezone == data.timezone)
    ).first()
    if taken is not None:
        raise Conflict(
            f"week {taken} already plans {data.monday.isoformat()} in {data.timezone}",
            field="monday",
        )
    known = _channel_names(session)
    for i, rule in enumerate(data.minimum):
        if rule.channel not in known:
            raise BadData(f"unknown channel {rule.channel!r}", field=f"minimum[{i}].channel")
    values = data.model_dump(mode="json", exclude_none=True)
    values["monday"] = data.monday
    return _save(session, WeekRow(**values))


def update_week(session: Session, *, week_id: int, data: WeekUpdate) -> WeekRow:
    row = get_week(session, week_id=week_id)
    changes = data.model_dump(exclude_unset=True, mode="json", exclude_none=True)
    known = _channel_names(session)
    for i, rule in enumerate(data.minimum or []):
        if rule.channel not in known:
            raise BadData(f"unknown channel {rule.channel!r}", field=f"minimum[{i}].channel")
    for key, value in changes.items():
        setattr(row, key, value)
    return _save(session, row)


def delete_week(session: Session, *, week_id: int) -> None:
    row = get_week(session, week_id=week_id)
    if row.published_version_id is not None:
        raise Conflict(f"week {week_id} has a published roster; it is kept")
    session.delete(row)
    session.commit()


WeekData = TypeVar("WeekData", DemandRow, ForecastRow, CarryInRow)


def _week_rows(
    session: Session, table: type[WeekData], week_id: int, *order: Any
) -> Sequence[WeekData]:
    """A week's rows of one of its uploads, in `order` (404 for an unknown week)."""
    get_week(session, week_id=week_id)
    query = select(table).where(table.week_id == week_id).order_by(*order)
    return session.exec(query).all()


def _replace_rows(
    session: Session, table: type[WeekData], week: WeekRow, rows: Sequence[WeekData]
) -> int:
    """Replace a week's rows of one of its uploads with checked ones, in one transaction; the
    row count."""
    session.exec(delete(table).where(col(table.week_id) == week.id))  # type: ignore[call-overload]
    session.add_all(rows)
    session.commit()
    return len(rows)


def week_demand(session: Session, *, week_id: int) -> Sequence[DemandRow]:
    return _week_rows(
        session,
        DemandRow,
        week_id,
        col(DemandRow.interval_start),
        col(DemandRow.channel),
        col(DemandRow.language),
    )


def replace_demand(session: Session, *, week: WeekRow, frame: pd.DataFrame) -> int:
    """Replace the week's demand with checked rows, in one transaction; the row count."""
    return _replace_rows(session, DemandRow, week, demand_rows(week, frame))


def week_forecast(session: Session, *, week_id: int) -> Sequence[ForecastRow]:
    return _week_rows(
        session,
        ForecastRow,
        week_id,
        col(ForecastRow.interval_start),
        col(ForecastRow.channel),
        col(ForecastRow.language),
    )


def replace_forecast(session: Session, *, week: WeekRow, forecast: Forecast | None) -> int:
    """Replace the week's forecast with a checked one (None: remove it), in one transaction;
    the row count."""
    rows = forecast_rows(week, forecast) if forecast is not None else []
    return _replace_rows(session, ForecastRow, week, rows)


def week_carry_in(session: Session, *, week_id: int) -> Sequence[CarryInRow]:
    return _week_rows(
        session,
        CarryInRow,
        week_id,
        col(CarryInRow.adviser_id),
        col(CarryInRow.start),
        col(CarryInRow.id),
    )


def replace_carry_in(session: Session, *, week: WeekRow, carry_in: Roster | None) -> int:
    """Replace the week's carry-in with checked shifts (None: remove it), in one transaction;
    the row count."""
    rows = carry_in_rows(week, carry_in) if carry_in is not None else []
    return _replace_rows(session, CarryInRow, week, rows)
