"""Erlang C: the published worked example, its limits, large traffic, pyworkforce as an oracle."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyworkforce.queuing import ErlangC

from roster import erlang

# The worked example of call-centre handbooks: 100 calls in 30 minutes, 3 minutes each,
# 80% of calls answered within 20 seconds.
CALLS, INTERVAL, AHT, TARGET, WITHIN = 100, 1800, 180, 0.8, 20


def example(**goals: float) -> erlang.Figures:
    load = erlang.traffic(CALLS, INTERVAL, AHT)
    return erlang.required(
        load, AHT, **({"service_level": TARGET, "within_seconds": WITHIN} | goals)
    )


def test_100_calls_in_30_minutes_of_3_minutes_are_10_erlangs() -> None:
    assert erlang.traffic(CALLS, INTERVAL, AHT) == 10.0


def test_100_calls_in_30_minutes_need_14_advisers_for_80_percent_in_20_seconds() -> None:
    figures = example()
    assert figures.agents == 14
    assert figures.service_level == pytest.approx(0.8884, abs=1e-4)
    assert figures.wait_probability == pytest.approx(0.1741, abs=1e-4)
    assert figures.asa_seconds == pytest.approx(7.84, abs=0.01)
    assert figures.occupancy == pytest.approx(10 / 14)


def test_13_advisers_answer_79_6_percent_just_short_of_80() -> None:
    figures = erlang.figures(13, 10.0, AHT, WITHIN)
    assert figures.service_level == pytest.approx(0.7956, abs=1e-4)
    assert figures.service_level < TARGET


def test_30_percent_shrinkage_turns_14_advisers_answering_into_20_scheduled() -> None:
    assert example(shrinkage=0.3).scheduled == 20


@pytest.mark.parametrize(
    ("answering", "shrinkage", "scheduled"),
    [(14, 0.3, 20), (15, 0.3, 22), (14, 0.0, 14), (0, 0.3, 0), (7, 0.5, 14), (10, 0.35, 16)],
)
def test_scheduled_advisers_after_shrinkage_round_up(
    answering: int, shrinkage: float, scheduled: int
) -> None:
    assert erlang.scheduled(answering, shrinkage) == scheduled


@pytest.mark.parametrize(("scheduled", "answering"), [(20, 14), (19, 13), (21, 14), (0, 0)])
def test_advisers_answering_after_shrinkage_round_down(scheduled: int, answering: int) -> None:
    assert erlang.answering(scheduled, 0.3) == answering


@pytest.mark.parametrize("shrinkage", [0.0, 0.1, 0.3, 0.35, 0.5, 0.7])
@pytest.mark.parametrize("answering", range(0, 60))
def test_scheduling_for_shrinkage_gives_back_the_advisers_answering(
    answering: int, shrinkage: float
) -> None:
    assert erlang.answering(erlang.scheduled(answering, shrinkage), shrinkage) >= answering


@pytest.mark.parametrize(("max_occupancy", "agents"), [(0.72, 14), (0.71, 15), (0.5, 20)])
def test_max_occupancy_adds_advisers_only_when_the_goal_leaves_them_busier(
    max_occupancy: float, agents: int
) -> None:
    figures = example(max_occupancy=max_occupancy)
    assert figures.agents == agents
    assert figures.occupancy <= max_occupancy


def test_occupancy_of_exactly_the_maximum_is_allowed() -> None:
    assert example(max_occupancy=10 / 16, service_level=0.5).agents == 16


@pytest.mark.parametrize(("asa", "agents"), [(7.9, 14), (7.8, 15), (20, 13)])
def test_a_target_average_speed_of_answer_sizes_on_its_own(asa: float, agents: int) -> None:
    figures = erlang.required(10.0, AHT, asa_seconds=asa)
    assert figures.agents == agents
    assert figures.asa_seconds <= asa
    assert figures.service_level is None


def test_both_goals_take_the_stricter() -> None:
    assert example(asa_seconds=7.8).agents == 15


def test_no_calls_need_no_adviser() -> None:
    figures = erlang.required(0.0, AHT, service_level=TARGET, within_seconds=WITHIN)
    assert (figures.agents, figures.scheduled, figures.service_level) == (0, 0, 1.0)
    assert figures.asa_seconds == 0 and figures.occupancy == 0


@pytest.mark.parametrize("agents", [0, 5, 10])
def test_no_more_advisers_than_erlangs_never_catch_up(agents: int) -> None:
    figures = erlang.figures(agents, 10.0, AHT, WITHIN)
    assert not figures.stable
    assert (figures.service_level, figures.wait_probability, figures.occupancy) == (0, 1, 1)
    assert figures.asa_seconds == math.inf
    assert figures.as_dict()["asa_seconds"] is None


def test_one_adviser_more_than_the_erlangs_is_stable() -> None:
    figures = erlang.figures(11, 10.0, AHT, WITHIN)
    assert figures.stable
    assert 0 < figures.service_level < 1
    assert math.isfinite(figures.asa_seconds)


@pytest.mark.parametrize(
    "goals",
    [
        {"service_level": 1.0, "within_seconds": 20},
        {"service_level": 0.0, "within_seconds": 20},
        {"service_level": 0.8},
        {},
        {"asa_seconds": 0},
        {"service_level": 0.8, "within_seconds": 20, "max_occupancy": 0},
        {"service_level": 0.8, "within_seconds": 20, "shrinkage": 1.0},
    ],
)
def test_goals_that_no_staffing_meets_are_refused(goals: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        erlang.required(10.0, AHT, **goals)


def log_erlang_b(agents: int, load: float) -> float:
    """Erlang B from its definition, in log space: (A^N / N!) / sum_k A^k / k!."""
    terms = [k * math.log(load) - math.lgamma(k + 1) for k in range(agents + 1)]
    top = max(terms)
    return math.exp(terms[-1] - top - math.log(sum(math.exp(t - top) for t in terms)))


@pytest.mark.parametrize("load", [0.5, 10.0, 100.0, 518.0, 2500.0])
def test_erlang_b_by_recurrence_matches_its_definition_at_large_traffic(load: float) -> None:
    for agents in (int(load * 0.8) + 1, int(load) + 1, int(load * 1.1) + 2):
        assert erlang.erlang_b(agents, load) == pytest.approx(log_erlang_b(agents, load), 1e-9)


def test_crisis_traffic_of_hundreds_of_erlangs_is_sized_exactly() -> None:
    # the 2010 ash cloud: 518,000 calls in a week, about 770 per quarter-hour, 5 minutes each
    load = erlang.traffic(770, 900, 300)
    figures = erlang.required(load, 300, service_level=0.8, within_seconds=20)
    assert load < figures.agents < load * 1.05
    assert figures.service_level >= 0.8
    assert erlang.service_level(figures.agents - 1, load, 300, 20) < 0.8


# --- pyworkforce, an independent implementation (minutes where we use seconds) -------------


def oracle(calls: float, interval: float, aht: float, within: float) -> ErlangC:
    return ErlangC(transactions=calls, aht=aht / 60, asa=within / 60, interval=interval / 60)


GRID = [
    (calls, interval, aht, target, within)
    for calls in (3, 20, 75, 240, 900)
    for interval in (900, 1800)
    for aht in (45, 180, 420)
    for target, within in ((0.7, 10), (0.8, 20), (0.9, 60))
]


@pytest.mark.parametrize(("calls", "interval", "aht", "target", "within"), GRID)
def test_required_advisers_agree_with_pyworkforce(
    calls: float, interval: float, aht: float, target: float, within: float
) -> None:
    ours = erlang.required(
        erlang.traffic(calls, interval, aht), aht, service_level=target, within_seconds=within
    )
    theirs = oracle(calls, interval, aht, within)
    positions = theirs.required_positions(service_level=target)
    # pyworkforce starts its search at round(erlangs + 1), one above the least stable count
    # when the erlangs end in .5 or more: its answer is then ours or that starting point.
    assert positions["raw_positions"] == max(ours.agents, round(theirs.intensity + 1))
    assert theirs.service_level(ours.agents) >= target
    if ours.agents > math.floor(theirs.intensity) + 1:
        assert theirs.service_level(ours.agents - 1) < target


@pytest.mark.parametrize(("calls", "interval", "aht", "target", "within"), GRID)
def test_figures_agree_with_pyworkforce(
    calls: float, interval: float, aht: float, target: float, within: float
) -> None:
    load = erlang.traffic(calls, interval, aht)
    theirs = oracle(calls, interval, aht, within)
    for agents in (math.floor(load) + 1, math.floor(load) + 3, math.ceil(load * 1.3) + 1):
        ours = erlang.figures(agents, load, aht, within)
        assert ours.service_level == pytest.approx(theirs.service_level(agents), rel=1e-9)
        assert ours.wait_probability == pytest.approx(theirs.waiting_probability(agents), 1e-9)
        assert ours.occupancy == pytest.approx(theirs.achieved_occupancy(agents), rel=1e-12)


@pytest.mark.parametrize("max_occupancy", [0.7, 0.85])
@pytest.mark.parametrize("calls", [20, 75, 240])
def test_max_occupancy_and_shrinkage_agree_with_pyworkforce(
    calls: float, max_occupancy: float
) -> None:
    ours = erlang.required(
        erlang.traffic(calls, 1800, 180),
        180,
        service_level=0.8,
        within_seconds=20,
        max_occupancy=max_occupancy,
        shrinkage=0.3,
    )
    theirs = ErlangC(transactions=calls, aht=3, asa=1 / 3, interval=30, shrinkage=0.3)
    positions = theirs.required_positions(service_level=0.8, max_occupancy=max_occupancy)
    assert (ours.agents, ours.scheduled) == (positions["raw_positions"], positions["positions"])


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(min_value=0.5, max_value=2000),
    aht=st.floats(min_value=10, max_value=900),
    within=st.floats(min_value=1, max_value=600),
    extra=st.integers(min_value=1, max_value=40),
)
def test_service_level_agrees_with_pyworkforce_anywhere(
    calls: float, aht: float, within: float, extra: int
) -> None:
    load = erlang.traffic(calls, 900, aht)
    agents = math.floor(load) + extra
    expected = oracle(calls, 900, aht, within).service_level(agents)
    assert erlang.service_level(agents, load, aht, within) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    load=st.floats(min_value=0.01, max_value=800),
    target=st.floats(min_value=0.05, max_value=0.99),
    within=st.floats(min_value=0, max_value=300),
)
def test_required_advisers_are_the_fewest_that_meet_the_goal(
    load: float, target: float, within: float
) -> None:
    figures = erlang.required(load, 300, service_level=target, within_seconds=within)
    assert figures.service_level >= target
    fewer = figures.agents - 1
    if fewer > load:
        assert erlang.service_level(fewer, load, 300, within) < target
