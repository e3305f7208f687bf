"""Required advisers per channel (and language) per interval, from a CSV and minimum rules."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from roster.errors import ScenarioError
from roster.model import WEEKDAYS, Scenario, Window
from roster.timegrid import UTC, Grid

Key = tuple[str, str | None]  # (channel, language or None for any language)
DEMAND_COLUMNS = ("interval_start", "channel", "required")


@dataclass
class Requirements:
    """Required headcount per (channel, language) key, one value per interval of the week.

    A key with a language asks for that many advisers on the channel who speak it; a key
    without one asks for a headcount on the channel.
    """

    grid: Grid
    required: dict[Key, list[int]] = field(default_factory=dict)

    def row(self, key: Key) -> list[int]:
        if key not in self.required:
            self.required[key] = [0] * self.grid.count
        return self.required[key]

    def ordered_keys(self) -> list[Key]:
        return sorted(self.required, key=lambda k: (k[0], k[1] or ""))

    def headcount(self, channel: str) -> list[int]:
        """Advisers needed on a channel: its own rows, else the sum of its language rows."""
        own = self.required.get((channel, None))
        by_language = [v for (c, lang), v in self.required.items() if c == channel and lang]
        summed = [sum(col) for col in zip(*by_language, strict=True)] if by_language else None
        if own is None:
            return summed or [0] * self.grid.count
        if summed is None:
            return list(own)
        return [max(a, b) for a, b in zip(own, summed, strict=True)]


def read_table(path: Path, columns: Iterable[str], expected: str) -> pd.DataFrame:
    """A CSV file as text cells (empty cells stay empty strings), with `columns` required.

    Errors name the file; a missing column names line 1 and the `expected` header.
    """
    source = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise ScenarioError("file not found", source=source) from None
    except IsADirectoryError:
        raise ScenarioError("is a folder, not a CSV file", source=source) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ScenarioError(f"unreadable CSV ({err})", source=source) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ScenarioError(
            f"missing column(s) {', '.join(missing)}; expected {expected}",
            source=source,
            where="line 1",
        )
    return frame


def instant_of(cell: str, column: str, source: str, where: str) -> datetime:
    """The instant of an ISO 8601 date-time cell with its UTC offset, as written; errors name
    the file, the line and the column.

    >>> instant_of("2026-11-23T08:00:00+01:00", "start", "f.csv", "line 2").isoformat()
    '2026-11-23T08:00:00+01:00'
    >>> instant_of("0001-01-01T00:00:00+01:00", "start", "f.csv", "line 2")
    Traceback (most recent call last):
    ...
    roster.errors.ScenarioError: f.csv: line 2: start '0001-01-01T00:00:00+01:00' is out of range
    """
    stamp = cell.strip()
    try:
        instant = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise ScenarioError(
            f"{column} {stamp!r} is not an ISO 8601 date-time", source=source, where=where
        ) from None
    if instant.tzinfo is None:
        raise ScenarioError(
            f"{column} {stamp!r} has no UTC offset (write e.g. {stamp}+01:00)",
            source=source,
            where=where,
        )
    try:
        instant.astimezone(UTC)  # kept as written, once it is known to have a UTC time
    except OverflowError:  # the first or last day of the calendar, moved past it by its offset
        raise ScenarioError(
            f"{column} {stamp!r} is out of range", source=source, where=where
        ) from None
    return instant


def interval_of(stamp: str, grid: Grid, source: str, where: str) -> int:
    """The interval number of an `interval_start` cell; errors name the file and line."""
    instant = instant_of(stamp, "interval_start", source, where)
    try:
        return grid.index(instant)
    except ValueError as err:
        raise ScenarioError(f"interval_start {err}", source=source, where=where) from None


def channel_of(cell: str, channels: Iterable[str], source: str, where: str) -> str:
    """The channel named in a `channel` cell; errors name the file, line and known channels."""
    channel = cell.strip()
    if channel not in channels:
        raise ScenarioError(
            f"unknown channel {channel!r} (known: {', '.join(sorted(channels))})",
            source=source,
            where=where,
        )
    return channel


def read_demand_csv(path: Path, scenario: Scenario, grid: Grid) -> pd.DataFrame:
    """Read and check a demand CSV; errors name the file and line."""
    source = str(path)
    frame = read_table(path, DEMAND_COLUMNS, "interval_start,channel,required[,language]")
    channels = {c.name for c in scenario.channels}
    seen: dict[tuple[int, str, str | None], int] = {}
    rows = []
    for n, record in enumerate(frame.to_dict("records"), start=2):
        where = f"line {n}"
        stamp = record["interval_start"].strip()
        index = interval_of(stamp, grid, source, where)
        channel = channel_of(record["channel"], channels, source, where)
        raw = record["required"].strip()
        try:
            value = float(raw)
        except ValueError:
            raise ScenarioError(
                f"required {raw!r} is not a number", source=source, where=where
            ) from None
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise ScenarioError(
                f"required {raw!r} is not a whole number of advisers >= 0",
                source=source,
                where=where,
            )
        language = (record.get("language") or "").strip() or None
        key = (index, channel, language)
        if key in seen:
            raise ScenarioError(
                f"repeats the row of line {seen[key]} ({stamp}, {channel})",
                source=source,
                where=where,
            )
        seen[key] = n
        rows.append((index, channel, language, int(value)))
    return pd.DataFrame(rows, columns=["index", "channel", "language", "required"])


def merge_demand(frames: Iterable[pd.DataFrame | None]) -> pd.DataFrame | None:
    """Demand rows from several sources as one: the larger where two ask for the same
    interval, channel and language."""
    given = [f for f in frames if f is not None]
    if len(given) <= 1:
        return given[0] if given else None
    rows = pd.concat(given, ignore_index=True)
    # a missing language must group with the other missing ones, not vanish as NaN
    rows["language"] = rows["language"].fillna("").astype(str)
    keys = ["index", "channel", "language"]
    return rows.groupby(keys, as_index=False, sort=True)["required"].max()[[*keys, "required"]]


def requirements(scenario: Scenario, grid: Grid, frame: pd.DataFrame | None) -> Requirements:
    """Demand from the CSV rows, raised to the scenario's always-on minimums."""
    req = Requirements(grid)
    if frame is not None:
        for index, channel, language, value in frame.itertuples(index=False):
            # pandas may hand back a missing language as NaN rather than None
            lang = language if isinstance(language, str) and language else None
            req.row((channel, lang))[int(index)] = int(value)
    for rule in scenario.demand.minimum:
        row = req.row((rule.channel, rule.language))
        for i in _rule_intervals(grid, rule.window, rule.days):
            row[i] = max(row[i], rule.advisers)
    return req


def _rule_intervals(grid: Grid, window: Window | None, days: Iterable[str] | None) -> list[int]:
    wanted = set(days) if days else set(WEEKDAYS)
    out = []
    for i, local in enumerate(grid.local_instants):
        if WEEKDAYS[local.weekday()] not in wanted:
            continue
        if window is not None and not window.contains(local.time()):
            continue
        out.append(i)
    return out
