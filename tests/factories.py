"""Builders of small scenarios and rosters on fixed dates, for tests.

Two teams: `paris` (day shifts, Europe/Paris) and `sydney` (the Paris night, 22:00-08:00 Paris
time, worked from Australia/Sydney). The default week is Monday 23 November 2026 (no clock change
in either city). `compliant_week` and `compliant_sydney_week` give rosters that break no hard
rule, so a test can break exactly one on purpose.

>>> from roster.timegrid import iso_utc
>>> iso_utc(paris_instant("2026-11-24 08:00"))
'2026-11-24T07:00:00Z'
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytz

from roster.demand import requirements
from roster.io import parse_scenario
from roster.problem import Problem
from roster.solution import Activity, Roster, Shift
from roster.timegrid import UTC, Grid
from roster.validation import validate

PARIS = "Europe/Paris"
SYDNEY = "Australia/Sydney"
MONDAY = "2026-11-23"  # no clock change anywhere that week
SPRING_MONDAY = "2026-03-23"  # Paris springs forward on Sunday 29 March (night of Sat 28: 9 h)
AUTUMN_MONDAY = "2026-10-19"  # Paris falls back on Sunday 25 October (night of Sat 24: 11 h)

Blocks = Sequence[tuple[str, int]]

PARIS_TEAM: dict[str, Any] = {
    "name": "paris",
    "timezone": PARIS,
    "window": {"start": "08:00", "end": "22:00"},
    "rules": {
        "min_rest_between_shifts_hours": 11,
        "max_hours_per_day": 10,
        "max_hours_per_week": 48,
        "contract_hours_per_week": 35,
        "contract_tolerance_hours": 1,
        "max_consecutive_days": 5,
        "min_weekly_rest_hours": 35,
        "shift_starts": {"from": "08:00", "to": "14:30", "every_minutes": 30},
        "shift_lengths_hours": [7.5],
        "break": {
            "minutes": 30,
            "required_over_hours": 6,
            "earliest_after_minutes": 120,
            "latest_after_minutes": 300,
        },
        "min_block_minutes": 60,
    },
    "split": {"social": 70, "phone": 30},
    "split_tolerance_points": 5,
}

SYDNEY_TEAM: dict[str, Any] = {
    "name": "sydney",
    "timezone": SYDNEY,
    "window": {"start": "22:00", "end": "08:00"},
    "rules": {
        "min_rest_between_shifts_hours": 10,
        "max_hours_per_day": 11,
        "max_hours_per_week": 48,
        "contract_hours_per_week": 38,
        "contract_tolerance_hours": 2,
        "max_consecutive_days": 5,
        "min_weekly_rest_hours": 35,
        "shift_starts": ["06:00", "07:00", "08:00"],
        "shift_lengths_hours": [9, 10, 11],
        "break": {
            "minutes": 30,
            "required_over_hours": 6,
            "earliest_after_minutes": 120,
            "latest_after_minutes": 300,
        },
        "min_block_minutes": 60,
    },
    "split": {"social": 100},
    "split_tolerance_points": 5,
}


def _team(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    team = copy.deepcopy(base)
    rules = overrides.pop("rules", None) or {}
    for key, value in rules.items():
        if key == "break" and isinstance(value, dict):
            team["rules"]["break"] = {**team["rules"]["break"], **value}
        else:
            team["rules"][key] = value
    team.update(copy.deepcopy(overrides))
    return team


def paris_team(**overrides: Any) -> dict[str, Any]:
    """The Paris day team as scenario JSON holds it.

    `rules` is merged key by key into the team's rules (and `break` inside it); any other key
    replaces the default, e.g. `paris_team(rules={"max_consecutive_days": 6}, window=None)`.
    """
    return _team(PARIS_TEAM, overrides)


def sydney_team(**overrides: Any) -> dict[str, Any]:
    """The Sydney night team (window 22:00-08:00 Paris time); overrides as in `paris_team`."""
    return _team(SYDNEY_TEAM, overrides)


def adviser(
    id: str,
    team: str = "paris",
    channels: Iterable[str] = ("social", "phone"),
    languages: Iterable[str] = ("fr",),
    **overrides: Any,
) -> dict[str, Any]:
    """An adviser as scenario JSON holds it; overrides are any other Adviser field."""
    return {
        "id": id,
        "team": team,
        "channels": list(channels),
        "languages": list(languages),
        **copy.deepcopy(overrides),
    }


def scenario_dict(
    monday: str = MONDAY,
    teams: list[dict[str, Any]] | None = None,
    advisers: list[dict[str, Any]] | None = None,
    minimum: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A scenario as JSON holds it: social (deferred) and phone (realtime), Paris reference zone.

    Defaults: both teams, adviser P1 in Paris (social and phone) and S1 in Sydney (social only).
    """
    data: dict[str, Any] = {
        "name": "test",
        "week": {"monday": monday, "timezone": PARIS, "interval_minutes": 15},
        "channels": [
            {"name": "social", "kind": "deferred", "label": "Social media"},
            {"name": "phone", "kind": "realtime", "label": "Phone"},
        ],
        "teams": teams if teams is not None else [paris_team(), sydney_team()],
        "advisers": (
            advisers
            if advisers is not None
            else [adviser("P1"), adviser("S1", team="sydney", channels=("social",))]
        ),
        "demand": {"minimum": minimum or []},
    }
    data.update(copy.deepcopy(overrides))
    return data


PHONE_GOAL: dict[str, Any] = {
    "service_level": 0.8,
    "within_seconds": 20,
    "max_occupancy": 0.85,
    "shrinkage": 0.3,
}
SOCIAL_GOAL: dict[str, Any] = {"service_level": 0.95, "within_minutes": 60}
FORECAST_HEADER = ["interval_start", "channel", "volume", "aht_seconds", "language"]


def with_goals(
    data: dict[str, Any],
    phone: dict[str, Any] | None = PHONE_GOAL,
    social: dict[str, Any] | None = SOCIAL_GOAL,
) -> dict[str, Any]:
    """The scenario with service goals on its channels (None leaves a channel without one)."""
    out = copy.deepcopy(data)
    goals = {"phone": phone, "social": social}
    for channel in out["channels"]:
        if goals.get(channel["name"]) is not None:
            channel["service"] = copy.deepcopy(goals[channel["name"]])
    return out


def forecast_folder(
    folder: Path,
    rows: Sequence[Sequence[object]],
    data: dict[str, Any] | None = None,
    demand: Sequence[Sequence[object]] | None = None,
) -> Path:
    """A scenario folder whose demand comes from forecast.csv (and demand.csv when given).

    `rows` are forecast rows (interval_start, channel, volume, aht_seconds[, language]) under
    a header with the language column; `data` defaults to the default scenario with goals.
    """
    folder.mkdir(parents=True, exist_ok=True)
    scenario = copy.deepcopy(data if data is not None else with_goals(scenario_dict()))
    scenario["demand"] = {"forecast": "forecast.csv"} | {
        k: v for k, v in scenario.get("demand", {}).items() if k != "forecast"
    }
    if demand is not None:
        scenario["demand"]["csv"] = "demand.csv"
        _write_rows(folder / "demand.csv", ["interval_start", "channel", "required"], demand)
    (folder / "scenario.json").write_text(json.dumps(scenario, indent=2), encoding="utf-8")
    padded = [[*r, *[""] * (len(FORECAST_HEADER) - len(r))] for r in rows]
    _write_rows(folder / "forecast.csv", FORECAST_HEADER, padded)
    return folder


def _write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def make_problem(
    data: dict[str, Any],
    demand: list[tuple[str, str, int]] | None = None,
    carry_in: Roster | None = None,
) -> Problem:
    """A Problem built in memory from a scenario dict.

    `demand` rows are (interval start, channel, required advisers); the start is ISO 8601 with an
    offset, or a wall clock "YYYY-MM-DD HH:MM" in the scenario's reference zone.
    """
    scenario = parse_scenario(data)
    grid = Grid.for_week(
        scenario.week.monday, scenario.week.timezone, scenario.week.interval_minutes
    )
    frame = None
    if demand is not None:
        rows = [
            (grid.index(_instant(when, grid.timezone)), channel, None, int(required))
            for when, channel, required in demand
        ]
        frame = pd.DataFrame(rows, columns=["index", "channel", "language", "required"])
    return Problem(scenario, grid, requirements(scenario, grid, frame), carry_in or Roster())


def _instant(value: str, tz_name: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        instant = None
    if instant is not None and instant.tzinfo is not None:
        return instant.astimezone(UTC)
    return at(value, tz_name)


def at(local: str, tz: str, is_dst: bool | None = None) -> datetime:
    """The UTC instant of a wall clock "YYYY-MM-DD HH:MM" in a zone.

    A clock the zone skips or repeats raises, unless `is_dst` picks an occurrence.
    """
    naive = datetime.strptime(local, "%Y-%m-%d %H:%M")
    return pytz.timezone(tz).localize(naive, is_dst=is_dst).astimezone(UTC)


def paris_instant(local: str) -> datetime:
    """'2026-11-24 08:00' on the Paris wall clock, as an aware UTC datetime."""
    return at(local, PARIS)


def sydney_instant(local: str) -> datetime:
    """'2026-11-24 08:00' on the Sydney wall clock, as an aware UTC datetime."""
    return at(local, SYDNEY)


def shift(adviser_id: str, start: datetime, blocks: Blocks) -> Shift:
    """A shift from its start and back-to-back (kind, minutes) blocks (kind: channel or break)."""
    activities = []
    cursor = start
    for kind, minutes in blocks:
        end = cursor + timedelta(minutes=minutes)
        activities.append(Activity(kind, cursor, end))
        cursor = end
    return Shift(adviser_id, start, cursor, tuple(activities))


def day(monday: str, offset: int) -> str:
    """The ISO date `offset` days after `monday`."""
    return (date.fromisoformat(monday) + timedelta(days=offset)).isoformat()


def paris_blocks(phone: int = 120, break_after: int = 150) -> list[tuple[str, int]]:
    """Blocks of a 7.5 h Paris shift: social, a 30 min break, `phone` minutes, then social."""
    rest = 450 - break_after - 30 - phone
    blocks = [("social", break_after), ("break", 30), ("phone", phone)]
    return [*blocks, ("social", rest)] if rest else blocks


def paris_day(adviser_id: str, date_: str, start: str = "09:00", phone: int = 120) -> Shift:
    """A compliant 7.5 h Paris shift (7 h worked) on a local date, starting at `start`."""
    return shift(adviser_id, paris_instant(f"{date_} {start}"), paris_blocks(phone))


def compliant_week(
    adviser_id: str = "P1",
    monday: str = MONDAY,
    days: Sequence[int] = (0, 1, 2, 3, 4),
    start: str = "09:00",
    phone: Sequence[int] | None = None,
) -> list[Shift]:
    """A Paris adviser's week breaking no rule: 5 shifts of 7 h worked = 35 h, 630 min on phone.

    Days are offsets from Monday. Phone minutes per shift default to 120, and 150 on the last
    day: 30% of the week exactly for 5 days, within 1.5 points for 3 to 7 days.
    """
    if phone is None:
        phone = [120] * (len(days) - 1) + [150]
    return [
        paris_day(adviser_id, day(monday, d), start, minutes)
        for d, minutes in zip(days, phone, strict=True)
    ]


def sydney_blocks(hours: float = 10) -> list[tuple[str, int]]:
    """Blocks of a Sydney night: 4 h social, a 30 min break, social to the end."""
    return [("social", 240), ("break", 30), ("social", round(hours * 60) - 270)]


def sydney_night(adviser_id: str, paris_evening: str, hours: float = 10) -> Shift:
    """A Sydney shift starting at 22:00 Paris on `paris_evening` (06:00-08:00 in Sydney)."""
    return shift(adviser_id, paris_instant(f"{paris_evening} 22:00"), sydney_blocks(hours))


def compliant_sydney_week(
    adviser_id: str = "S1",
    monday: str = MONDAY,
    nights: Sequence[int] = (0, 1, 2, 3),
    hours: Sequence[float] = (10, 10, 10, 10),
) -> list[Shift]:
    """A Sydney adviser's week breaking no rule: 4 nights of 10 h (9.5 h worked) = 38 h.

    Nights are offsets from Monday of the Paris evening the night starts on. Valid on weeks with
    10-hour Paris nights only (for the clock-change nights pass their real length in `hours`).
    """
    return [sydney_night(adviser_id, day(monday, n), h) for n, h in zip(nights, hours, strict=True)]


def compliant_roster(monday: str = MONDAY) -> Roster:
    """P1's and S1's compliant weeks, for the default scenario."""
    return Roster([*compliant_week(monday=monday), *compliant_sydney_week(monday=monday)])


def broken_rules(
    shifts: Roster | Iterable[Shift],
    data: dict[str, Any] | None = None,
    carry_in: Iterable[Shift] = (),
) -> set[tuple[str, str]]:
    """(rule, adviser id) of every hard violation in the shifts, under a scenario (default one)."""
    roster = shifts if isinstance(shifts, Roster) else Roster(list(shifts))
    problem = make_problem(data or scenario_dict(), carry_in=Roster(list(carry_in)))
    return {(v.rule, v.adviser_id) for v in validate(problem, roster)}
