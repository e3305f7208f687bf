"""The soft rules: penalty points of a roster, the same whoever made it (solver, re-plan, human)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import lru_cache

from roster.model import Adviser, Scenario
from roster.problem import Problem
from roster.solution import BREAK, Roster, Shift
from roster.timegrid import to_local

NIGHT_START, NIGHT_END = time(22), time(6)
NIGHT_MINUTES = 120  # a shift with at least this much of 22:00-06:00 (local) is a night shift


@lru_cache(maxsize=1 << 14)  # asked per class and option: 3,000 times for 120 shifts (750 advisers)
def is_weekend(start: datetime, tz_name: str) -> bool:
    """A shift that starts on a local Saturday or Sunday."""
    return to_local(start, tz_name).weekday() >= 5


@lru_cache(maxsize=1 << 14)
def is_night(start: datetime, minutes: int, tz_name: str) -> bool:
    """A shift with at least two hours between 22:00 and 06:00 on the adviser's wall clock."""
    night = 0
    for k in range(0, minutes, 15):
        clock = to_local(start + timedelta(minutes=k), tz_name).time()
        if clock >= NIGHT_START or clock < NIGHT_END:
            night += min(15, minutes - k)
    return night >= NIGHT_MINUTES


def wish_broken(adviser: Adviser, start: datetime, minutes: int, tz_name: str) -> bool:
    """Whether a shift goes against the adviser's wishes: day off, earliest start, latest end."""
    prefs = adviser.preferences
    local = to_local(start, tz_name)
    if local.date() in prefs.days_off:
        return True
    if prefs.earliest_start and local.strftime("%H:%M") < prefs.earliest_start:
        return True
    if prefs.latest_end:
        end = to_local(start + timedelta(minutes=minutes), tz_name)
        if end.date() > local.date() or end.strftime("%H:%M") > prefs.latest_end:
            return True
    return False


def fair_excess(counts: list[int]) -> int:
    """Shifts above the fair share ceil(total / people), summed over people."""
    if not counts:
        return 0
    share = math.ceil(sum(counts) / len(counts))
    return sum(max(0, c - share) for c in counts)


def split_deviation_minutes(scenario: Scenario, adviser: Adviser, shifts: list[Shift]) -> float:
    """Minutes that would have to change channel to meet the split target exactly."""
    minutes: dict[str, int] = defaultdict(int)
    for shift in shifts:
        for a in shift.activities:
            if a.kind != BREAK:
                minutes[a.kind] += a.minutes
    total = sum(minutes.values())
    target = scenario.split_of(adviser)
    channels = set(target) | set(minutes)
    return sum(abs(minutes[c] - target.get(c, 0) / 100 * total) for c in channels) / 2


def penalties(problem: Problem, roster: Roster) -> dict[str, float]:
    """Penalty points per soft rule (see roster.rules.SOFT_RULES and roster.model.Weights)."""
    scenario = problem.scenario
    weights = scenario.weights
    hours_per_interval = problem.grid.minutes / 60
    scheduled = problem.scheduled(roster)
    short = over = 0
    for key in problem.requirements.ordered_keys():
        channel, language = key
        if language is not None:
            need = problem.requirements.required[key]
            short += sum(max(0, r - s) for r, s in zip(need, scheduled[key], strict=True))
    for channel in (c.name for c in scenario.channels):
        need = problem.requirements.headcount(channel)
        have = scheduled[(channel, None)]
        short += sum(max(0, r - s) for r, s in zip(need, have, strict=True))
        over += sum(max(0, s - r) for r, s in zip(need, have, strict=True))
    by_adviser = roster.by_adviser()
    split = 0.0
    wishes = 0
    nights: dict[str, list[int]] = defaultdict(list)
    weekends: dict[str, list[int]] = defaultdict(list)
    for adviser in scenario.advisers:
        tz = problem.teams[adviser.team].timezone
        shifts = by_adviser.get(adviser.id, [])
        split += split_deviation_minutes(scenario, adviser, shifts)
        wishes += sum(wish_broken(adviser, s.start, s.minutes, tz) for s in shifts)
        nights[adviser.team].append(sum(is_night(s.start, s.minutes, tz) for s in shifts))
        weekends[adviser.team].append(sum(is_weekend(s.start, tz) for s in shifts))
    return {
        "shortfall": weights.shortfall * short * hours_per_interval,
        "overstaffing": weights.overstaffing * over * hours_per_interval,
        "split_deviation": weights.split_deviation * split / 60,
        "fairness_nights": float(weights.fairness_nights * sum(map(fair_excess, nights.values()))),
        "fairness_weekends": float(
            weights.fairness_weekends * sum(map(fair_excess, weekends.values()))
        ),
        "preferences": float(weights.preferences * wishes),
    }
