"""Rows <-> the domain: the only module that turns tables into a Scenario, Problem or Roster.

A solve works on a *snapshot*: the scenario as JSON, the demand rows, the forecast rows and the
shifts carried in (the published week before, else the week's own carry-in), taken when the job
is submitted. The snapshot is kept with the job and with the roster version it makes, so a
version's coverage is always read against the data it was solved with, whatever is edited
afterwards.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlmodel import Session, col, select

from api.models import (
    EARLIEST,
    LATEST,
    ActivityRow,
    AdviserRow,
    CarryInIn,
    CarryInRow,
    ChannelRow,
    DemandIn,
    DemandRow,
    ForecastIn,
    ForecastRow,
    ShiftRow,
    TeamRow,
    TimeOffRow,
    VersionRow,
    WeekRow,
)
from roster.demand import Key, merge_demand, read_demand_csv, requirements
from roster.errors import ScenarioError
from roster.forecast import FORECAST_COLUMNS, Forecast, read_forecast_csv
from roster.io import carry_in_shifts, parse_scenario, read_activities
from roster.model import Adviser, Channel, Scenario
from roster.problem import Problem
from roster.solution import Activity, Roster, Shift
from roster.staffing import demand_frame, plan
from roster.timegrid import Grid

Snapshot = dict[str, Any]
LINE = re.compile(r"^line (\d+)$")
R = TypeVar("R")


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def grid_of(week: WeekRow) -> Grid:
    return Grid.for_week(week.monday, week.timezone, week.interval_minutes)


# ------------------------------------------------------------------------ rows -> domain


def _unavailable(row: TimeOffRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row.day is not None:
        out["date"] = row.day.isoformat()
    else:
        assert row.start is not None and row.end is not None
        out["start"], out["end"] = _iso(row.start), _iso(row.end)
    if row.reason:
        out["reason"] = row.reason
    return out


def scenario_data(session: Session, week: WeekRow) -> dict[str, Any]:
    """The week as scenario JSON (the format of scenario.json), from the tables."""
    time_off: dict[str, list[dict[str, Any]]] = {}
    for row in session.exec(select(TimeOffRow).order_by(col(TimeOffRow.id))):
        time_off.setdefault(row.adviser_id, []).append(_unavailable(row))
    channels = session.exec(select(ChannelRow).order_by(col(ChannelRow.name))).all()
    teams = session.exec(select(TeamRow).order_by(col(TeamRow.name))).all()
    advisers = session.exec(select(AdviserRow).order_by(col(AdviserRow.id))).all()
    return {
        "name": week.name,
        "week": {
            "monday": week.monday.isoformat(),
            "timezone": week.timezone,
            "interval_minutes": week.interval_minutes,
        },
        "channels": [
            {
                k: v
                for k, v in {
                    "name": c.name,
                    "kind": c.kind,
                    "label": c.label,
                    "service": c.service,
                }.items()
                if v
            }
            for c in channels
        ],
        "teams": [
            {
                "name": t.name,
                "timezone": t.timezone,
                "rules": t.rules,
                "window": t.window,
                "split": t.split,
                "split_tolerance_points": t.split_tolerance_points,
            }
            for t in teams
        ],
        "advisers": [
            {
                "id": a.id,
                "name": a.name,
                "team": a.team,
                "channels": a.channels,
                "languages": a.languages,
                "split": a.split,
                "split_tolerance_points": a.split_tolerance_points,
                "contract_hours_per_week": a.contract_hours_per_week,
                "unavailable": time_off.get(a.id, []),
                "preferences": a.preferences,
                "volunteer": a.volunteer,
            }
            for a in advisers
        ],
        "demand": {"minimum": week.minimum},
        "weights": week.weights,
        "solver": week.solver,
    }


def _shift_lists(roster: Roster) -> list[list[Any]]:
    return [
        [
            s.adviser_id,
            _iso(s.start),
            _iso(s.end),
            [[a.kind, _iso(a.start), _iso(a.end)] for a in s.activities],
        ]
        for s in roster.shifts
    ]


def _carry_in(session: Session, week: WeekRow) -> list[list[Any]]:
    """Shifts worked before the week, as [adviser, start, end, blocks].

    The published roster of the week before if the service has one, since that is what the
    advisers' calendars show; else the week's stored carry-in (uploaded, or imported with its
    scenario), its back-to-back blocks made into shifts as `roster solve` makes them.
    """
    previous = session.exec(
        select(WeekRow).where(
            WeekRow.monday == week.monday - timedelta(days=7),
            WeekRow.timezone == week.timezone,
        )
    ).first()
    if previous is not None and previous.published_version_id is not None:
        return _shift_lists(load_roster(session, previous.published_version_id))
    rows = session.exec(select(CarryInRow).where(CarryInRow.week_id == week.id))
    return _shift_lists(
        Roster.from_blocks((r.adviser_id, Activity(r.activity, r.start, r.end)) for r in rows)
    )


def take_snapshot(session: Session, week: WeekRow) -> Snapshot:
    """What a solve of the week needs, checked as a scenario file would be (ScenarioError).

    The forecast is checked again against the channels as they are now: a goal removed or
    changed since the upload is an error here rather than in the solve.
    """
    data = scenario_data(session, week)
    scenario = parse_scenario(data, source=f"week {week.id}")
    demand = session.exec(
        select(DemandRow)
        .where(DemandRow.week_id == week.id)
        .order_by(col(DemandRow.interval_start), col(DemandRow.channel), col(DemandRow.language))
    ).all()
    forecast = session.exec(
        select(ForecastRow)
        .where(ForecastRow.week_id == week.id)
        .order_by(
            col(ForecastRow.interval_start), col(ForecastRow.channel), col(ForecastRow.language)
        )
    ).all()
    if forecast:
        _read_forecast(forecast_csv(forecast, week), scenario, grid_of(week), f"week {week.id}")
    return {
        "scenario": data,
        "demand": [
            [_iso(d.interval_start), d.channel, d.language or None, d.required] for d in demand
        ],
        "forecast": [
            [_iso(f.interval_start), f.channel, f.language or None, f.volume, f.aht_seconds]
            for f in forecast
        ],
        "carry_in": _carry_in(session, week),
    }


def _forecast_of(snapshot: Snapshot, grid: Grid) -> Forecast | None:
    """The snapshot's forecast (checked when it was taken); None if the week has none."""
    rows = snapshot.get("forecast") or []  # snapshots taken before forecasts have none
    if not rows:
        return None
    volume: dict[Key, np.ndarray] = {}
    aht: dict[Key, np.ndarray] = {}
    for start, channel, language, contacts, handling in rows:
        key = (channel, language or None)
        if key not in volume:
            volume[key], aht[key] = np.zeros(grid.count), np.zeros(grid.count)
        index = grid.index(_instant(start))
        volume[key][index], aht[key][index] = float(contacts), float(handling)
    return Forecast(grid=grid, volume=volume, aht=aht, source="forecast")


def problem_of(snapshot: Snapshot) -> Problem:
    """The Problem a snapshot describes: what the solver, validator and reports work on.

    As `roster solve` does with a scenario file: a forecast becomes required advisers with the
    channels' service goals, and where the demand rows ask for the same interval, channel and
    language, the larger number holds.
    """
    scenario = parse_scenario(snapshot["scenario"])
    grid = Grid.for_week(
        scenario.week.monday, scenario.week.timezone, scenario.week.interval_minutes
    )
    rows = [
        (grid.index(_instant(start)), channel, language, int(required))
        for start, channel, language, required in snapshot["demand"]
    ]
    frame: pd.DataFrame | None = None
    if rows:
        frame = pd.DataFrame(rows, columns=["index", "channel", "language", "required"])
    forecast = _forecast_of(snapshot, grid)
    if forecast is not None:
        frame = merge_demand([frame, demand_frame(plan(scenario, forecast, service=False))])
    carry_in = Roster(
        [
            Shift(
                adviser,
                _instant(start),
                _instant(end),
                tuple(Activity(k, _instant(a), _instant(b)) for k, a, b in blocks),
            )
            for adviser, start, end, blocks in snapshot.get("carry_in", [])
        ]
    )
    return Problem(scenario, grid, requirements(scenario, grid, frame), carry_in, forecast=forecast)


def load_roster(session: Session, version_id: int, adviser_id: str | None = None) -> Roster:
    """A stored roster version as the domain's Roster (optionally one adviser's shifts)."""
    shifts_q = select(ShiftRow).where(ShiftRow.version_id == version_id)
    acts_q = select(ActivityRow).where(ActivityRow.version_id == version_id)
    if adviser_id is not None:
        shifts_q = shifts_q.where(ShiftRow.adviser_id == adviser_id)
        acts_q = acts_q.join(ShiftRow, col(ShiftRow.id) == col(ActivityRow.shift_id)).where(
            ShiftRow.adviser_id == adviser_id
        )
    blocks: dict[int, list[Activity]] = {}
    for a in session.exec(acts_q.order_by(col(ActivityRow.start))):
        blocks.setdefault(a.shift_id, []).append(Activity(a.kind, a.start, a.end))
    return Roster(
        [
            Shift(s.adviser_id, s.start, s.end, tuple(blocks.get(s.id or 0, ())))
            for s in session.exec(shifts_q.order_by(col(ShiftRow.adviser_id), col(ShiftRow.start)))
        ]
    )


# ------------------------------------------------------------------------ domain -> rows


def store_roster(
    session: Session, version: VersionRow, roster: Roster, teams: dict[str, str]
) -> None:
    """Add a roster's shifts and blocks under a version (in the caller's transaction)."""
    assert version.id is not None
    ordered = sorted(roster.shifts, key=lambda s: (s.adviser_id, s.start))
    rows = [
        ShiftRow(
            version_id=version.id,
            adviser_id=s.adviser_id,
            team=teams.get(s.adviser_id, ""),
            start=s.start,
            end=s.end,
        )
        for s in ordered
    ]
    session.add_all(rows)
    session.flush()  # shift ids, for their blocks
    blocks = [
        {
            "shift_id": row.id,
            "version_id": version.id,
            "kind": a.kind,
            "start": a.start,
            "end": a.end,
        }
        for row, s in zip(rows, ordered, strict=True)
        for a in s.activities
    ]
    if blocks:
        session.bulk_insert_mappings(ActivityRow.__mapper__, blocks)  # type: ignore[attr-defined]


def import_scenario(
    session: Session,
    scenario: Scenario,
    demand: pd.DataFrame | None,
    forecast: Forecast | None = None,
    carry_in: Roster | None = None,
) -> WeekRow:
    """Load a scenario's data and week (its demand, its forecast, its carry-in) into the tables;
    what already exists is kept as it is.

    Channels, teams and advisers are matched by name or id, the week by Monday and zone, so
    loading the same scenario twice changes nothing. Adds to the caller's transaction.
    """
    for c in scenario.channels:
        if session.get(ChannelRow, c.name) is None:
            service = c.service.model_dump(mode="json", exclude_unset=True) if c.service else None
            session.add(ChannelRow(name=c.name, kind=c.kind, label=c.label, service=service))
    for t in scenario.teams:
        if session.get(TeamRow, t.name) is None:
            session.add(
                TeamRow(
                    name=t.name,
                    timezone=t.timezone,
                    window=t.window.model_dump(),
                    split=t.split,
                    split_tolerance_points=t.split_tolerance_points,
                    rules=t.rules.model_dump(mode="json", by_alias=True),
                )
            )
    session.flush()
    for a in scenario.advisers:
        if session.get(AdviserRow, a.id) is not None:
            continue
        session.add(
            AdviserRow(
                id=a.id,
                name=a.name,
                team=a.team,
                channels=list(a.channels),
                languages=list(a.languages),
                split=a.split,
                split_tolerance_points=a.split_tolerance_points,
                contract_hours_per_week=a.contract_hours_per_week,
                preferences=a.preferences.model_dump(mode="json"),
                volunteer=a.volunteer,
            )
        )
        session.flush()
        for u in a.unavailable:
            session.add(
                TimeOffRow(adviser_id=a.id, day=u.date, start=u.start, end=u.end, reason=u.reason)
            )
    week = session.exec(
        select(WeekRow).where(
            WeekRow.monday == scenario.week.monday, WeekRow.timezone == scenario.week.timezone
        )
    ).first()
    if week is not None:
        return week
    week = WeekRow(
        name=scenario.name,
        monday=scenario.week.monday,
        timezone=scenario.week.timezone,
        interval_minutes=scenario.week.interval_minutes,
        minimum=[m.model_dump(mode="json", exclude_none=True) for m in scenario.demand.minimum],
        weights=scenario.weights.model_dump(mode="json"),
        solver=scenario.solver.model_dump(mode="json"),
    )
    session.add(week)
    session.flush()
    if demand is not None:
        session.add_all(demand_rows(week, demand))
    if forecast is not None:
        session.add_all(forecast_rows(week, forecast))
    if carry_in is not None:
        session.add_all(carry_in_rows(week, carry_in))
    return week


# ------------------------------------------------------------------------------- demand


def demand_rows(week: WeekRow, frame: pd.DataFrame) -> list[DemandRow]:
    """Rows of a checked demand frame (`roster.demand.read_demand_csv`'s) for a week."""
    grid = grid_of(week)
    assert week.id is not None
    return [
        DemandRow(
            week_id=week.id,
            interval_start=grid.instant(int(index)),
            channel=channel,
            language=language if isinstance(language, str) else "",
            required=int(required),
        )
        for index, channel, language, required in frame.itertuples(index=False)
    ]


def _demand_scenario(channels: Iterable[ChannelRow]) -> Scenario:
    # The CSV reader only looks at the channels: no need to build (and check) the whole week.
    return Scenario.model_construct(
        channels=[Channel.model_construct(name=c.name, kind=c.kind) for c in channels]
    )


def _read_text(text: str, read: Callable[[Path], R], source: str) -> R:
    """Run a file reader of the command line on CSV text; errors name `source` and the line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_text(text, encoding="utf-8")
        try:
            return read(path)
        except ScenarioError as err:
            raise ScenarioError(err.message, source=source, where=err.where) from None
        except OverflowError:  # the readers name the cell they know of; this is for the rest
            raise ScenarioError("a date is out of range", source=source) from None


def _json_rows(error: ScenarioError, name: str) -> ScenarioError:
    """An error on line n of CSV made from JSON rows, naming the row instead: `name[n - 2]`."""
    match = LINE.match(error.where or "")
    where = f"{name}[{int(match.group(1)) - 2}]" if match else error.where
    return ScenarioError(error.message, where=where)


def read_demand(
    text: str, week: WeekRow, channels: Iterable[ChannelRow], source: str = "demand.csv"
) -> pd.DataFrame:
    """Check a demand CSV against the week with the CSV reader of the command line.

    Errors (ScenarioError) name `source` and the line, as `roster solve` does.
    """
    scenario, grid = _demand_scenario(channels), grid_of(week)
    return _read_text(text, lambda path: read_demand_csv(path, scenario, grid), source)


def read_demand_json(
    items: Sequence[DemandIn], week: WeekRow, channels: Iterable[ChannelRow]
) -> pd.DataFrame:
    """Check JSON demand rows with the same reader; errors name the row as `demand[i]`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["interval_start", "channel", "required", "language"])
    for item in items:
        writer.writerow(
            [item.interval_start.isoformat(), item.channel, item.required, item.language or ""]
        )
    try:
        return read_demand(out.getvalue(), week, channels)
    except ScenarioError as err:
        raise _json_rows(err, "demand") from None


def demand_csv(rows: Sequence[DemandRow], week: WeekRow) -> str:
    """A week's demand as the CSV that `read_demand` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["interval_start", "channel", "required", "language"])
    for d in rows:
        writer.writerow([_iso(d.interval_start), d.channel, d.required, d.language])
    return out.getvalue()


# ----------------------------------------------------------------------------- forecast

NO_GOAL = re.compile(r"(channel '([^']+)' has no service goal[^(]*) \(add channels\[\d+\].*\)")


def _read_forecast(text: str, scenario: Scenario, grid: Grid, source: str) -> Forecast:
    try:
        return _read_text(text, lambda path: read_forecast_csv(path, scenario, grid), source)
    except ScenarioError as err:
        # The reader speaks of scenario files; here a goal is given through the channels API.
        message = NO_GOAL.sub(r"\1 (give it one with PATCH /channels/\2)", err.message)
        raise ScenarioError(message, source=err.source, where=err.where) from None


def read_forecast(
    text: str, week: WeekRow, channels: Iterable[ChannelRow], source: str = "forecast.csv"
) -> Forecast:
    """Check a forecast CSV against the week and the channels' service goals with the reader of
    the command line (`roster.forecast.read_forecast_csv`).

    Errors (ScenarioError) name `source` and the line, as `roster solve` does.
    """
    scenario = Scenario.model_construct(
        channels=[
            Channel.model_validate({"name": c.name, "kind": c.kind, "service": c.service})
            for c in channels
        ]
    )
    return _read_forecast(text, scenario, grid_of(week), source)


def read_forecast_json(
    items: Sequence[ForecastIn], week: WeekRow, channels: Iterable[ChannelRow]
) -> Forecast:
    """Check JSON forecast rows with the same reader; errors name the row as `forecast[i]`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*FORECAST_COLUMNS, "language"])
    for item in items:
        writer.writerow(
            [
                item.interval_start.isoformat(),
                item.channel,
                repr(item.volume),
                "" if item.aht_seconds is None else repr(item.aht_seconds),
                item.language or "",
            ]
        )
    try:
        return read_forecast(out.getvalue(), week, channels)
    except ScenarioError as err:
        raise _json_rows(err, "forecast") from None


def forecast_rows(week: WeekRow, forecast: Forecast) -> list[ForecastRow]:
    """Rows of a checked forecast for a week: one per interval and key where contacts arrive."""
    assert week.id is not None
    grid = grid_of(week)
    return [
        ForecastRow(
            week_id=week.id,
            interval_start=grid.instant(int(i)),
            channel=channel,
            language=language or "",
            volume=float(forecast.volume[(channel, language)][i]),
            aht_seconds=float(forecast.aht[(channel, language)][i]),
        )
        for channel, language in forecast.ordered_keys()
        for i in np.flatnonzero(forecast.volume[(channel, language)] > 0)
    ]


def forecast_csv(rows: Sequence[ForecastRow], week: WeekRow) -> str:
    """A week's forecast as the CSV that `read_forecast` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FORECAST_COLUMNS, "language"])
    for f in rows:
        writer.writerow(
            [_iso(f.interval_start), f.channel, repr(f.volume), repr(f.aht_seconds), f.language]
        )
    return out.getvalue()


# ----------------------------------------------------------------------------- carry-in

CARRY_IN_COLUMNS = ("adviser_id", "activity", "start", "end")


def carry_in_rows(week: WeekRow, carry_in: Roster) -> list[CarryInRow]:
    """Rows of checked carry-in shifts for a week: one per block."""
    assert week.id is not None
    return [
        CarryInRow(
            week_id=week.id, adviser_id=s.adviser_id, activity=a.kind, start=a.start, end=a.end
        )
        for s in carry_in.shifts
        for a in s.activities
    ]


def read_carry_in(
    text: str,
    week: WeekRow,
    channels: Iterable[ChannelRow],
    advisers: Iterable[str],
    source: str = "carry_in.csv",
) -> Roster:
    """Check a carry-in CSV with the reader of `roster solve` (known adviser and activity,
    instants with their offset, end after start, each block starting before the week's end,
    no two of an adviser overlapping) and within the years the service stores; its blocks
    made into shifts.

    Errors (ScenarioError) name `source` and the line, as `roster solve` does.
    """
    # The reader only looks at the channels' names and the advisers' ids.
    scenario = Scenario.model_construct(
        channels=[Channel.model_construct(name=c.name, kind=c.kind) for c in channels],
        advisers=[Adviser.model_construct(id=a) for a in advisers],
    )
    end = grid_of(week).end

    def read(path: Path) -> Roster:
        blocks = read_activities(path, scenario)
        for n, _, block in blocks:
            for column, instant in (("start", block.start), ("end", block.end)):
                # the range the database and the other instants of the service hold
                if not EARLIEST <= instant.date() <= LATEST:
                    raise ScenarioError(
                        f"{column} {instant.isoformat()} is not between 1970 and 2200",
                        where=f"line {n}",
                    )
        return carry_in_shifts(blocks, end, str(path))

    return _read_text(text, read, source)


def read_carry_in_json(
    items: Sequence[CarryInIn],
    week: WeekRow,
    channels: Iterable[ChannelRow],
    advisers: Iterable[str],
) -> Roster:
    """Check JSON carry-in rows with the same reader; errors name the row as `carry_in[i]`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CARRY_IN_COLUMNS)
    for item in items:
        writer.writerow(
            [item.adviser_id, item.activity, item.start.isoformat(), item.end.isoformat()]
        )
    try:
        return read_carry_in(out.getvalue(), week, channels, advisers)
    except ScenarioError as err:
        raise _json_rows(err, "carry_in") from None


def carry_in_csv(rows: Sequence[CarryInRow]) -> str:
    """A week's carry-in as the CSV that `read_carry_in` reads (the columns of activities.csv)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CARRY_IN_COLUMNS)
    for r in rows:
        writer.writerow([r.adviser_id, r.activity, _iso(r.start), _iso(r.end)])
    return out.getvalue()
