"""Deferred work: the carry-over model against a discrete-event simulation, and its sizing."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from roster import erlang
from roster.deferred import Workload, project, size, window_load

STEP = 900  # a quarter of an hour
HOUR = 3600
AHT = 420.0  # social media: 7 minutes a contact
QUARTERS = np.arange(96) / 4  # the hour of day at each quarter-hour start


def peak_day() -> np.ndarray:
    """Contacts per quarter-hour on a day of social media: peaks 11:00-14:00 and 16:00-19:00
    (the domain brief), a steady flow by day, a trickle at night."""
    peaks = ((QUARTERS >= 11) & (QUARTERS < 14)) | ((QUARTERS >= 16) & (QUARTERS < 19))
    day = (QUARTERS >= 8) & (QUARTERS < 22)
    return np.where(peaks, 30.0, np.where(day, 12.0, 4.0))


def workload(volume: np.ndarray, promise: float = HOUR, aht: float = AHT) -> Workload:
    return Workload(volume, np.full(len(volume), aht), STEP, promise)


def by_day(hours: tuple[float, float], inside: int, outside: int) -> np.ndarray:
    """Advisers per quarter-hour: `inside` from hours[0] to hours[1], `outside` otherwise."""
    first, last = hours
    hour = QUARTERS
    return np.where((first <= hour) & (hour < last), inside, outside)


# --- a discrete-event simulation: the test's own model of a real team ----------------------


def simulate(
    volume: np.ndarray,
    staff: np.ndarray,
    *,
    aht: float = AHT,
    promise: float = HOUR,
    days: int = 4,
    random_arrivals: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Contacts answered within the promise and contacts arrived, per interval of the day,
    summed over `days` identical days after a first one that fills the backlog.

    Contacts arrive evenly spread in their interval (or at random, Poisson, with random handling
    times of mean `aht`, exponential). Adviser seat m is present in interval i when
    m < staff[i]; contacts are taken first come, first served, each by the first present seat to
    be free; a contact is not interrupted when its adviser's interval ends.
    """
    rng = random.Random(seed)
    count = len(volume)
    seats = np.tile(np.asarray(staff, dtype=int), days + 2)  # a spare day for the last tail
    horizon = len(seats)
    top = int(seats.max())
    # the first interval from i on in which seat m is present
    present_from = np.full((top, horizon + 1), horizon, dtype=int)
    for m in range(top):
        for i in range(horizon - 1, -1, -1):
            present_from[m, i] = i if seats[i] > m else present_from[m, i + 1]
    free = [0.0] * top
    last_start = 0.0
    on_time = np.zeros(count)
    arrived = np.zeros(count)
    for day in range(days + 1):
        for j in range(count):
            i = day * count + j
            if random_arrivals:
                n = int(np.random.default_rng(rng.randrange(2**32)).poisson(volume[j]))
                times = sorted(i * STEP + rng.random() * STEP for _ in range(n))
            else:
                n = round(volume[j])
                times = [i * STEP + (k + 0.5) / n * STEP for k in range(n)]
            for arrival in times:
                start, seat = min(
                    (_first_moment(m, max(arrival, free[m], last_start), present_from), m)
                    for m in range(top)
                )
                hold = rng.expovariate(1 / aht) if random_arrivals else aht
                last_start = start
                free[seat] = start + hold
                if day > 0:
                    arrived[j] += 1
                    on_time[j] += start + hold - arrival <= promise
    return on_time, arrived


def _first_moment(seat: int, t: float, present_from: np.ndarray) -> float:
    """The first moment from t on when the seat is present."""
    i = int(t // STEP)
    if i >= present_from.shape[1] - 1:
        return float("inf")
    first = present_from[seat, i]
    return t if first == i else first * STEP


def day_share(on_time: np.ndarray, arrived: np.ndarray) -> float:
    return float(on_time.sum() / arrived.sum())


def hourly(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (values * weights).reshape(-1, 4).sum(axis=1) / weights.reshape(-1, 4).sum(axis=1)


STAFFINGS = {
    "four short at the peaks": by_day((8, 22), 10, 3),
    "an evening backlog past midnight": np.where(
        (QUARTERS >= 8) & (QUARTERS < 17), 14, np.where((QUARTERS >= 17) | (QUARTERS < 1), 5, 3)
    ),
    "eight round the clock": np.full(96, 8),
}


@pytest.mark.parametrize("name", STAFFINGS)
def test_model_matches_a_simulation_of_contacts_arriving_evenly(name: str) -> None:
    volume, staff = peak_day(), STAFFINGS[name]
    model = project(workload(volume), staff)
    on_time, arrived = simulate(volume, staff)
    assert model.on_time_share @ volume / volume.sum() == pytest.approx(
        day_share(on_time, arrived), abs=0.015
    )
    np.testing.assert_allclose(
        hourly(model.on_time_share, volume), hourly(on_time / arrived, arrived), atol=0.08
    )


def test_model_sees_lateness_where_the_simulation_does() -> None:
    volume, staff = peak_day(), STAFFINGS["four short at the peaks"]
    late_in_model = project(workload(volume), staff).on_time_share < 0.5
    on_time, arrived = simulate(volume, staff)
    late_in_simulation = on_time / arrived < 0.5
    assert late_in_model.sum() >= 12  # hours of peaks answered late, not a corner case
    assert np.mean(late_in_model == late_in_simulation) >= 0.95


@pytest.mark.parametrize("name", STAFFINGS)
def test_model_stays_close_to_a_simulation_of_contacts_arriving_at_random(name: str) -> None:
    volume, staff = peak_day(), STAFFINGS[name]
    model = float(project(workload(volume), staff).on_time_share @ volume / volume.sum())
    on_time, arrived = simulate(volume, staff, random_arrivals=True, days=10, seed=3)
    # the model counts the expected arrivals; days busier or quieter than forecast, and
    # contacts arriving in bunches, move the share by a few points either way
    assert model == pytest.approx(day_share(on_time, arrived), abs=0.1)


def test_backlog_of_the_evening_runs_past_midnight_into_the_night() -> None:
    model = project(workload(peak_day()), STAFFINGS["an evening backlog past midnight"])
    midnight = 0
    assert model.backlog_seconds[midnight] > 8 * HOUR  # work left from the evening
    assert np.all(model.on_time_share[:4] < 0.05)  # so 00:00-01:00 is answered late
    assert model.stable


# --- sizing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("promise", [HOUR, 3 * HOUR])
def test_required_advisers_answer_every_contact_of_the_peak_day_within_the_promise(
    promise: float,
) -> None:
    work = workload(peak_day(), promise)
    sizing = size(work, 0.95)
    shares = project(work, sizing.required).on_time_share
    np.testing.assert_allclose(shares, 1.0, rtol=0, atol=1e-9)
    on_time, arrived = simulate(peak_day(), sizing.required, promise=promise)
    assert day_share(on_time, arrived) == 1.0


@pytest.mark.parametrize("seed", [0, 1])
def test_required_advisers_meet_95_percent_within_the_hour_with_random_arrivals(
    seed: int,
) -> None:
    sizing = size(workload(peak_day()), 0.95)
    on_time, arrived = simulate(
        peak_day(), sizing.required, random_arrivals=True, days=10, seed=seed
    )
    assert day_share(on_time, arrived) >= 0.95


def test_a_steady_flow_is_staffed_by_erlang_c_waiting_at_most_the_promise_less_handling() -> None:
    volume = np.full(96, 10.0)  # 10 contacts of 7 minutes a quarter-hour: 4.67 erlangs
    expected = erlang.required(
        10 * AHT / STEP, AHT, service_level=0.95, within_seconds=HOUR - AHT
    ).agents
    assert expected == 6
    assert set(size(workload(volume), 0.95).required) == {expected}


def test_shrinkage_adds_the_advisers_away_from_contacts() -> None:
    volume = np.full(96, 10.0)
    assert set(size(workload(volume), 0.95, shrinkage=0.3).required) == {erlang.scheduled(6, 0.3)}


def burst(at_hour: float, quarters: int = 2, contacts: float = 60.0, days: int = 1) -> np.ndarray:
    """A quiet flow (2 contacts a quarter-hour) with a burst starting at `at_hour` of the last
    day."""
    volume = np.full(96 * days, 2.0)
    first = 96 * (days - 1) + int(at_hour * 4)
    volume[first : first + quarters] = contacts
    return volume


def test_a_longer_promise_spreads_a_burst_over_fewer_advisers() -> None:
    hour = size(workload(burst(12)), 0.95).required
    three_hours = size(workload(burst(12), 3 * HOUR), 0.95).required
    assert three_hours.max() < hour.max() / 2
    assert three_hours.sum() <= hour.sum()


def test_a_burst_is_staffed_until_its_work_is_done() -> None:
    required = size(workload(burst(12), 3 * HOUR), 0.95).required
    noon = 48
    assert required[noon + 8] > required[noon - 4]  # still raised two hours after it began


@pytest.mark.parametrize("days", [1, 7], ids=["across midnight", "across the end of the week"])
def test_a_late_burst_is_staffed_after_midnight_of_the_last_day_on_the_first(days: int) -> None:
    volume = burst(23.5, days=days)
    required = size(workload(volume, 3 * HOUR), 0.95).required
    assert required[0] > required[6 * 4]  # 00:00 of the first day, against 06:00
    quiet = size(workload(np.full(96 * days, 2.0), 3 * HOUR), 0.95).required
    assert required[0] > quiet[0]


def test_sunday_night_backlog_is_carried_into_monday() -> None:
    volume = np.full(96 * 7, 4.0)
    staff = np.full(96 * 7, 3)
    staff[-8:] = 0  # nobody from 22:00 on Sunday
    model = project(workload(volume, 3 * HOUR), staff)
    assert model.backlog_seconds[0] > 0
    assert model.on_time_share[-8:].min() > 0.9  # answered on Monday, within 3 hours
    assert model.stable


def test_a_week_with_less_capacity_than_work_grows_its_backlog() -> None:
    volume = np.full(96, 10.0)  # 4.67 erlangs
    assert not project(workload(volume), np.full(96, 4)).stable
    assert project(workload(volume), np.full(96, 5)).stable


def test_intervals_without_contacts_need_nobody_and_have_no_share() -> None:
    volume = np.zeros(96)
    volume[40] = 5.0
    work = workload(volume)
    sizing = size(work, 0.95)
    shares = project(work, sizing.required).on_time_share
    assert sizing.required[:40].sum() == 0
    assert np.isnan(shares[0])
    assert shares[40] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("aht", "volume"), [(3600.0, 1.0), (3601.0, 1.0), (0.0, 1.0), (420.0, -1.0)]
)
def test_workloads_no_staffing_could_answer_in_time_are_refused(aht: float, volume: float) -> None:
    with pytest.raises(ValueError):
        Workload(np.full(4, volume), np.full(4, aht), STEP, HOUR)


def test_a_handling_time_just_inside_the_promise_is_accepted() -> None:
    assert Workload(np.ones(4), np.full(4, 3599.0), STEP, HOUR).count == 4


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_a_share_of_0_or_100_percent_is_refused(share: float) -> None:
    with pytest.raises(ValueError):
        size(workload(peak_day()), share)


# --- properties -----------------------------------------------------------------------------

volumes = hnp.arrays(float, 24, elements=st.floats(min_value=0, max_value=40))
staffs = hnp.arrays(int, 24, elements=st.integers(min_value=0, max_value=25))


@settings(max_examples=60, deadline=None)
@given(volume=volumes, staff=staffs, where=st.integers(min_value=0, max_value=23))
def test_one_adviser_more_never_answers_fewer_contacts_on_time(
    volume: np.ndarray, staff: np.ndarray, where: int
) -> None:
    work = Workload(volume, np.full(24, AHT), STEP, HOUR)
    before = project(work, staff).on_time_share
    more = staff.copy()
    more[where] += 1
    after = project(work, more).on_time_share
    busy = volume > 0
    assert np.all((before[busy] >= 0) & (before[busy] <= 1))
    assert np.all(after[busy] >= before[busy] - 1e-9)


@settings(max_examples=40, deadline=None)
@given(volume=volumes, promise=st.floats(min_value=600, max_value=4 * HOUR))
def test_window_load_is_the_highest_rate_of_the_window_over_each_interval(
    volume: np.ndarray, promise: float
) -> None:
    work = Workload(volume, np.full(24, 300.0), STEP, promise)
    window = promise - 300.0
    arrived = np.concatenate(([0.0], np.cumsum(np.tile(work.work, 3))))
    times = np.arange(len(arrived)) * STEP

    # the rate at 1-second steps through the second day, at its highest per interval
    t = 24 * STEP + np.arange(24 * STEP + 1, dtype=float)
    rate = (np.interp(t, times, arrived) - np.interp(t - window, times, arrived)) / window
    sampled = [rate[i * STEP : (i + 1) * STEP + 1].max() for i in range(24)]
    # a bend between two samples can lift the highest by at most a second of the steepest climb
    steepest = work.work.max() / STEP / window
    np.testing.assert_allclose(window_load(work), sampled, rtol=0, atol=steepest + 1e-9)
    assert np.all(window_load(work) >= np.array(sampled) - 1e-9)


@settings(max_examples=40, deadline=None)
@given(volume=volumes, promise=st.floats(min_value=600, max_value=4 * HOUR))
def test_required_advisers_always_clear_the_backlog_within_the_promise(
    volume: np.ndarray, promise: float
) -> None:
    work = Workload(volume, np.full(24, 300.0), STEP, promise)
    shares = project(work, size(work, 0.9).required).on_time_share
    busy = volume > 0
    np.testing.assert_allclose(shares[busy], 1.0, rtol=0, atol=1e-9)
