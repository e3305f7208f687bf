"""From a forecast to required advisers in the scenario's demand, and the service a roster gives."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from roster import erlang
from roster.demand import read_demand_csv, requirements
from roster.io import load_problem
from roster.problem import Problem
from roster.staffing import demand_csv, headcounts, plan, project, staffing_table
from tests.factories import (
    PHONE_GOAL,
    forecast_folder,
    scenario_dict,
    with_goals,
)

NOON = "2026-11-24T12:00:00+01:00"
EVENING = "2026-11-24T18:00:00+01:00"


def load(tmp_path: Path, rows: list[list[object]], **kwargs: object) -> Problem:
    return load_problem(forecast_folder(tmp_path / "week", rows, **kwargs))


def at(problem: Problem, stamp: str) -> int:
    return problem.grid.index(datetime.fromisoformat(stamp))


def test_phone_forecast_needs_the_erlang_c_advisers_after_shrinkage(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "phone", 50, 180]])  # 10 erlangs in a quarter-hour
    answering = erlang.required(
        10.0, 180, service_level=0.8, within_seconds=20, max_occupancy=0.85
    ).agents
    assert answering == 14
    assert problem.requirements.headcount("phone")[at(problem, NOON)] == 20  # 14 / (1 - 0.3)


def test_intervals_without_contacts_need_nobody_on_the_phone(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "phone", 50, 180]])
    phone = problem.requirements.headcount("phone")
    assert sum(phone) == phone[at(problem, NOON)]


def test_social_forecast_is_staffed_before_during_and_after_its_peak(tmp_path: Path) -> None:
    peak = [
        [f"2026-11-24T{h:02d}:{m:02d}:00+01:00", "social", 20, 420]
        for h in (12, 13)
        for m in (0, 15, 30, 45)
    ]
    problem = load(tmp_path, peak)
    social = problem.requirements.headcount("social")
    noon = at(problem, NOON)
    assert social[noon - 1] == 0  # nothing arrived yet
    assert max(social) >= 9  # 20 contacts of 7 minutes a quarter-hour are 9.3 erlangs
    assert social[noon + 8] > 0  # 14:00: the last contacts are still being answered


def test_each_language_is_a_queue_and_the_headcount_adds_them_up(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "social", 12, 420], [NOON, "social", 2, 420, "en"]])
    plans = plan(problem.scenario, problem.forecast)
    heads = headcounts(plans)
    i = at(problem, NOON)
    english = plans[("social", "en")].required[i]
    assert english >= 1
    assert heads[("social", "en")][i] == english
    assert heads[("social", None)][i] == plans[("social", None)].required[i] + english
    assert problem.requirements.required[("social", "en")][i] == english
    assert problem.requirements.headcount("social")[i] == heads[("social", None)][i]


def test_the_demand_csv_and_the_forecast_give_the_larger_per_interval(tmp_path: Path) -> None:
    demand = [[NOON, "phone", 25], [EVENING, "phone", 1]]
    problem = load(tmp_path, [[NOON, "phone", 50, 180], [EVENING, "phone", 50, 180]], demand=demand)
    phone = problem.requirements.headcount("phone")
    assert phone[at(problem, NOON)] == 25  # the CSV's, above the forecast's 20
    assert phone[at(problem, EVENING)] == 20  # the forecast's, above the CSV's 1


def test_minimum_rules_still_raise_a_forecast_demand(tmp_path: Path) -> None:
    data = with_goals(scenario_dict(minimum=[{"channel": "social", "advisers": 1}]))
    problem = load(tmp_path, [[NOON, "phone", 50, 180]], data=data)
    assert min(problem.requirements.headcount("social")) == 1


def test_written_demand_reads_back_as_the_same_requirements(tmp_path: Path) -> None:
    problem = load(
        tmp_path,
        [[NOON, "social", 12, 420], [NOON, "social", 2, 420, "en"], [EVENING, "phone", 40, 300]],
    )
    path = tmp_path / "demand.csv"
    demand_csv(plan(problem.scenario, problem.forecast), problem.grid).to_csv(path, index=False)
    frame = read_demand_csv(path, problem.scenario, problem.grid)
    again = requirements(problem.scenario, problem.grid, frame)
    assert again.required == problem.requirements.required
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        "interval_start,channel,required,language"
    )


def test_the_staffing_table_gives_adviser_hours_and_the_peak_per_day(tmp_path: Path) -> None:
    problem = load(tmp_path, [[NOON, "phone", 50, 180], [EVENING, "phone", 20, 180]])
    table = staffing_table(plan(problem.scenario, problem.forecast), problem.grid)
    tuesday = table[(table["day"] == "2026-11-24") & (table["channel"] == "phone")].iloc[0]
    assert tuesday["contacts"] == 70
    assert tuesday["handling_hours"] == pytest.approx(70 * 180 / 3600)
    assert tuesday["peak"] == 20
    assert tuesday["peak_at"] == NOON
    heads = problem.requirements.headcount("phone")
    assert tuesday["adviser_hours"] == sum(heads) / 4
    week = table[(table["day"] == "week") & (table["channel"] == "phone")].iloc[0]
    assert week["contacts"] == 70
    assert 0.8 <= week["service"] <= 1


# --- the service a roster gives -------------------------------------------------------------


def week_of_contacts(tmp_path: Path, goal: dict[str, object] = PHONE_GOAL) -> Problem:
    """A Tuesday of phone calls and social contacts, peaks at noon and in the evening."""
    rows = []
    for hour in range(8, 22):
        for minute in (0, 15, 30, 45):
            stamp = f"2026-11-24T{hour:02d}:{minute:02d}:00+01:00"
            busy = hour in (11, 12, 13, 16, 17, 18)
            rows.append([stamp, "phone", 40 if hour < 12 else 15, 300])
            rows.append([stamp, "social", 25 if busy else 10, 420])
    return load(tmp_path, rows, data=with_goals(scenario_dict(), phone=goal))


def scheduled_as_required(problem: Problem) -> dict:
    return {(c, None): problem.requirements.headcount(c) for c in ("phone", "social")}


def test_a_roster_that_covers_the_demand_meets_the_goals_on_every_interval(
    tmp_path: Path,
) -> None:
    problem = week_of_contacts(tmp_path)
    services = project(problem.scenario, problem.forecast, scheduled_as_required(problem))
    for service in services.values():
        busy = service.volume > 0
        assert np.all(service.value[busy] >= service.goal.service_level)
        assert service.below_goal() == 0


def test_one_adviser_short_on_the_phone_falls_below_the_goal(tmp_path: Path) -> None:
    problem = week_of_contacts(tmp_path, goal=PHONE_GOAL | {"max_occupancy": 1})
    scheduled = scheduled_as_required(problem)
    ten = at(problem, "2026-11-24T10:00:00+01:00")
    short = list(scheduled[("phone", None)])
    short[ten] -= 1
    services = project(problem.scenario, problem.forecast, {**scheduled, ("phone", None): short})
    phone = services["phone"]
    assert phone.value[ten] < 0.8 <= phone.value[ten - 1]
    assert phone.below_goal() == 1


def test_nobody_on_social_in_the_evening_leaves_its_contacts_late(tmp_path: Path) -> None:
    problem = week_of_contacts(tmp_path)
    scheduled = scheduled_as_required(problem)
    social = np.array(scheduled[("social", None)])
    evening = [i for i, t in enumerate(problem.grid.local_instants) if t.hour >= 18]
    social[evening] = 0
    services = project(problem.scenario, problem.forecast, {**scheduled, ("social", None): social})
    shares = services["social"].value
    six = at(problem, EVENING)
    assert shares[six] == 0  # nobody answers until Wednesday morning: well past the hour
    assert services["social"].share() < 0.95
    days = services["social"].by_day(problem.grid)
    assert days[problem.grid.local_instants[six].date()] < 0.95
    assert not services["social"].stable  # the only day of contacts lost its evening


def test_days_and_week_are_weighted_by_contacts(tmp_path: Path) -> None:
    problem = week_of_contacts(tmp_path)
    service = project(problem.scenario, problem.forecast, scheduled_as_required(problem))["phone"]
    busy = service.volume > 0
    expected = float((service.volume[busy] * service.value[busy]).sum() / service.volume.sum())
    assert service.share() == pytest.approx(expected)
    days = service.by_day(problem.grid)
    assert days[problem.grid.local_instants[at(problem, NOON)].date()] == pytest.approx(expected)
    assert days[problem.grid.local_instants[0].date()] is None  # Monday: no calls
