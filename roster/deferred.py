"""Deferred work (social media, e-mail): a first-in first-out backlog carried over a cyclic week."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from roster import erlang

EPSILON = 1e-9
LATE = 1e-4  # seconds of work: what float rounding may leave undone at a deadline
TILES = 3  # weeks laid end to end, so that a deadline past Sunday night reads next Monday


@dataclass(frozen=True)
class Workload:
    """Contacts arriving on a deferred channel over a cyclic week of equal intervals.

    `volume[i]` contacts (a forecast may hold fractions) arrive in interval `i`, each taking
    `aht[i]` seconds of one adviser; `interval_seconds` is the interval length and
    `promise_seconds` the time within which a contact should be answered.

    The model is a fluid queue. Contacts arrive evenly spread over their interval; advisers
    work through them in order of arrival; work left at the end of an interval carries over to
    the next, across midnight and from Sunday night back to Monday morning. The week is cyclic
    (the steady state of the same week repeated): its forecast is the best estimate of the week
    before it, and a Monday started with an empty backlog would hide the work Sunday night
    leaves. A contact is answered when its handling ends, so one arriving at time `a` is on
    time if its handling starts by `a + promise - aht`.
    """

    volume: np.ndarray
    aht: np.ndarray
    interval_seconds: float
    promise_seconds: float

    def __post_init__(self) -> None:
        if self.volume.shape != self.aht.shape or self.volume.ndim != 1:
            raise ValueError("volume and aht need one value per interval each")
        if self.interval_seconds <= 0 or self.promise_seconds <= 0:
            raise ValueError("interval and promise need more than 0 seconds")
        if len(self.volume) * self.interval_seconds < self.promise_seconds:
            raise ValueError("the promise is longer than the week")
        busy = self.volume > 0
        if np.any(self.volume < 0) or not np.all(np.isfinite(self.volume)):
            raise ValueError("volumes must be finite and 0 or more")
        if np.any(busy & ~((self.aht > 0) & (self.aht < self.promise_seconds))):
            raise ValueError("handling times must be above 0 and shorter than the promise")

    @property
    def count(self) -> int:
        return len(self.volume)

    @property
    def work(self) -> np.ndarray:
        """Seconds of handling arriving in each interval."""
        return np.where(self.volume > 0, self.volume * self.aht, 0.0)

    @property
    def slack(self) -> np.ndarray:
        """Seconds a contact may wait before its handling must start: promise less handling."""
        return np.where(self.volume > 0, self.promise_seconds - self.aht, 0.0)


@dataclass(frozen=True)
class Projection:
    """What a staffing gives on a deferred channel, interval by interval."""

    on_time_share: np.ndarray  # of the contacts arriving in each interval; NaN where none arrive
    backlog_seconds: np.ndarray  # handling work waiting at each interval start
    stable: bool  # whether the week's capacity covers its work (else the backlog grows weekly)


@dataclass(frozen=True)
class Sizing:
    """Advisers required per interval on a deferred channel."""

    required: np.ndarray  # whole advisers to schedule, per interval
    answering: np.ndarray  # of them, the advisers on contacts once shrinkage is taken out
    load: np.ndarray  # erlangs each interval is staffed for (see window_load)


class _Curves:
    """Cumulative work arrived and served, in seconds, at the grid points of weeks end to end."""

    def __init__(self, work: np.ndarray, rate: np.ndarray, served0: float, step: float):
        self.step = step
        self.rate = rate  # advisers at work (seconds of work per second) in each interval
        self.inflow = work / step  # seconds of work arriving per second in each interval
        self.arrived = np.concatenate(([0.0], np.cumsum(work)))
        served = np.empty_like(self.arrived)
        served[0] = served0
        level = served0
        for i, (capacity, top) in enumerate(zip(rate * step, self.arrived[1:], strict=True)):
            level = min(level + capacity, top)
            served[i + 1] = level
        self.served_at = served

    def served(self, t: float) -> float:
        """Work served by time `t` (seconds from the first week's start)."""
        k = min(int(t // self.step), len(self.rate) - 1)
        tau = t - k * self.step
        return min(self.served_at[k] + self.rate[k] * tau, self.arrived[k] + self.inflow[k] * tau)

    def kinks(self, t0: float, t1: float) -> list[float]:
        """Times in (t0, t1) where the served curve bends: grid points and queues running dry."""
        out = []
        for k in range(int(t0 // self.step), min(int(t1 // self.step), len(self.rate) - 1) + 1):
            start = k * self.step
            if t0 < start < t1:
                out.append(start)
            gap = self.arrived[k] - self.served_at[k]
            if self.rate[k] > self.inflow[k] and gap > 0:
                dry = start + gap / (self.rate[k] - self.inflow[k])
                if t0 < dry < t1 and dry < start + self.step:
                    out.append(dry)
        return sorted(out)


def _share_on_time(curves: _Curves, level0: float, work: float, t0: float) -> float:
    """Share of an interval's contacts answered on time: the one arriving a fraction u into the
    interval sits at level `level0 + u work` and is due (handling started) at `t0 + u step`."""
    step = curves.step
    times = [t0, *curves.kinks(t0, t0 + step), t0 + step]
    lead = [curves.served(t) - level0 - (t - t0) / step * work for t in times]
    on_time = 0.0
    for (ta, fa), (tb, fb) in pairwise(zip(times, lead, strict=True)):
        if fa >= -LATE and fb >= -LATE:
            on_time += tb - ta
        elif fa >= -LATE or fb >= -LATE:  # the lead crosses zero once on a straight piece
            cross = ta + (tb - ta) * (-LATE - fa) / (fb - fa)
            on_time += (tb - cross) if fb >= -LATE else (cross - ta)
    return on_time / step


def project(work: Workload, advisers: Sequence[float], shrinkage: float = 0.0) -> Projection:
    """The share of each interval's contacts answered within the promise, with `advisers`
    scheduled per interval of whom `shrinkage` (0 to 1) of the time goes elsewhere.

    The week starts with the backlog its own end leaves (the steady state of the week repeated).
    When the week's capacity falls short of its work, the backlog grows without end; the figures
    are then those of a second week after a first one started empty, and `stable` is false.
    """
    staff = np.asarray(advisers, dtype=float)
    if staff.shape != work.volume.shape:
        raise ValueError(f"{len(staff)} staffing values for {work.count} intervals")
    step = work.interval_seconds
    load = work.work
    rate = staff * (1 - shrinkage)
    excess = load - rate * step
    # Lindley's recursion: the backlog a week leaves, started empty, is its largest suffix sum;
    # it is also the least backlog that repeats week after week when the capacity suffices.
    backlog0 = max(0.0, float(np.max(np.cumsum(excess[::-1]))))
    stable = float(excess.sum()) <= EPSILON * max(1.0, float(load.sum()))
    curves = _Curves(np.tile(load, TILES), np.tile(rate, TILES), -backlog0, step)
    shares = np.full(work.count, np.nan)
    for j in np.flatnonzero(work.volume > 0):
        shares[j] = _share_on_time(curves, curves.arrived[j], load[j], j * step + work.slack[j])
    backlog = curves.arrived[: work.count] - curves.served_at[: work.count]
    return Projection(on_time_share=shares, backlog_seconds=backlog, stable=stable)


def window_load(work: Workload) -> np.ndarray:
    """Erlangs to staff each interval for: the handling work that arrived over the window before
    each moment, per second, at its highest over the interval.

    The window is the promise less the longest handling time. Capacity that never falls below
    it answers every contact within the promise: what waits at any moment arrived within the
    window, and the window's worth of work is done before the window has passed again.
    """
    count, step = work.count, work.interval_seconds
    window = work.promise_seconds - float(work.aht[work.volume > 0].max(initial=0.0))
    if window <= 0:
        return np.zeros(count)
    # two weeks end to end, the second read: the window before Monday morning is Sunday night
    arrived = np.concatenate(([0.0], np.cumsum(np.tile(work.work, 2))))
    times = np.arange(len(arrived)) * step

    def rate(t: np.ndarray) -> np.ndarray:
        return (np.interp(t, times, arrived) - np.interp(t - window, times, arrived)) / window

    starts = (count + np.arange(count)) * step
    load = np.maximum(rate(starts), rate(starts + step))
    # the rate also bends where the window's tail crosses a grid point
    bends = (count + np.arange(-count, count)) * step + window
    inside = (bends > starts[0]) & (bends < starts[-1] + step)
    where = ((bends[inside] - starts[0]) // step).astype(int)
    np.maximum.at(load, where, rate(bends[inside]))
    return load


def window_aht(work: Workload) -> np.ndarray:
    """Mean handling time in seconds of the contacts in each interval and those just before it,
    as far back as the promise reaches (the longest handling time where none arrive)."""
    longest = float(work.aht[work.volume > 0].max(initial=1.0))
    reach = math.ceil(work.promise_seconds / work.interval_seconds)
    trailing = np.ones(reach + 1)
    # two weeks end to end, the second read, so that Monday's window reaches back into Sunday
    contacts = np.convolve(np.tile(work.volume, 2), trailing)[work.count : 2 * work.count]
    seconds = np.convolve(np.tile(work.work, 2), trailing)[work.count : 2 * work.count]
    return np.where(contacts > 0, seconds / np.where(contacts > 0, contacts, 1.0), longest)


def size(work: Workload, share: float, shrinkage: float = 0.0) -> Sizing:
    """Advisers to schedule per interval so that the backlog is always cleared within the promise.

    Each interval is staffed for the load of the window before it (`window_load`): peaks are
    spread over the promise, across midnight and from Sunday night into Monday. At that load,
    Erlang C gives the advisers that answer `share` (a fraction below 1) of contacts arriving at
    random within the promise (waiting at most the promise less the longest handling time): the
    margin that contacts arriving in bunches need. `shrinkage` (0 to 1) is the share of scheduled
    time not spent on contacts.
    """
    if not 0 < share < 1:
        raise ValueError(f"share {share:g} is not a fraction above 0 and below 1")
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage {shrinkage:g} is not a fraction from 0 up to 1")
    loads = window_load(work)
    ahts = window_aht(work)
    wait = work.promise_seconds - float(work.aht[work.volume > 0].max(initial=0.0))
    required = np.zeros(work.count, dtype=int)
    answering = np.zeros(work.count, dtype=int)
    known: dict[tuple[float, float], erlang.Figures] = {}  # days repeat: size each load once
    for i, (load, aht) in enumerate(zip(loads.tolist(), ahts.tolist(), strict=True)):
        if load > 0:
            if (load, aht) not in known:
                known[(load, aht)] = erlang.required(
                    load, aht, service_level=share, within_seconds=wait, shrinkage=shrinkage
                )
            required[i] = known[(load, aht)].scheduled
            answering[i] = known[(load, aht)].agents
    return Sizing(required=required, answering=answering, load=loads)
