"""Required advisers from a forecast and the channels' service goals; the service a roster gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from roster import deferred, erlang
from roster.demand import Key
from roster.forecast import Forecast
from roster.model import Channel, Scenario, ServiceGoal
from roster.timegrid import Grid

GOAL_SLACK = 1e-9  # a share equal to its goal meets it, whatever the last binary digit says
FIGURES = ("service", "asa_seconds", "occupancy", "wait_probability")  # NaN where they do not apply


@dataclass(frozen=True)
class Plan:
    """Advisers required on one (channel, language) of a forecast, and the service they give.

    Arrays hold one value per interval; figures that do not apply (the wait of a deferred
    contact, anything where no contact arrives) are NaN.
    """

    key: Key
    channel: Channel
    volume: np.ndarray  # contacts arriving
    aht: np.ndarray  # seconds of handling per contact
    load: np.ndarray  # erlangs staffed for: offered (real-time), of the promise window (deferred)
    answering: np.ndarray  # advisers on contacts, before shrinkage
    required: np.ndarray  # advisers to schedule, shrinkage included
    service: np.ndarray  # share answered within the goal's wait
    asa_seconds: np.ndarray  # real-time: average speed of answer
    occupancy: np.ndarray  # real-time: share of the answering advisers' time on calls
    wait_probability: np.ndarray  # real-time: probability that a call waits


def goal_of(channel: Channel) -> ServiceGoal:
    if channel.service is None:
        raise ValueError(f"channel {channel.name!r} has no service goal")
    return channel.service


def plan(scenario: Scenario, forecast: Forecast, *, service: bool = True) -> dict[Key, Plan]:
    """The advisers each (channel, language) of the forecast needs to meet its channel's goal.

    Each language is a queue of its own, answered by advisers who speak it; contacts without a
    language are a queue any adviser on the channel answers. Without `service`, deferred plans
    leave out the service they give (NaN), the slower part, for callers that only need counts.
    """
    step = forecast.grid.minutes * 60
    plans = {}
    for key in forecast.ordered_keys():
        channel = scenario.channel(key[0])
        volume, aht = forecast.volume[key], forecast.aht[key]
        if channel.kind == "realtime":
            figures = _realtime(goal_of(channel), volume, aht, step)
        else:
            figures = _deferred(goal_of(channel), volume, aht, step, service)
        plans[key] = Plan(key=key, channel=channel, volume=volume, aht=aht, **figures)
    return plans


def _realtime(
    goal: ServiceGoal, volume: np.ndarray, aht: np.ndarray, step: float
) -> dict[str, np.ndarray]:
    count = len(volume)
    out = {name: np.full(count, np.nan) for name in FIGURES}
    out["load"] = volume * aht / step
    out["answering"] = np.zeros(count, dtype=int)
    out["required"] = np.zeros(count, dtype=int)
    known: dict[tuple[float, float], erlang.Figures] = {}  # days repeat: size each load once
    for i in np.flatnonzero(volume > 0):
        at = (float(out["load"][i]), float(aht[i]))
        if at not in known:
            known[at] = erlang.required(
                *at,
                service_level=goal.service_level,
                within_seconds=goal.wait_seconds,
                asa_seconds=goal.asa_seconds,
                max_occupancy=goal.max_occupancy,
                shrinkage=goal.shrinkage,
            )
        figures = known[at]
        out["answering"][i] = figures.agents
        out["required"][i] = figures.scheduled
        out["service"][i] = figures.service_level
        out["asa_seconds"][i] = figures.asa_seconds
        out["occupancy"][i] = figures.occupancy
        out["wait_probability"][i] = figures.wait_probability
    return out


def _deferred(
    goal: ServiceGoal, volume: np.ndarray, aht: np.ndarray, step: float, service: bool
) -> dict[str, np.ndarray]:
    work = deferred.Workload(volume, aht, step, goal.wait_seconds)
    sizing = deferred.size(work, goal.service_level, goal.shrinkage)
    out = {name: np.full(len(volume), np.nan) for name in FIGURES}
    if service:
        out["service"] = deferred.project(work, sizing.required, goal.shrinkage).on_time_share
    return out | {"load": sizing.load, "answering": sizing.answering, "required": sizing.required}


def headcounts(plans: Mapping[Key, Plan]) -> dict[Key, np.ndarray]:
    """Required advisers per demand key: each language's own, and each channel's headcount, the
    sum over its queues (languages and contacts any adviser answers)."""
    out: dict[Key, np.ndarray] = {}
    for (channel, language), p in plans.items():
        total = out.get((channel, None))
        out[(channel, None)] = p.required.copy() if total is None else total + p.required
        if language:
            out[(channel, language)] = p.required
    return out


def demand_frame(plans: Mapping[Key, Plan]) -> pd.DataFrame:
    """Required advisers as demand rows (index, channel, language, required) for every interval,
    the rows `roster.demand.requirements` reads."""
    parts = []
    for (channel, language), required in sorted(
        headcounts(plans).items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        parts.append(
            pd.DataFrame(
                {
                    "index": np.arange(len(required)),
                    "channel": channel,
                    "language": language or "",
                    "required": required.astype(int),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["index", "channel", "language", "required"])
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["index", "channel", "language"], kind="stable", ignore_index=True)


def demand_csv(plans: Mapping[Key, Plan], grid: Grid) -> pd.DataFrame:
    """Required advisers in the scenario's demand CSV format (interval_start on the reference
    clock with its offset, channel, required, language), for a supervisor to read and edit."""
    frame = demand_frame(plans)
    local = np.array([t.isoformat() for t in grid.local_instants], dtype=object)
    return pd.DataFrame(
        {
            "interval_start": local[frame["index"].to_numpy(dtype=int)],
            "channel": frame["channel"],
            "required": frame["required"],
            "language": frame["language"],
        }
    )


def figures_frame(plans: Mapping[Key, Plan], grid: Grid) -> pd.DataFrame:
    """Every figure of the plans, one row per interval and (channel, language): interval_start
    on the reference clock, channel, language, volume, aht_seconds, erlangs, answering,
    required, service, and for real-time channels asa_seconds, occupancy and wait_probability
    (empty where they do not apply)."""
    local = [t.isoformat() for t in grid.local_instants]
    parts = []
    for (channel, language), p in sorted(plans.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        parts.append(
            pd.DataFrame(
                {
                    "index": np.arange(grid.count),
                    "interval_start": local,
                    "channel": channel,
                    "language": language or "",
                    "volume": np.round(p.volume, 3),
                    "aht_seconds": np.where(p.volume > 0, np.round(p.aht, 1), np.nan),
                    "erlangs": np.round(p.load, 4),
                    "answering": p.answering,
                    "required": p.required,
                    "service": np.round(p.service, 4),
                    "asa_seconds": np.round(p.asa_seconds, 2),
                    "occupancy": np.round(p.occupancy, 4),
                    "wait_probability": np.round(p.wait_probability, 4),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["index", "channel", "language"], kind="stable", ignore_index=True)
    return frame.drop(columns="index")


@dataclass(frozen=True)
class Service:
    """The service a staffing gives on one channel against its goal, interval by interval."""

    channel: Channel
    volume: np.ndarray  # contacts arriving per interval
    value: np.ndarray  # share answered within the goal's wait; NaN where none arrive
    stable: bool = True  # deferred: whether the week's capacity keeps up with its work

    @property
    def goal(self) -> ServiceGoal:
        return goal_of(self.channel)

    @property
    def measure(self) -> str:
        """`service_level` (real-time: answered within the wait) or `on_time_share` (deferred:
        answered within the promise)."""
        return "service_level" if self.channel.kind == "realtime" else "on_time_share"

    def share(self, where: np.ndarray | None = None) -> float | None:
        """Share of the contacts answered within the wait, over the intervals `where` selects
        (all by default); None when no contact arrives there."""
        volume = self.volume if where is None else np.where(where, self.volume, 0.0)
        busy = volume > 0
        total = float(volume[busy].sum())
        if total <= 0:
            return None
        return float((volume[busy] * self.value[busy]).sum()) / total

    def below_goal(self) -> int:
        """Intervals with contacts whose share falls below the goal."""
        busy = self.volume > 0
        return int(np.sum(self.value[busy] < self.goal.service_level - GOAL_SLACK))

    def by_day(self, grid: Grid) -> dict[date, float | None]:
        """The share per day of the reference clock."""
        days = np.array([t.date() for t in grid.local_instants])
        return {day: self.share(days == day) for day in sorted(set(days))}


def project(
    scenario: Scenario, forecast: Forecast, scheduled: Mapping[Key, Sequence[int]]
) -> dict[str, Service]:
    """The service of scheduled advisers per channel of the forecast, against its goal.

    `scheduled[(channel, None)]` are the advisers on the channel per interval; all its contacts
    are taken as one queue whatever their language (an optimistic pooling when languages are
    sized apart). Real-time: the Erlang C service level of the advisers left after shrinkage.
    Deferred: the share answered within the promise under the carry-over model.
    """
    grid = forecast.grid
    step = grid.minutes * 60
    out = {}
    for name in forecast.channels():
        channel = scenario.channel(name)
        goal = goal_of(channel)
        volume, aht = forecast.pooled(name)
        staff = np.asarray(scheduled.get((name, None), [0] * grid.count), dtype=float)
        if channel.kind == "realtime":
            value = np.full(grid.count, np.nan)
            for i in np.flatnonzero(volume > 0):
                load = erlang.traffic(float(volume[i]), step, float(aht[i]))
                agents = erlang.answering(float(staff[i]), goal.shrinkage)
                value[i] = erlang.service_level(agents, load, float(aht[i]), goal.wait_seconds)
            out[name] = Service(channel, volume, value)
        else:
            work = deferred.Workload(volume, aht, step, goal.wait_seconds)
            projection = deferred.project(work, staff, goal.shrinkage)
            out[name] = Service(channel, volume, projection.on_time_share, projection.stable)
    return out


def planned_service(plans: Mapping[Key, Plan]) -> dict[str, Service]:
    """The service the required advisers give per channel: each queue's, weighted by volume."""
    by_channel: dict[str, list[Plan]] = {}
    for p in plans.values():
        by_channel.setdefault(p.channel.name, []).append(p)
    out = {}
    for name, parts in by_channel.items():
        volume = sum(p.volume for p in parts)
        answered = sum(np.where(p.volume > 0, p.volume * p.service, 0.0) for p in parts)
        value = np.divide(answered, volume, out=np.full(len(volume), np.nan), where=volume > 0)
        out[name] = Service(parts[0].channel, volume, value)
    return out


def staffing_table(plans: Mapping[Key, Plan], grid: Grid) -> pd.DataFrame:
    """Per day of the reference clock and channel: contacts, handling hours, required
    adviser-hours, the peak of required advisers and when it first occurs, and the share
    answered within the goal's wait with them (a `week` row per channel closes the table)."""
    step_hours = grid.minutes / 60
    heads = headcounts(plans)
    services = planned_service(plans)
    local = grid.local_instants
    days = np.array([t.date() for t in local])
    rows = []
    for name in sorted(services):
        service = services[name]
        required = heads[(name, None)]
        work = sum(p.volume * p.aht for p in plans.values() if p.channel.name == name)
        for day in [*sorted(set(days)), None]:
            where = np.ones(len(days), dtype=bool) if day is None else days == day
            peak = int(required[where].max(initial=0))
            first = int(np.flatnonzero(where & (required == peak))[0]) if peak else None
            rows.append(
                {
                    "day": "week" if day is None else day.isoformat(),
                    "channel": name,
                    "contacts": float(service.volume[where].sum()),
                    "handling_hours": float(work[where].sum()) / 3600,
                    "adviser_hours": float(required[where].sum()) * step_hours,
                    "peak": peak,
                    "peak_at": None if first is None else local[first].isoformat(),
                    "service": service.share(where),
                }
            )
    return pd.DataFrame(rows)
