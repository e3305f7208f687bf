"""The solver on small weeks: every roster passes the validator, the bound and gap are honest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from roster.penalties import penalties
from roster.problem import Problem
from roster.solution import BREAK
from roster.timegrid import localize
from roster.validation import validate
from solver.parts import Settled, settle_parts
from solver.result import SolveResult
from solver.shifts_model import SCALE
from solver.solve import solve
from tests.factories import (
    AUTUMN_MONDAY,
    MONDAY,
    PARIS,
    SPRING_MONDAY,
    adviser,
    make_problem,
    paris_team,
    scenario_dict,
    sydney_team,
)

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]
SOCIAL_ALWAYS = {"channel": "social", "advisers": 1}
PHONE_BY_DAY = {
    "channel": "phone",
    "advisers": 1,
    "window": {"start": "09:00", "end": "17:00"},
    "days": WEEKDAYS,
}


def run(problem: Problem, seconds: float = 4) -> SolveResult:
    """Solve deterministically (one worker, fixed seed) and insist on a clean roster."""
    result = solve(problem, time_limit=seconds, workers=1, seed=0)
    assert result.status in ("OPTIMAL", "FEASIBLE"), result.diagnosis
    assert validate(problem, result.roster) == []
    assert result.objective is not None
    assert result.lower_bound <= result.objective + 1e-6
    # a bound shown while solving is a bound of the whole problem, never of a restricted search
    assert all(step.bound <= result.lower_bound + 1e-3 for step in result.progress)
    assert result.objective == pytest.approx(sum(penalties(problem, result.roster).values()))
    return result


def small_team(monday: str = MONDAY, paris: int = 3, sydney: int = 2) -> Problem:
    advisers = [adviser(f"P{i}") for i in range(1, paris + 1)]
    advisers += [
        adviser(f"S{i}", team="sydney", channels=("social",)) for i in range(1, sydney + 1)
    ]
    data = scenario_dict(monday=monday, advisers=advisers, minimum=[SOCIAL_ALWAYS, PHONE_BY_DAY])
    return make_problem(data)


@pytest.mark.slow
def test_a_small_week_breaks_no_hard_rule_and_reports_its_bound():
    result = run(small_team())
    assert result.gap is not None and 0 <= result.gap <= 1
    assert result.solve_seconds > 0
    assert {e.stage for e in result.progress} <= {"shifts", "blocks"}


@pytest.mark.slow
def test_a_part_fixed_without_proof_lowers_the_bound_by_its_slack_and_is_never_optimal(
    monkeypatch,
):
    # a week small enough to be proven optimal, or nearly, in its 4 s
    plain = run(small_team(paris=1, sydney=2))

    def slack_of_100_points(*args, **kwargs) -> Settled:
        settled = settle_parts(*args, **kwargs)
        return replace(settled, slack=settled.slack + 100 * SCALE)

    monkeypatch.setattr("solver.solve.settle_parts", slack_of_100_points)
    slack = run(small_team(paris=1, sydney=2))

    assert plain.objective - plain.lower_bound < 100  # proven, or all but
    assert slack.objective - slack.lower_bound >= 100 - 1e-3
    assert slack.status == "FEASIBLE"


@pytest.mark.slow
def test_every_shift_holds_its_break_and_blocks_of_an_hour_at_least():
    problem = small_team()
    result = run(problem)
    assert result.roster.shifts
    for shift in result.roster.shifts:
        breaks = [a for a in shift.activities if a.kind == BREAK]
        assert len(breaks) == 1 and breaks[0].minutes == 30


@pytest.mark.slow
def test_demand_beyond_the_staff_is_reported_as_shortfall_not_infeasible():
    data = scenario_dict(
        advisers=[adviser("P1")],
        teams=[paris_team()],
        minimum=[{"channel": "social", "advisers": 5}],
    )
    problem = make_problem(data)
    result = run(problem)
    assert result.penalties["shortfall"] > 0
    assert result.status in ("OPTIMAL", "FEASIBLE")


def test_contract_hours_the_shifts_cannot_make_are_explained_in_words():
    # seven 7-hour days make 49 h, one more than the weekly maximum
    team = paris_team(rules={"contract_hours_per_week": 49, "contract_tolerance_hours": 0})
    data = scenario_dict(teams=[team], advisers=[adviser("P1"), adviser("P2")])
    result = solve(make_problem(data), time_limit=4, workers=1, seed=0)
    assert result.status == "IMPOSSIBLE"
    assert result.roster.shifts == []
    (sentence,) = result.diagnosis
    assert "contract_hours" in sentence and "max_hours_per_week" in sentence
    assert "P1" in sentence and "P2" in sentence


@pytest.mark.slow
@pytest.mark.parametrize(
    ("monday", "paris_night", "hours"),
    [
        (SPRING_MONDAY, "2026-03-28", 9),
        (AUTUMN_MONDAY, "2026-10-24", 11),
        (MONDAY, "2026-11-28", 10),
    ],
)
def test_the_sydney_team_covers_the_paris_night_whatever_its_length(monday, paris_night, hours):
    sydney = sydney_team(
        rules={
            "max_hours_per_day": 11,
            "contract_hours_per_week": 38,
            "contract_tolerance_hours": 12,
        }
    )
    advisers = [adviser(f"S{i}", team="sydney", channels=("social",)) for i in range(1, 3)]
    data = scenario_dict(
        monday=monday,
        teams=[paris_team(), sydney],
        advisers=advisers,
        minimum=[
            {"channel": "social", "advisers": 1, "window": {"start": "22:00", "end": "08:00"}}
        ],
    )
    problem = make_problem(data)
    result = run(problem, seconds=6)
    evening = date.fromisoformat(paris_night)
    start = localize(evening, time(22), PARIS)
    end = localize(evening + timedelta(days=1), time(8), PARIS)
    night = problem.grid.span(start, end)
    assert len(night) * problem.grid.minutes == hours * 60
    on_shift = {i for s in result.roster.shifts for i in problem.grid.span(s.start, s.end)}
    assert set(night) <= on_shift  # someone is on duty all night (on break at times)
