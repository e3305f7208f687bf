"""Write an example week of web advisers: scenario.json, demand.csv and carry_in.csv in a folder.

    python examples/generate.py --advisers 26 --out examples/airline_week
    python examples/generate.py --advisers 26 --forecast --out examples/airline_week_forecast

The set-up follows the domain brief: a Paris day team on social media (70%) and phone (30%),
and the nights (22:00-08:00 Paris) covered by a French-speaking team in Sydney, by an outsourced
team, or not at all (`--night-policy`). Demand is sized from what the advisers can supply, so a
good roster covers almost all of it. The same seed gives the same advisers whatever the week.
With `--forecast` the folder holds forecast.csv (contacts and handling times) and the channels'
service goals instead of demand.csv: volumes are scaled so that the advisers they require come
to the same share of the supply.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

try:
    import roster  # noqa: F401
except ImportError:  # run as a script from a checkout: the packages sit one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from roster.forecast import Forecast, forecast_frame
from roster.io import load_problem, parse_scenario
from roster.model import Scenario, Team
from roster.problem import Problem
from roster.shifts import team_options
from roster.solution import BREAK
from roster.staffing import headcounts, plan
from roster.timegrid import Grid, iso_utc, localize

REFERENCE_ZONE = "Europe/Paris"
POLICIES = ("sydney", "outsourced", "none")
NIGHT_SHARE = 0.23  # of the advisers, in the night team (26 advisers: 6 at night)
ENGLISH_SHARE = 0.22  # of the Paris team, who also speak English
SOCIAL_ONLY_SHARE = 0.10  # of the Paris team, who work on social media only
DAY_OFF_WISH_SHARE = 0.10  # of all advisers, who wish one day off
LEAVE_SHARE = 0.05  # of all advisers, on leave one whole day
DEMAND_SHARE = 0.90  # demand in adviser-hours, as a share of what the team can supply
DEMAND_CAP = 0.95  # never more than this share of the supply (rounding goes down past it)
NIGHT_START, NIGHT_END = time(22), time(8)  # the Paris night
# Forecasts: handling times in seconds, English contacts per quarter-hour (weekdays 10-18),
# and the service goals of the channels (shrinkage: absence, meetings, coaching; breaks are
# in the roster already).
AHT = {"social": 420.0, "phone": 300.0}
ENGLISH_AHT = 480.0
ENGLISH_CONTACTS = 0.6
GOALS: dict[str, dict[str, float]] = {
    "social": {"service_level": 0.95, "within_minutes": 60},
    "phone": {
        "service_level": 0.8,
        "within_seconds": 20,
        "max_occupancy": 0.85,
        "shrinkage": 0.15,
    },
}
FIT_STEPS = 20  # bisection steps when scaling a forecast to the advisers' supply
FIT_ROUNDS = 2  # rounds of fitting the day and the night of social media in turn

FIRST_NAMES = (  # noqa: SIM905 (a list of names reads better as one string)
    "Camille Léa Manon Chloé Inès Julie Sarah Emma Lucie Clara Pauline Marion Sophie Élodie "
    "Nadia Yasmine Aurélie Claire Thomas Nicolas Julien Antoine Maxime Hugo Lucas Mathieu "
    "Karim Romain Mehdi Benoît Damien Olivier"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Martin Bernard Dubois Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
    "Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont "
    "Lambert Bonnet François Martinez Benali Nguyen Chevalier Gauthier"
).split()

CHANNELS = [
    {"name": "social", "kind": "deferred", "label": "Social media"},
    {"name": "phone", "kind": "realtime", "label": "Phone"},
]

PARIS_TEAM: dict[str, Any] = {
    "name": "paris",
    "timezone": "Europe/Paris",
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
            "paid": False,
        },
        "min_block_minutes": 60,
    },
    "split": {"social": 70, "phone": 30},
    "split_tolerance_points": 5,
}

# Sydney local starts move between 06:00, 07:00 and 08:00 with the two clock changes, and the
# Paris night lasts 9 h or 11 h on the nights Paris changes clocks: hence three starts and lengths.
SYDNEY_TEAM: dict[str, Any] = {
    "name": "sydney",
    "timezone": "Australia/Sydney",
    "window": {"start": "22:00", "end": "08:00"},
    "rules": {
        "min_rest_between_shifts_hours": 10,
        "max_hours_per_day": 10.5,
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
            "earliest_after_minutes": 180,
            "latest_after_minutes": 360,
            "paid": False,
        },
        "min_block_minutes": 60,
    },
    "split": {"social": 100},
    "split_tolerance_points": 5,
}

# A night team of an outsourcer in France: French rules, nights of 8 to 10 hours, social only.
OUTSOURCED_TEAM: dict[str, Any] = {
    "name": "outsourced",
    "timezone": "Europe/Paris",
    "window": {"start": "22:00", "end": "08:00"},
    "rules": {
        "min_rest_between_shifts_hours": 11,
        "max_hours_per_day": 10,
        "max_hours_per_week": 48,
        "contract_hours_per_week": 35,
        "contract_tolerance_hours": 1,
        "max_consecutive_days": 5,
        "min_weekly_rest_hours": 35,
        "shift_starts": ["22:00", "23:00", "00:00"],
        "shift_lengths_hours": [8, 9, 10],
        "break": {
            "minutes": 30,
            "required_over_hours": 6,
            "earliest_after_minutes": 180,
            "latest_after_minutes": 300,
            "paid": False,
        },
        "min_block_minutes": 60,
    },
    "split": {"social": 100},
    "split_tolerance_points": 5,
}

NIGHT_TEAMS = {"sydney": (SYDNEY_TEAM, "S"), "outsourced": (OUTSOURCED_TEAM, "O")}
ID_PREFIXES = {"paris": "P"} | {team["name"]: prefix for team, prefix in NIGHT_TEAMS.values()}


def monday_arg(value: str) -> date:
    """An argparse type: an ISO date that is a Monday."""
    day = date.fromisoformat(value)
    if day.weekday() != 0:
        raise argparse.ArgumentTypeError(f"{value} is not a Monday")
    return day


def team_sizes(advisers: int, policy: str) -> dict[str, int]:
    """Advisers per team: about 77% in Paris and 23% at night (at least 2, to cover 7 nights)."""
    if policy == "none":
        return {"paris": advisers}
    night = max(2, round(advisers * NIGHT_SHARE))
    if advisers - night < 2:
        raise ValueError(f"{advisers} advisers are too few for a day team and a night team")
    return {"paris": advisers - night, NIGHT_TEAMS[policy][0]["name"]: night}


def base_scenario(name: str, monday: date, policy: str) -> dict[str, Any]:
    """The scenario without its advisers: week, channels, teams, demand files, solver knobs."""
    teams = [PARIS_TEAM] + ([NIGHT_TEAMS[policy][0]] if policy in NIGHT_TEAMS else [])
    minimum: dict[str, Any] = {"channel": "social", "advisers": 1}
    if policy == "none":
        minimum |= {
            "window": {"start": "08:00", "end": "22:00"},
            "days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
        }
    data: dict[str, Any] = {
        "name": name,
        "week": {"monday": monday.isoformat(), "timezone": REFERENCE_ZONE, "interval_minutes": 15},
        "channels": CHANNELS,
        "teams": teams,
        "advisers": [],
        "demand": {"csv": "demand.csv", "minimum": [minimum]},
    }
    if policy in NIGHT_TEAMS:
        data["carry_in"] = "carry_in.csv"
    data["solver"] = {"time_limit_seconds": 10, "workers": 2, "seed": 0}
    return data


def shift_days(scenario: Scenario, grid: Grid, team: Team) -> list[date]:
    """Local dates on which the team's shifts of the week start."""
    return sorted({o.day for o in team_options(scenario, grid, team)})


def make_advisers(
    rng: random.Random, scenario: Scenario, grid: Grid, sizes: dict[str, int], weekdays_only: bool
) -> list[dict[str, Any]]:
    """Advisers with names, skills and a few individual touches (wishes, a day of leave)."""
    total = sum(sizes.values())
    if total <= min(len(FIRST_NAMES), len(LAST_NAMES)):
        firsts, lasts = rng.sample(FIRST_NAMES, total), rng.sample(LAST_NAMES, total)
        picked = [f"{first} {last}" for first, last in zip(firsts, lasts, strict=True)]
    else:
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        picked = rng.sample(names, min(total, len(names)))
        picked += [f"{rng.choice(names)} {i}" for i in range(total - len(picked))]
    advisers: list[dict[str, Any]] = []
    for team_name, count in sizes.items():
        english: set[int] = set()
        social_only: set[int] = set()
        if team_name == "paris":
            english = set(rng.sample(range(count), round(count * ENGLISH_SHARE)))
            social_only = set(rng.sample(range(count), max(1, round(count * SOCIAL_ONLY_SHARE))))
        for k in range(count):
            adviser: dict[str, Any] = {
                "id": f"{ID_PREFIXES[team_name]}{k + 1:03d}",
                "name": picked[len(advisers)],
                "team": team_name,
            }
            if team_name == "paris":
                adviser["channels"] = ["social"] if k in social_only else ["social", "phone"]
                adviser["languages"] = ["fr", "en"] if k in english else ["fr"]
                if k in social_only:
                    adviser["split"] = {"social": 100}
            else:
                adviser["channels"] = ["social"]
                adviser["languages"] = ["fr"]
            advisers.append(adviser)

    days = {t.name: shift_days(scenario, grid, t) for t in scenario.teams}
    week = {grid.local_dates(REFERENCE_ZONE)[0] + timedelta(days=i) for i in range(7)}

    def usable(team_name: str, leave: bool) -> list[date]:
        # Leave is taken on a weekday, and counts against the contract only on a date of the
        # week (see Scenario.contract_hours_of); a week without weekend work wishes off weekdays.
        out = days[team_name]
        if leave or weekdays_only:
            out = [d for d in out if d.weekday() < 5]
        return [d for d in out if d in week] if leave else out

    wishing = rng.sample(range(total), round(total * DAY_OFF_WISH_SHARE))
    for i in wishing:
        day = rng.choice(usable(advisers[i]["team"], leave=False))
        advisers[i]["preferences"] = {"days_off": [day.isoformat()]}
    others = [i for i in range(total) if i not in wishing]
    for i in rng.sample(others, max(1, round(total * LEAVE_SHARE))):
        day = rng.choice(usable(advisers[i]["team"], leave=True))
        advisers[i]["unavailable"] = [{"date": day.isoformat(), "reason": "leave"}]
    paris = [i for i in others if advisers[i]["team"] == "paris"]
    clocks = [("earliest_start", "10:00"), ("latest_end", "19:00")]
    for i, (field, clock) in zip(rng.sample(paris, min(2, len(paris))), clocks, strict=False):
        advisers[i]["preferences"] = {field: clock}
    return advisers


def supply_hours(scenario: Scenario) -> dict[tuple[str, str], float]:
    """Worked hours each team can give each channel: contract hours times the split target."""
    out: dict[tuple[str, str], float] = {}
    for adviser in scenario.advisers:
        hours = scenario.contract_hours_of(adviser)
        for channel, share in scenario.split_of(adviser).items():
            key = (adviser.team, channel)
            out[key] = out.get(key, 0.0) + hours * share / 100
    return out


def is_night(local: datetime) -> bool:
    """Whether a Paris wall-clock time lies in the night 22:00-08:00."""
    return local.time() >= NIGHT_START or local.time() < NIGHT_END


def social_day_weight(local: datetime, weekdays_only: bool) -> float:
    """Social media by day: peaks 11:00-14:00 and 16:00-19:00, lower at weekends."""
    if is_night(local) or (weekdays_only and local.weekday() >= 5):
        return 0.0
    h = local.hour + local.minute / 60
    if 11 <= h < 14 or 16 <= h < 19:
        shape = 1.3
    elif 9 <= h < 11 or 14 <= h < 16:
        shape = 0.9
    elif 19 <= h < 21:
        shape = 0.8
    else:  # 08:00-09:00 and 21:00-22:00
        shape = 0.55
    return shape * (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.75)[local.weekday()]


def phone_weight(local: datetime, weekdays_only: bool) -> float:
    """Phone by day, the opposite of social: a morning peak, less on Saturday, little on Sunday."""
    h = local.hour + local.minute / 60
    day = local.weekday()
    if day == 5 and not weekdays_only:
        return 0.45 * (1.4 if 9 <= h < 12 else 1.0) if 9 <= h < 18 else 0.0
    if day == 6 and not weekdays_only:
        return 0.2 if 10 <= h < 16 else 0.0
    if day >= 5 or not 8 <= h < 20:
        return 0.0
    if 9 <= h < 12:
        return 1.5
    if 12 <= h < 14:
        return 1.1
    if 14 <= h < 17:
        return 0.8
    return 1.0 if h < 9 else 0.5


def night_weight(policy: str) -> Callable[[datetime], float]:
    """Social media at night: flat for Sydney (its shifts span the night), else a deep-night dip."""

    def flat(local: datetime) -> float:
        return 1.0 if is_night(local) else 0.0

    def dip(local: datetime) -> float:
        if not is_night(local):
            return 0.0
        if local.hour >= 22 or local.hour < 1:
            return 1.25
        return 0.75 if local.hour < 5 else 1.0

    return {"sydney": flat, "outsourced": dip}.get(policy, lambda local: 0.0)


def scale(weights: Sequence[float], supply: float, step_hours: float) -> list[int]:
    """Whole advisers per interval, shaped by `weights`, adding up to about 90% of `supply` hours.

    The total comes as close to DEMAND_SHARE of the supply as rounding allows without passing
    DEMAND_CAP of it.
    """

    def at(factor: float) -> list[int]:
        return [math.floor(factor * w + 0.5) for w in weights]

    def hours(factor: float) -> float:
        return sum(at(factor)) * step_hours

    target = DEMAND_SHARE * supply
    if target <= 0 or not any(weights):
        return [0] * len(weights)
    lo, hi = 0.0, 1.0
    while hours(hi) < target:
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if hours(mid) < target:
            lo = mid
        else:
            hi = mid
    if hours(hi) > DEMAND_CAP * supply or target - hours(lo) < hours(hi) - target:
        return at(lo)
    return at(hi)


def demand_rows(scenario: Scenario, grid: Grid, policy: str) -> list[dict[str, Any]]:
    """Rows of demand.csv: social and phone for every interval, English social on weekdays."""
    supply = supply_hours(scenario)
    step = grid.minutes / 60
    local = grid.local_instants
    weekdays_only = policy == "none"
    social_day = scale(
        [social_day_weight(t, weekdays_only) for t in local],
        supply.get(("paris", "social"), 0.0),
        step,
    )
    phone = scale(
        [phone_weight(t, weekdays_only) for t in local], supply.get(("paris", "phone"), 0.0), step
    )
    night_supply = sum(h for (team, _), h in supply.items() if team != "paris")
    night = scale([night_weight(policy)(t) for t in local], night_supply, step)
    english = any("en" in a.languages for a in scenario.advisers)
    rows = []
    for i, t in enumerate(local):
        stamp = t.isoformat()
        rows.append(
            {
                "interval_start": stamp,
                "channel": "social",
                "required": social_day[i] + night[i],
                "language": "",
            }
        )
        rows.append(
            {"interval_start": stamp, "channel": "phone", "required": phone[i], "language": ""}
        )
        if english and t.weekday() < 5 and 10 <= t.hour < 18:
            rows.append(
                {"interval_start": stamp, "channel": "social", "required": 1, "language": "en"}
            )
    return rows


def forecast_of(scenario: Scenario, grid: Grid, policy: str) -> Forecast:
    """A week of contacts shaped like the demand above (social peaks 11:00-14:00 and
    16:00-19:00, phone by day), each part's volume the largest whose required advisers stay
    within DEMAND_SHARE of what the team covering it can supply inside its window."""
    local = grid.local_instants
    weekdays_only = policy == "none"
    day = np.array([social_day_weight(t, weekdays_only) for t in local])
    night = np.array([night_weight(policy)(t) for t in local])
    phone = np.array([phone_weight(t, weekdays_only) for t in local])
    english = np.zeros(grid.count)
    if any("en" in a.languages for a in scenario.advisers):
        english = np.array(
            [ENGLISH_CONTACTS if t.weekday() < 5 and 10 <= t.hour < 18 else 0.0 for t in local]
        )
    supply = supply_hours(scenario)
    by_day = np.array([scenario.team("paris").window.contains(t.time()) for t in local])
    day_supply = supply.get(("paris", "social"), 0.0)
    night_supply = sum(
        h for (team, channel), h in supply.items() if channel == "social" and team != "paris"
    )

    def volumes(day_scale: float, night_scale: float, phone_scale: float) -> Forecast:
        volume = {
            ("phone", None): np.round(phone * phone_scale, 1),
            ("social", None): np.round(day * day_scale + night * night_scale, 1),
        }
        if english.any():
            volume[("social", "en")] = english
        return _forecast(grid, volume)

    def hours(forecast: Forecast, channel: str, where: np.ndarray) -> float:
        required = headcounts(plan(scenario, forecast, service=False))[(channel, None)]
        return float(required[where].sum()) * grid.minutes / 60

    everywhere = np.ones(grid.count, dtype=bool)
    phone_supply = supply.get(("paris", "phone"), 0.0) if phone.any() else 0.0
    phone_scale = _fit(lambda k: hours(volumes(0, 0, k), "phone", everywhere), phone_supply)
    day_scale = night_scale = 0.0
    for _ in range(FIT_ROUNDS):  # the day's backlog runs into the night and back
        day_scale = _fit(
            lambda k, n=night_scale: hours(volumes(k, n, 0), "social", by_day), day_supply
        )
        if night.any():
            night_scale = _fit(
                lambda k, d=day_scale: hours(volumes(d, k, 0), "social", ~by_day), night_supply
            )
    return volumes(day_scale, night_scale, phone_scale)


def _fit(hours: Callable[[float], float], supply: float) -> float:
    """The scale whose required adviser-hours come closest to DEMAND_SHARE of `supply` without
    passing DEMAND_CAP of it, by bisection (required advisers only grow with the volume)."""
    target = DEMAND_SHARE * supply
    if target <= 0:
        return 0.0
    low, high = 0.0, 1.0
    while hours(high) <= target:
        low, high = high, 2 * high
    for _ in range(FIT_STEPS):
        middle = (low + high) / 2
        low, high = (middle, high) if hours(middle) <= target else (low, middle)
    above = hours(high)
    if above <= DEMAND_CAP * supply and above - target < target - hours(low):
        return high
    return low


def _forecast(grid: Grid, volume: dict[tuple[str, str | None], np.ndarray]) -> Forecast:
    """A forecast of these volumes with the channels' handling times."""
    aht = {
        key: np.where(v > 0, ENGLISH_AHT if key[1] else AHT[key[0]], 0.0)
        for key, v in volume.items()
    }
    return Forecast(grid=grid, volume=volume, aht=aht)


def previous_night(monday: date) -> tuple[datetime, datetime]:
    """The Paris night from Sunday 22:00 to the week's Monday 08:00, in UTC."""
    start = localize(monday - timedelta(days=1), NIGHT_START, REFERENCE_ZONE)
    end = localize(monday, NIGHT_END, REFERENCE_ZONE)
    assert start is not None and end is not None
    return start, end


def carry_in_rows(
    rng: random.Random, scenario: Scenario, grid: Grid, night_level: int
) -> list[dict[str, str]]:
    """Activities of the night before the week, worked by the night team, breaks staggered.

    One adviser more than the night's demand, so the first night stays covered during breaks.
    """
    night_team = next((t for t in scenario.teams if t.name != "paris"), None)
    if night_team is None:
        return []
    start, end = previous_night(scenario.week.monday)
    before = Grid.for_week(scenario.week.monday - timedelta(days=7), REFERENCE_ZONE, grid.minutes)
    option = next(
        (
            o
            for o in team_options(scenario, before, night_team)
            if o.start == start and o.end == end
        ),
        None,
    )
    if option is None:
        raise ValueError(f"team {night_team.name} has no shift for the night {start} - {end}")
    free = [
        a.id
        for a in scenario.advisers
        if a.team == night_team.name and not a.unavailable and not a.preferences.days_off
    ]
    workers = sorted(rng.sample(free, min(len(free), night_level + 1)))
    rows = []
    for k, adviser_id in enumerate(workers):
        offset = option.break_offsets[(2 * k) % len(option.break_offsets)]
        pause = start + timedelta(minutes=offset)
        back = pause + timedelta(minutes=option.break_minutes)
        for kind, a, b in (("social", start, pause), (BREAK, pause, back), ("social", back, end)):
            rows.append(
                {"adviser_id": adviser_id, "activity": kind, "start": iso_utc(a), "end": iso_utc(b)}
            )
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Write rows as UTF-8 CSV with a header line and Unix line ends."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(
    out: Path,
    advisers: int,
    monday: date,
    seed: int,
    name: str,
    policy: str,
    *,
    forecast: bool = False,
) -> Problem:
    """Write the example folder and return it loaded back, as a solver would see it.

    With `forecast`, the folder holds forecast.csv and the channels' service goals instead of
    demand.csv.
    """
    rng = random.Random(seed)
    data = base_scenario(name, monday, policy)
    grid = Grid.for_week(monday, REFERENCE_ZONE, data["week"]["interval_minutes"])
    sizes = team_sizes(advisers, policy)
    bare = parse_scenario(data, source="generated scenario")
    data["advisers"] = make_advisers(rng, bare, grid, sizes, weekdays_only=policy == "none")
    if forecast:
        data["channels"] = [c | {"service": GOALS[c["name"]]} for c in CHANNELS]
        data["demand"] = {"forecast": "forecast.csv"} | {
            k: v for k, v in data["demand"].items() if k != "csv"
        }
    scenario = parse_scenario(data, source="generated scenario")
    morning = previous_night(monday)[1]
    contacts = None
    if forecast:
        contacts = forecast_of(scenario, grid, policy)
        social = headcounts(plan(scenario, contacts))[("social", None)]
        first_night = [int(n) for n, t in zip(social, grid.instants, strict=True) if t < morning]
    else:
        demand = demand_rows(scenario, grid, policy)
        first_night = [
            r["required"]
            for r in demand
            if r["channel"] == "social"
            and not r["language"]
            and datetime.fromisoformat(r["interval_start"]) < morning
        ]
    carry_in = carry_in_rows(rng, scenario, grid, max(first_night, default=0))
    if not carry_in:
        data.pop("carry_in", None)

    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    (out / "scenario.json").write_text(text + "\n", encoding="utf-8")
    if contacts is not None:
        (out / "demand.csv").unlink(missing_ok=True)
        forecast_frame(contacts).to_csv(out / "forecast.csv", index=False, lineterminator="\n")
    else:
        (out / "forecast.csv").unlink(missing_ok=True)
        write_csv(out / "demand.csv", demand, ("interval_start", "channel", "required", "language"))
    (out / "carry_in.csv").unlink(missing_ok=True)
    if carry_in:
        write_csv(out / "carry_in.csv", carry_in, ("adviser_id", "activity", "start", "end"))
    problem = load_problem(out)
    check_windows_coverable(problem)
    return problem


def check_windows_coverable(problem: Problem) -> None:
    """Every interval of each team's window has a shift option or a carried-in shift on it."""
    grid = problem.grid
    carried = {i for s in problem.carry_in.shifts for i in grid.span(s.start, s.end)}
    for team in problem.scenario.teams:
        covered = set(carried)
        for option in problem.team_options[team.name]:
            covered.update(grid.span(option.start, option.end))
        for i, local in enumerate(grid.local_instants):
            if team.window.contains(local.time()) and i not in covered:
                raise ValueError(f"team {team.name} has no shift that covers {local.isoformat()}")


def figures(problem: Problem) -> list[str]:
    """Lines that tell advisers per team and demand against supply per channel and team window."""
    scenario = problem.scenario
    grid = problem.grid
    step = grid.minutes / 60
    lines = [f"{scenario.name}: week of {scenario.week.monday}, {grid.count} intervals"]
    for team in scenario.teams:
        count = sum(1 for a in scenario.advisers if a.team == team.name)
        lines.append(f"  team {team.name}: {count} adviser{'' if count == 1 else 's'}")
    supply = supply_hours(scenario)
    for channel in scenario.channels:
        need = problem.requirements.headcount(channel.name)
        parts = []
        for team in scenario.teams:
            can = supply.get((team.name, channel.name), 0.0)
            inside = [
                n
                for n, t in zip(need, grid.local_instants, strict=True)
                if team.window.contains(t.time())
            ]
            if can:
                parts.append(f"{team.name} window {_ratio(sum(inside) * step, can)}")
        total = sum(h for (_, c), h in supply.items() if c == channel.name)
        by_team = f"; {', '.join(parts)}" if parts else ""
        lines.append(
            f"  {channel.name}: demand/supply {_ratio(sum(need) * step, total)} adviser-hours"
            + by_team
        )
    return lines


def _ratio(need: float, can: float) -> str:
    return f"{need:g}/{can:g} ({need / can:.0%})" if can else f"{need:g}/0"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and write one example folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisers", type=int, required=True, help="advisers in all teams")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument(
        "--monday", type=monday_arg, default=date(2026, 11, 23), help="first day of the week"
    )
    parser.add_argument("--seed", type=int, default=0, help="draws names and individual touches")
    parser.add_argument("--name", help="scenario name (default: the folder name)")
    parser.add_argument("--night-policy", choices=POLICIES, default="sydney")
    parser.add_argument(
        "--forecast", action="store_true", help="write forecast.csv and service goals, no demand"
    )
    args = parser.parse_args(argv)
    if args.advisers < 1:
        parser.error("--advisers must be at least 1")
    try:
        problem = generate(
            args.out,
            args.advisers,
            args.monday,
            args.seed,
            args.name or args.out.resolve().name,
            args.night_policy,
            forecast=args.forecast,
        )
    except ValueError as err:
        parser.error(str(err))
    print("\n".join(figures(problem)))


if __name__ == "__main__":
    main()
