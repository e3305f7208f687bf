"""Erlang C for real-time channels: the advisers a service goal needs, and the service they give."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Shares such as 14 / (1 - 0.3) must round to 20 advisers, not 21, despite binary fractions.
EPSILON = 1e-9
# The search counts advisers one by one: beyond this load it would run for minutes, and no
# interval of a contact centre comes near it (the 2010 ash-cloud peak was about 300 erlangs).
MAX_LOAD = 100_000.0


def traffic(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """Offered load in erlangs: `calls` arriving in `interval_seconds`, each held `aht_seconds`.

    >>> traffic(100, 1800, 180)
    10.0
    """
    if interval_seconds <= 0:
        raise ValueError(f"interval of {interval_seconds:g} s: give more than 0 seconds")
    return calls * aht_seconds / interval_seconds


def erlang_b(agents: int, load: float) -> float:
    """Erlang B: the share of calls `agents` lines would turn away under `load` erlangs.

    The recurrence B(n) = A B(n-1) / (n + A B(n-1)) keeps every term in [0, 1], so it stays
    exact for hundreds of erlangs where factorials and powers overflow.

    >>> round(erlang_b(14, 10.0), 4)
    0.0568
    """
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return b


def _c_from_b(agents: int, load: float, b: float) -> float:
    return agents * b / (agents - load * (1 - b))


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call waits with `agents` advisers under `load` erlangs.

    1 when there are no more advisers than erlangs: the queue then grows without end.

    >>> round(erlang_c(14, 10.0), 4)
    0.1741
    """
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    return _c_from_b(agents, load, erlang_b(agents, load))


def _service_level(agents: int, load: float, c: float, aht: float, within: float) -> float:
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0
    return max(0.0, 1.0 - c * math.exp(-(agents - load) * within / aht))


def _asa(agents: int, load: float, c: float, aht: float) -> float:
    if load <= 0:
        return 0.0
    if agents <= load:
        return math.inf
    return c * aht / (agents - load)


def service_level(agents: int, load: float, aht_seconds: float, within_seconds: float) -> float:
    """Share of calls answered within `within_seconds` by `agents` advisers (0 to 1).

    >>> round(service_level(14, 10.0, 180, 20), 3)
    0.888
    """
    c = erlang_c(agents, load)
    return _service_level(agents, load, c, aht_seconds, within_seconds)


def average_speed_of_answer(agents: int, load: float, aht_seconds: float) -> float:
    """Mean wait before an adviser answers, in seconds; infinite when the queue grows."""
    return _asa(agents, load, erlang_c(agents, load), aht_seconds)


def occupancy(agents: int, load: float) -> float:
    """Share of the advisers' time spent handling calls (1 when they cannot keep up)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    return load / agents


def scheduled(answering: int, shrinkage: float) -> int:
    """Advisers to schedule so that `answering` of them take calls, when `shrinkage` (0 to 1)
    of scheduled time goes elsewhere.

    >>> scheduled(14, 0.3)
    20
    """
    return math.ceil(answering / (1 - shrinkage) - EPSILON)


def answering(scheduled_advisers: float, shrinkage: float) -> int:
    """Advisers taking calls among `scheduled_advisers` after `shrinkage`, in whole advisers.

    Rounded down, so that a roster covering `scheduled(n, s)` advisers is credited with `n`.

    >>> answering(20, 0.3)
    14
    """
    return math.floor(scheduled_advisers * (1 - shrinkage) + EPSILON)


@dataclass(frozen=True)
class Figures:
    """The service `agents` advisers taking calls give under `load` erlangs, on one interval."""

    agents: int
    scheduled: int
    load: float
    wait_probability: float
    service_level: float | None  # share answered within `within_seconds`; None without one
    within_seconds: float | None
    asa_seconds: float  # infinite when the queue grows without end
    occupancy: float

    @property
    def stable(self) -> bool:
        """Whether the advisers keep up with the calls (more advisers than erlangs)."""
        return self.load <= 0 or self.agents > self.load

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures: an endless wait is `null`, with `stable` false."""
        return {
            "traffic_erlangs": round(self.load, 6),
            "agents": self.agents,
            "scheduled": self.scheduled,
            "service_level": self.service_level,
            "within_seconds": self.within_seconds,
            "asa_seconds": self.asa_seconds if math.isfinite(self.asa_seconds) else None,
            "occupancy": self.occupancy,
            "wait_probability": self.wait_probability,
            "stable": self.stable,
        }


def _check_fraction(name: str, value: float, *, top: float = 1.0, closed: bool = True) -> None:
    inside = 0 <= value <= top if closed else 0 <= value < top
    if not (math.isfinite(value) and inside):
        bound = f"to {top:g}" if closed else f"up to (not including) {top:g}"
        raise ValueError(f"{name} {value:g} is not a fraction from 0 {bound}")


def figures(
    agents: int,
    load: float,
    aht_seconds: float,
    within_seconds: float | None = None,
    shrinkage: float = 0.0,
) -> Figures:
    """The service of `agents` advisers taking calls under `load` erlangs of `aht_seconds` calls;
    the service level needs `within_seconds`, the wait a call may have; `shrinkage` (0 to 1) only
    sets how many advisers must be scheduled for `agents` to take calls."""
    if agents < 0:
        raise ValueError(f"{agents} advisers: give 0 or more")
    _check_fraction("shrinkage", shrinkage, closed=False)
    return _figures(agents, load, erlang_c(agents, load), aht_seconds, within_seconds, shrinkage)


def _figures(
    agents: int,
    load: float,
    c: float,
    aht_seconds: float,
    within_seconds: float | None,
    shrinkage: float,
) -> Figures:
    return Figures(
        agents=agents,
        scheduled=scheduled(agents, shrinkage),
        load=load,
        wait_probability=c,
        service_level=(
            None
            if within_seconds is None
            else _service_level(agents, load, c, aht_seconds, within_seconds)
        ),
        within_seconds=within_seconds,
        asa_seconds=_asa(agents, load, c, aht_seconds),
        occupancy=occupancy(agents, load),
    )


def required(
    load: float,
    aht_seconds: float,
    *,
    service_level: float | None = None,
    within_seconds: float | None = None,
    asa_seconds: float | None = None,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> Figures:
    """The fewest advisers taking calls that meet every goal given, with their figures.

    Goals: `service_level` (a fraction below 1) of calls answered within `within_seconds`; an
    average speed of answer of at most `asa_seconds`; an occupancy of at most `max_occupancy`.
    `load` is in erlangs, `aht_seconds` the mean handling time; `shrinkage` (0 to 1) turns the
    advisers taking calls into the advisers to schedule.

    >>> f = required(10.0, 180, service_level=0.8, within_seconds=20, shrinkage=0.3)
    >>> (f.agents, f.scheduled, round(f.service_level, 3))
    (14, 20, 0.888)
    """
    if service_level is None and asa_seconds is None:
        raise ValueError("give a service level (with the wait it allows) or an average speed")
    if service_level is not None:
        if within_seconds is None:
            raise ValueError("a service level needs the wait it allows (within_seconds)")
        if not 0 < service_level < 1:
            raise ValueError(
                f"service level {service_level:g} is not a fraction above 0 and below 1"
                " (no number of advisers answers every call within a wait)"
            )
    if asa_seconds is not None and not asa_seconds > 0:
        raise ValueError(f"average speed of answer {asa_seconds:g} s: give more than 0 seconds")
    if within_seconds is not None and not within_seconds >= 0:
        raise ValueError(f"wait of {within_seconds:g} s: give 0 seconds or more")
    if not 0 < max_occupancy <= 1:
        raise ValueError(f"max occupancy {max_occupancy:g} is not a fraction above 0, at most 1")
    _check_fraction("shrinkage", shrinkage, closed=False)
    if not (math.isfinite(load) and 0 <= load <= MAX_LOAD):
        raise ValueError(f"load of {load:g} erlangs: give 0 to {MAX_LOAD:,.0f}")
    if not aht_seconds > 0:
        raise ValueError(f"handling time of {aht_seconds:g} s: give more than 0 seconds")
    if load == 0:
        return figures(0, 0.0, aht_seconds, within_seconds, shrinkage)

    agents = max(math.floor(load) + 1, math.ceil(load / max_occupancy - EPSILON))
    b = erlang_b(agents, load)
    while True:
        c = _c_from_b(agents, load, b)
        met = True
        if service_level is not None and within_seconds is not None:
            met = _service_level(agents, load, c, aht_seconds, within_seconds) >= service_level
        if met and asa_seconds is not None:
            met = _asa(agents, load, c, aht_seconds) <= asa_seconds
        if met:
            return _figures(agents, load, c, aht_seconds, within_seconds, shrinkage)
        agents += 1
        b = load * b / (agents + load * b)  # Erlang B one adviser further, as in erlang_b
