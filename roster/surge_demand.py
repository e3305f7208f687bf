"""The week as an incident makes it: demand scaled over its window, demand added, lines opened.

Headcounts scale interval by interval; extra contacts are sized with their channel's service
goal (`roster.staffing`); the forecast grows with them so that the projected service reads
the crisis. An outsourcer's booked advisers are cover beside the roster's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from roster import staffing
from roster.demand import Key, Requirements
from roster.forecast import Forecast
from roster.incident import Booking, ExtraDemand, Incident
from roster.model import Scenario
from roster.problem import Problem
from roster.timegrid import Grid


def surge_problem(problem: Problem, incident: Incident) -> Problem:
    """The week as the incident makes it: demand scaled over its window, surge lengths allowed.

    Headcounts are scaled and rounded up interval by interval. Where the week has a forecast,
    scaling volumes and sizing again with the channel's goal would need fewer advisers
    (queues pool better when they grow); scaling headcounts is the cautious reading. The
    forecast's volumes are scaled too, so that the projected service reads the crisis.
    """
    scenario = problem.scenario
    teams = []
    for team in scenario.teams:
        lengths = sorted({*team.rules.shift_lengths_hours, *incident.extra_shift_lengths_hours})
        rules = team.rules.model_copy(update={"shift_lengths_hours": lengths})
        teams.append(team.model_copy(update={"rules": rules}))
    surged = scenario.model_copy(update={"teams": teams})
    factors = incident.channel_factors()
    grid = problem.grid
    window = [i for i, t in enumerate(grid.instants) if incident.start <= t < incident.end]
    req = Requirements(grid)
    for key, row in problem.requirements.required.items():
        factor = factors.get(key[0], 1.0)
        scaled = list(row)
        for i in window:
            scaled[i] = math.ceil(row[i] * factor - 1e-9)
        req.required[key] = scaled
    added = incident.demand_added()
    contacts = _extra_contacts(grid, added)
    for key, row in _extra_headcounts(surged, grid, added, contacts).items():
        _add_demand(req, key, row)
    forecast = problem.forecast
    if forecast is not None:
        # the contacts grow by the same factors, so that the projected service is the crisis's
        volume, aht = dict(forecast.volume), dict(forecast.aht)
        for key, row in forecast.volume.items():
            scaled = row.copy()
            scaled[window] = scaled[window] * factors.get(key[0], 1.0)
            volume[key] = scaled
        for key, (more, seconds) in contacts.items():
            volume[key], aht[key] = _pooled(volume.get(key), aht.get(key), more, seconds)
        forecast = replace(forecast, volume=volume, aht=aht)
    return Problem(surged, grid, req, problem.carry_in, problem.source, forecast)


Contacts = dict[Key, tuple[np.ndarray, np.ndarray]]  # volume and handling time per interval


def _extra_contacts(grid: Grid, extras: Sequence[ExtraDemand]) -> Contacts:
    """The extra contacts per key and interval, with their handling time."""
    out: Contacts = {}
    for extra in extras:
        if extra.contacts_per_hour is None or extra.aht_seconds is None:
            continue
        volume = np.zeros(grid.count)
        span = grid.span(extra.start, extra.end)
        volume[span.start : span.stop] = extra.contacts_per_hour * grid.minutes / 60
        aht = np.where(volume > 0, extra.aht_seconds, 0.0)
        key = (extra.channel, extra.language)
        before = out.get(key)
        out[key] = _pooled(*(before or (None, None)), volume, aht)
    return out


def _pooled(
    volume: np.ndarray | None, aht: np.ndarray | None, more: np.ndarray, seconds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two streams of contacts as one: volumes added, handling times weighted by volume."""
    if volume is None or aht is None:
        return more.copy(), seconds.copy()
    total = volume + more
    work = volume * aht + more * seconds
    return total, np.divide(work, total, out=np.zeros_like(total), where=total > 0)


def _extra_headcounts(
    scenario: Scenario, grid: Grid, extras: Sequence[ExtraDemand], contacts: Contacts
) -> dict[Key, list[int]]:
    """Advisers the extra demand asks for: given, or sized from the contacts on their own.

    Sized apart from the week's contacts they need a little more than sized together (queues
    pool), the cautious reading, as for the scaled demand.
    """
    out: dict[Key, list[int]] = {}
    for extra in extras:
        if extra.advisers is not None:
            row = out.setdefault((extra.channel, extra.language), [0] * grid.count)
            for t in grid.span(extra.start, extra.end):
                row[t] += extra.advisers
    if contacts:
        volume = {key: v for key, (v, _) in contacts.items()}
        aht = {key: a for key, (_, a) in contacts.items()}
        plans = staffing.plan(scenario, Forecast(grid, volume, aht), service=False)
        for key, plan in plans.items():
            row = out.setdefault(key, [0] * grid.count)
            for t, n in enumerate(plan.required):
                row[t] += int(n)
    return out


def _add_demand(req: Requirements, key: Key, row: list[int]) -> None:
    """Add advisers to a key's demand so that the channel's headcount grows by as many."""
    channel, language = key
    if language is None and (channel, None) not in req.required:
        req.required[(channel, None)] = req.headcount(channel)  # the languages' sum, kept
    if language is not None and (channel, None) in req.required:
        _add(req.row((channel, None)), row)
    _add(req.row(key), row)


def _add(target: list[int], more: list[int]) -> None:
    for t, n in enumerate(more):
        target[t] += n


def booked_cover(
    problem: Problem, bookings: Sequence[Booking], incident: Incident
) -> dict[Key, list[int]]:
    """Outsourcers' advisers per channel (and language they speak) and interval."""
    languages = {p.name: set(p.languages) for p in incident.external}
    keys = problem.requirements.ordered_keys()
    out: dict[Key, list[int]] = {}
    for booking in bookings:
        spoken = languages.get(booking.pool, set())
        mine = [(booking.channel, None)]
        mine += [k for k in keys if k[0] == booking.channel and k[1] in spoken]
        for key in mine:
            row = out.setdefault(key, [0] * problem.grid.count)
            for t in problem.grid.span(booking.start, booking.end):
                row[t] += booking.advisers
    return out
