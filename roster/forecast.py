"""Forecasts: contacts and handling times per channel and interval, read from a CSV and checked."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from roster.demand import Key, channel_of, interval_of, read_table
from roster.erlang import MAX_LOAD
from roster.errors import ScenarioError
from roster.model import Scenario
from roster.timegrid import Grid

FORECAST_COLUMNS = ("interval_start", "channel", "volume", "aht_seconds")
FORECAST_HEADER = "interval_start,channel,volume,aht_seconds[,language]"


@dataclass(frozen=True)
class Forecast:
    """Contacts expected per (channel, language) and interval of the week, with handling times.

    `volume[key][i]` contacts (an expectation: fractions are fine) arrive in interval `i`, each
    needing `aht[key][i]` seconds of an adviser (0 where none arrive). A key without a language
    holds the contacts any adviser on the channel can answer.
    """

    grid: Grid
    volume: dict[Key, np.ndarray] = field(default_factory=dict)
    aht: dict[Key, np.ndarray] = field(default_factory=dict)
    source: str = ""

    def ordered_keys(self) -> list[Key]:
        return sorted(self.volume, key=lambda k: (k[0], k[1] or ""))

    def channels(self) -> list[str]:
        return sorted({channel for channel, _ in self.volume})

    def pooled(self, channel: str) -> tuple[np.ndarray, np.ndarray]:
        """All contacts of a channel, whatever their language: volume, and the mean handling
        time in seconds weighted by volume (0 where none arrive)."""
        volume = np.zeros(self.grid.count)
        work = np.zeros(self.grid.count)
        for key in self.ordered_keys():
            if key[0] == channel:
                volume += self.volume[key]
                work += self.volume[key] * self.aht[key]
        aht = np.divide(work, volume, out=np.zeros_like(work), where=volume > 0)
        return volume, aht


def read_forecast_csv(path: Path, scenario: Scenario, grid: Grid) -> Forecast:
    """Read and check a forecast CSV against a scenario's channels, goals and week grid.

    Errors name the file, the line and the field: a date-time off the grid or outside the week,
    an unknown channel or one without a service goal, a volume that is not a number of contacts
    of 0 or more, a handling time missing, not above 0, or not shorter than a deferred promise,
    a row given twice. Intervals without a row expect no contacts.
    """
    source = str(path)
    frame = read_table(path, FORECAST_COLUMNS, FORECAST_HEADER)
    channels = {c.name: c for c in scenario.channels}
    volume: dict[Key, np.ndarray] = {}
    aht: dict[Key, np.ndarray] = {}
    seen: dict[tuple[int, str, str | None], int] = {}
    for n, record in enumerate(frame.to_dict("records"), start=2):
        where = f"line {n}"
        index = interval_of(record["interval_start"], grid, source, where)
        channel = channels[channel_of(record["channel"], channels, source, where)]
        goal = channel.service
        if goal is None:
            position = scenario.channels.index(channel)
            raise ScenarioError(
                f"channel {channel.name!r} has no service goal to size it "
                f"(add channels[{position}].service to the scenario)",
                source=source,
                where=where,
            )
        contacts = _number(record["volume"], "volume", source, where)
        if contacts < 0:
            raise ScenarioError(
                f"volume {record['volume'].strip()!r} is not a number of contacts >= 0",
                source=source,
                where=where,
            )
        raw = record["aht_seconds"].strip()
        if not raw:
            if contacts > 0:
                raise ScenarioError(
                    f"aht_seconds is missing: the handling time of the {contacts:g} contacts",
                    source=source,
                    where=where,
                )
            handling = 0.0
        else:
            handling = _number(raw, "aht_seconds", source, where)
            if handling <= 0:
                raise ScenarioError(
                    f"aht_seconds {raw!r} is not a handling time in seconds > 0",
                    source=source,
                    where=where,
                )
        load = contacts * handling / (grid.minutes * 60)
        if load > MAX_LOAD:
            raise ScenarioError(
                f"volume {contacts:g} of {handling:g} s is {load:,.0f} erlangs, "
                f"more than the {MAX_LOAD:,.0f} a sizing takes",
                source=source,
                where=where,
            )
        if channel.kind == "deferred" and contacts > 0 and handling >= goal.wait_seconds:
            raise ScenarioError(
                f"aht_seconds {raw} is not shorter than the promise of {channel.name!r} "
                f"({goal.wait_seconds:g} s): no contact could be answered in time",
                source=source,
                where=where,
            )
        language = (record.get("language") or "").strip() or None
        key = (channel.name, language)
        if (index, *key) in seen:
            raise ScenarioError(
                f"repeats the row of line {seen[(index, *key)]} "
                f"({record['interval_start'].strip()}, {channel.name})",
                source=source,
                where=where,
            )
        seen[(index, *key)] = n
        if key not in volume:
            volume[key] = np.zeros(grid.count)
            aht[key] = np.zeros(grid.count)
        volume[key][index] = contacts
        aht[key][index] = handling if contacts > 0 else 0.0
    return Forecast(grid=grid, volume=volume, aht=aht, source=source)


def _number(cell: str, column: str, source: str, where: str) -> float:
    raw = cell.strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ScenarioError(f"{column} {raw!r} is not a number", source=source, where=where)
    return value


def forecast_frame(forecast: Forecast) -> pd.DataFrame:
    """The forecast as CSV rows (interval_start on the reference clock with its offset),
    every interval of every key: the format `read_forecast_csv` reads."""
    keys = forecast.ordered_keys()
    rows = []
    for i, local in enumerate(forecast.grid.local_instants):
        stamp = local.isoformat()
        for channel, language in keys:
            contacts = float(forecast.volume[(channel, language)][i])
            handling = float(forecast.aht[(channel, language)][i])
            rows.append(
                {
                    "interval_start": stamp,
                    "channel": channel,
                    "volume": round(contacts, 3),
                    "aht_seconds": round(handling, 1) if contacts > 0 else "",
                    "language": language or "",
                }
            )
    return pd.DataFrame(rows, columns=[*FORECAST_COLUMNS, "language"])
