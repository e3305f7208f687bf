"""Reading scenarios and rosters from files, writing rosters and reports to files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from roster.demand import Key, instant_of, merge_demand, read_demand_csv, requirements
from roster.errors import ScenarioError
from roster.forecast import read_forecast_csv
from roster.incident import Incident
from roster.model import Scenario
from roster.problem import Problem
from roster.shifts import check_grid
from roster.solution import BREAK, Activity, Roster, Shift
from roster.staffing import Service, demand_frame, plan, project
from roster.timegrid import Grid, iso_utc, to_local

SCENARIO_FILE = "scenario.json"
M = TypeVar("M", bound=BaseModel)


def scenario_path(path: str | Path) -> Path:
    """A scenario file, or the `scenario.json` of a folder."""
    p = Path(path)
    return p / SCENARIO_FILE if p.is_dir() else p


def load_scenario(path: str | Path) -> Scenario:
    """Parse and validate a scenario file; errors name the file and the field."""
    file = scenario_path(path)
    return parse_scenario(_read_json(file), source=str(file))


def _read_json(file: Path) -> Any:
    """A JSON file's data; errors name the file (and the line of a syntax error)."""
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("file not found", source=source) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"unreadable file ({err})", source=source) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError(
            f"not valid JSON: {err.msg}", source=source, where=f"line {err.lineno}"
        ) from None


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Validate scenario data already parsed from JSON."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "$schema"}
    scenario = _validated(Scenario, data, source)
    try:
        check_grid(scenario)
    except ScenarioError as err:
        raise err.located(source) from None
    return scenario


def load_incident(path: str | Path, scenario: Scenario) -> Incident:
    """Parse and validate an incident file against its scenario; errors name the field."""
    file = Path(path)
    incident = _validated(Incident, _read_json(file), str(file))
    incident.check(scenario, source=str(file))
    return incident


def _validated(cls: type[M], data: Any, source: str) -> M:
    """`data` as a `cls`; the first problem found is raised naming its field."""
    try:
        return cls.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = _location(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        more = len(err.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ScenarioError(message, source=source, where=where or None) from None


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def week_grid(scenario: Scenario) -> Grid:
    """The interval grid of a scenario's week."""
    return Grid.for_week(
        scenario.week.monday, scenario.week.timezone, scenario.week.interval_minutes
    )


def load_problem(path: str | Path) -> Problem:
    """A scenario file with its demand CSV, forecast and carry-in, ready to solve or check.

    A forecast becomes required advisers with the channels' service goals; where the demand CSV
    asks for the same interval, channel and language, the larger number holds.
    """
    file = scenario_path(path)
    scenario = load_scenario(file)
    grid = week_grid(scenario)
    frame = None
    if scenario.demand.csv:
        frame = read_demand_csv(file.parent / scenario.demand.csv, scenario, grid)
    forecast = None
    if scenario.demand.forecast:
        forecast = read_forecast_csv(file.parent / scenario.demand.forecast, scenario, grid)
        frame = merge_demand([frame, demand_frame(plan(scenario, forecast, service=False))])
    carry_in = Roster()
    if scenario.carry_in:
        carry_in = read_carry_in(file.parent / scenario.carry_in, scenario, grid.end)
    return Problem(
        scenario, grid, requirements(scenario, grid, frame), carry_in, str(file), forecast
    )


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    source = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ScenarioError("file not found", source=source) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ScenarioError(f"unreadable CSV ({err})", source=source) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ScenarioError(
            f"missing column(s) {', '.join(missing)}", source=source, where="line 1"
        )
    return frame


def read_activities(path: Path, scenario: Scenario) -> list[tuple[int, str, Activity]]:
    """An activities file's blocks as (line, adviser, block), checked; errors name the line."""
    source = str(path)
    kinds = {c.name for c in scenario.channels} | {BREAK}
    advisers = {a.id for a in scenario.advisers}
    out = []
    frame = _read_csv(path, ("adviser_id", "activity", "start", "end"))
    for n, row in enumerate(frame.to_dict("records"), start=2):
        where = f"line {n}"
        kind = row["activity"].strip()
        if row["adviser_id"].strip() not in advisers:
            raise ScenarioError(
                f"unknown adviser {row['adviser_id'].strip()!r}", source=source, where=where
            )
        if kind not in kinds:
            raise ScenarioError(f"unknown activity {kind!r}", source=source, where=where)
        start = instant_of(row["start"], "start", source, where)
        end = instant_of(row["end"], "end", source, where)
        if end <= start:
            raise ScenarioError("end is not after start", source=source, where=where)
        out.append((n, row["adviser_id"].strip(), Activity(kind, start, end)))
    return out


def read_carry_in(path: Path, scenario: Scenario, week_end: datetime) -> Roster:
    """The shifts of a carry-in file (the columns of activities.csv), checked as carry_in_shifts
    checks them."""
    return carry_in_shifts(read_activities(path, scenario), week_end, str(path))


def carry_in_shifts(
    blocks: list[tuple[int, str, Activity]], week_end: datetime, source: str
) -> Roster:
    """Carry-in blocks (line, adviser, block) as shifts: back-to-back blocks of one adviser form
    a shift. Each block must start before the week ends, and no two of an adviser overlap
    (ScenarioError naming the line)."""
    last: dict[str, tuple[int, Activity]] = {}
    for n, adviser_id, block in sorted(blocks, key=lambda b: (b[1], b[2].start, b[0])):
        if block.start >= week_end:
            raise ScenarioError(
                f"start {iso_utc(block.start)} is not before the end of the week "
                f"({iso_utc(week_end)})",
                source=source,
                where=f"line {n}",
            )
        if adviser_id in last and block.start < last[adviser_id][1].end:
            raise ScenarioError(
                f"{adviser_id}'s block overlaps the one on line {last[adviser_id][0]}",
                source=source,
                where=f"line {n}",
            )
        last[adviser_id] = (n, block)
    return Roster.from_blocks((adviser_id, block) for _, adviser_id, block in blocks)


def read_roster(folder: str | Path, scenario: Scenario) -> Roster:
    """A roster from `shifts.csv` and `activities.csv` in a folder."""
    folder = Path(folder)
    shifts_file = folder / "shifts.csv"
    source = str(shifts_file)
    frame = _read_csv(shifts_file, ("adviser_id", "start", "end"))
    advisers = {a.id for a in scenario.advisers}
    spans = []
    for n, row in enumerate(frame.to_dict("records"), start=2):
        where = f"line {n}"
        if row["adviser_id"].strip() not in advisers:
            raise ScenarioError(
                f"unknown adviser {row['adviser_id'].strip()!r}", source=source, where=where
            )
        start = instant_of(row["start"], "start", source, where)
        end = instant_of(row["end"], "end", source, where)
        if end <= start:
            raise ScenarioError("end is not after start", source=source, where=where)
        spans.append((row["adviser_id"].strip(), start, end, []))
    for n, adviser_id, activity in read_activities(folder / "activities.csv", scenario):
        home = next(
            (
                s
                for s in spans
                if s[0] == adviser_id and s[1] <= activity.start and activity.end <= s[2]
            ),
            None,
        )
        if home is None:
            raise ScenarioError(
                f"{activity.kind} {iso_utc(activity.start)}-{iso_utc(activity.end)} of adviser "
                f"{adviser_id!r} lies in none of their shifts",
                source=str(folder / "activities.csv"),
                where=f"line {n}",
            )
        home[3].append(activity)
    return Roster(
        [Shift(a, s, e, tuple(sorted(acts, key=lambda x: x.start))) for a, s, e, acts in spans]
    )


def shifts_frame(problem: Problem, roster: Roster) -> pd.DataFrame:
    scenario = problem.scenario
    rows = []
    for adviser_id, shifts in roster.by_adviser().items():
        adviser = scenario.adviser(adviser_id)
        tz = problem.teams[adviser.team].timezone
        for s in shifts:
            rows.append(
                {
                    "adviser_id": adviser_id,
                    "team": adviser.team,
                    "start": iso_utc(s.start),
                    "end": iso_utc(s.end),
                    "local_start": to_local(s.start, tz).isoformat(),
                    "local_end": to_local(s.end, tz).isoformat(),
                    "timezone": tz,
                    "hours": round(s.minutes / 60, 2),
                    "break_minutes": s.break_minutes,
                    "channels": "/".join(s.channels),
                }
            )
    columns = [
        "adviser_id",
        "team",
        "start",
        "end",
        "local_start",
        "local_end",
        "timezone",
        "hours",
        "break_minutes",
        "channels",
    ]
    return pd.DataFrame(rows, columns=columns)


def activities_frame(roster: Roster) -> pd.DataFrame:
    rows = [
        {
            "adviser_id": s.adviser_id,
            "activity": a.kind,
            "start": iso_utc(a.start),
            "end": iso_utc(a.end),
        }
        for shifts in roster.by_adviser().values()
        for s in shifts
        for a in s.activities
    ]
    return pd.DataFrame(rows, columns=["adviser_id", "activity", "start", "end"])


def coverage_frame(
    problem: Problem, roster: Roster, extra: Mapping[Key, list[int]] | None = None
) -> pd.DataFrame:
    """Required, scheduled and shortfall per interval and channel (and language where asked).

    With a forecast, three more columns on each channel's headcount rows: `forecast_volume`
    (contacts expected), and the projected `service_level` (real-time channels) or
    `on_time_share` (deferred channels); empty where they do not apply or no contact arrives.
    `extra` adds advisers who are not in the roster (an outsourcer's, in a surge) to `scheduled`.
    """
    scheduled = problem.scheduled(roster)
    for key, row in (extra or {}).items():
        if key in scheduled:
            scheduled[key] = [a + b for a, b in zip(scheduled[key], row, strict=True)]
    grid = problem.grid
    req = problem.requirements
    keys = sorted(scheduled, key=lambda k: (k[0], k[1] or ""))
    services = project(problem.scenario, problem.forecast, scheduled) if problem.forecast else None
    rows = []
    for i, instant in enumerate(grid.instants):
        stamp = iso_utc(instant)
        local = grid.local_instants[i].isoformat()
        for channel, language in keys:
            need = (
                req.headcount(channel)[i]
                if language is None
                else req.required[(channel, language)][i]
            )
            have = scheduled[(channel, language)][i]
            row: dict[str, Any] = {
                "interval_start": stamp,
                "local_start": local,
                "channel": channel,
                "language": language or "",
                "required": need,
                "scheduled": have,
                "shortfall": max(0, need - have),
                "surplus": max(0, have - need),
            }
            if services is not None:
                row |= _projected(services, channel, language, i)
            rows.append(row)
    return pd.DataFrame(rows)


PROJECTED_COLUMNS = ("forecast_volume", "service_level", "on_time_share")


def _projected(
    services: dict[str, Service], channel: str, language: str | None, i: int
) -> dict[str, float | None]:
    out: dict[str, float | None] = dict.fromkeys(PROJECTED_COLUMNS)
    service = services.get(channel)
    if service is None or language is not None:
        return out
    out["forecast_volume"] = round(float(service.volume[i]), 3)
    if service.volume[i] > 0:
        out[service.measure] = round(float(service.value[i]), 4)
    return out


def write_roster(
    folder: str | Path,
    problem: Problem,
    roster: Roster,
    summary: dict[str, Any],
    extra: Mapping[Key, list[int]] | None = None,
) -> None:
    """Write shifts.csv, activities.csv, coverage.csv and summary.json into a folder
    (`extra`: advisers beside the roster's, as in `coverage_frame`)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    shifts_frame(problem, roster).to_csv(out / "shifts.csv", index=False)
    activities_frame(roster).to_csv(out / "activities.csv", index=False)
    coverage_frame(problem, roster, extra).to_csv(out / "coverage.csv", index=False)
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
