"""The summary of a solved week, on a hand-built roster of one Monday shift."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from roster.demand import requirements
from roster.io import parse_scenario
from roster.problem import Problem
from roster.report import format_summary, summary
from roster.solution import Activity, Roster, Shift
from roster.timegrid import Grid


def scenario_data(*, paid_break: bool = False) -> dict:
    return {
        "name": "tiny",
        "week": {"monday": "2026-11-23", "timezone": "Europe/Paris"},
        "channels": [{"name": "social"}, {"name": "phone", "kind": "realtime"}],
        "teams": [
            {
                "name": "paris",
                "timezone": "Europe/Paris",
                "rules": {
                    "shift_starts": ["08:00"],
                    "shift_lengths_hours": [8],
                    "break": {"minutes": 30, "paid": paid_break},
                },
                "split": {"social": 70, "phone": 30},
            },
            {
                "name": "sydney",
                "timezone": "Australia/Sydney",
                "rules": {"contract_hours_per_week": 38},
            },
        ],
        "advisers": [
            {"id": "A1", "name": "Ana", "team": "paris", "channels": ["social", "phone"]},
            {
                "id": "A2",
                "team": "paris",
                "channels": ["social", "phone"],
                "unavailable": [{"date": "2026-11-25"}],
            },
            {"id": "S1", "team": "sydney", "channels": ["social"]},
        ],
        "demand": {
            "minimum": [
                {
                    "channel": "social",
                    "advisers": 1,
                    "window": {"start": "08:00", "end": "12:00"},
                    "days": ["monday"],
                },
                {
                    "channel": "phone",
                    "advisers": 2,
                    "window": {"start": "13:00", "end": "14:00"},
                    "days": ["monday"],
                },
            ]
        },
    }


def make_problem(**kwargs: bool) -> Problem:
    scenario = parse_scenario(scenario_data(**kwargs))
    grid = Grid.for_week(scenario.week.monday, scenario.week.timezone)
    return Problem(scenario, grid, requirements(scenario, grid, None))


def at(hour: int, minute: int = 0) -> datetime:
    """Monday 23 November 2026 at a UTC time (Paris is UTC+1)."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)


# A1 works 08:00-16:00 Paris: social 4.5 h, a 30-minute break, phone 3 h.
MONDAY = Roster(
    [
        Shift(
            "A1",
            at(7),
            at(15),
            (
                Activity("social", at(7), at(10)),
                Activity("break", at(10), at(10, 30)),
                Activity("social", at(10, 30), at(12)),
                Activity("phone", at(12), at(15)),
            ),
        )
    ]
)


def make_summary(problem: Problem | None = None, **overrides: object) -> dict:
    args: dict = {
        "status": "FEASIBLE",
        "objective": 1520.0,
        "lower_bound": 1500.0,
        "gap": 20 / 1520,
        "solve_seconds": 0.25,
        "penalties": {"shortfall": 1500.0, "overstaffing": 20.0, "preferences": 0.0},
        "diagnosis": [],
        "violations": [],
    }
    args.update(overrides)
    return summary(problem or make_problem(), MONDAY, **args)


def adviser(data: dict, adviser_id: str) -> dict:
    return next(a for a in data["advisers"] if a["id"] == adviser_id)


def test_summary_carries_the_solve_figures_unchanged():
    data = make_summary()
    assert data["status"] == "FEASIBLE"
    assert data["objective"] == 1520.0
    assert data["lower_bound"] == 1500.0
    assert data["gap"] == pytest.approx(20 / 1520)
    assert data["solve_seconds"] == 0.25
    assert data["penalties"]["shortfall"] == 1500.0
    assert data["diagnosis"] == [] and data["violations"] == []


def test_summary_is_plain_json():
    data = make_summary()
    assert json.loads(json.dumps(data)) == data


def test_hours_per_channel_are_adviser_hours():
    data = make_summary()
    assert data["required_hours"] == {"social": 4.0, "phone": 2.0}
    assert data["scheduled_hours"] == {"social": 4.5, "phone": 3.0}
    # social misses the break 10:00-10:30 UTC; phone needs 2 for an hour and has 1
    assert data["shortfall_hours"] == {"social": 0.5, "phone": 1.0}


def test_worst_shortfall_intervals_come_first_then_by_time():
    worst = make_summary()["worst_shortfall_intervals"]
    assert len(worst) == 5
    assert [(w["interval_start"], w["channel"]) for w in worst] == [
        ("2026-11-23T10:00:00Z", "social"),
        ("2026-11-23T10:15:00Z", "social"),
        ("2026-11-23T12:00:00Z", "phone"),
        ("2026-11-23T12:15:00Z", "phone"),
        ("2026-11-23T12:30:00Z", "phone"),
    ]
    assert worst[2] | {"local_start": None} == {
        "interval_start": "2026-11-23T12:00:00Z",
        "local_start": None,
        "channel": "phone",
        "required": 2,
        "scheduled": 1,
        "shortfall": 1,
    }
    assert worst[2]["local_start"] == "2026-11-23T13:00:00+01:00"


def test_every_adviser_has_an_entry_even_without_a_shift():
    data = make_summary()
    assert [a["id"] for a in data["advisers"]] == ["A1", "A2", "S1"]
    s1 = adviser(data, "S1")
    assert s1["shifts"] == 0
    assert s1["hours"] == 0
    assert s1["share"] == {}
    assert s1["timezone"] == "Australia/Sydney"
    assert s1["contract_hours"] == 38


def test_adviser_hours_leave_out_an_unpaid_break():
    a1 = adviser(make_summary(), "A1")
    assert a1["shifts"] == 1
    assert a1["hours"] == 7.5
    assert a1["channel_hours"] == {"social": 4.5, "phone": 3.0}


def test_adviser_hours_count_a_paid_break():
    a1 = adviser(make_summary(make_problem(paid_break=True)), "A1")
    assert a1["hours"] == 8.0


def test_share_is_percent_of_channel_time_against_the_target():
    a1 = adviser(make_summary(), "A1")
    assert a1["share"] == {"social": 60.0, "phone": 40.0}
    assert a1["split_target"] == {"social": 70.0, "phone": 30.0}
    assert a1["split_deviation_points"] == 10.0
    assert a1["split_tolerance_points"] == 5


def test_share_is_rounded_to_a_tenth_of_a_point():
    roster = Roster(
        [
            Shift(
                "A1",
                at(7),
                at(10),
                (Activity("social", at(7), at(9)), Activity("phone", at(9), at(10))),
            )
        ]
    )
    problem = make_problem()
    data = summary(
        problem,
        roster,
        status="FEASIBLE",
        objective=0,
        lower_bound=0,
        gap=0,
        solve_seconds=0,
        penalties={},
        diagnosis=[],
        violations=[],
    )
    assert adviser(data, "A1")["share"] == {"social": 66.7, "phone": 33.3}


def test_contract_hours_drop_a_fifth_per_day_of_leave():
    data = make_summary()
    assert adviser(data, "A1")["contract_hours"] == 35
    assert adviser(data, "A2")["contract_hours"] == 28
    assert adviser(data, "A2")["contract_deviation_hours"] == -28


def test_violations_are_written_as_text():
    class Broken:
        def __str__(self) -> str:
            return "min_rest_between_shifts: adviser A1 ...: 9 h of rest, 11 h required"

    data = make_summary(violations=[Broken()])
    assert data["violations"] == [
        "min_rest_between_shifts: adviser A1 ...: 9 h of rest, 11 h required"
    ]


def test_text_summary_shows_status_bound_gap_and_time():
    text = format_summary(make_summary())
    assert "Roster tiny, week of 2026-11-23 (Europe/Paris)" in text
    assert "FEASIBLE" in text
    assert "1,520 points (lower bound 1,500, gap 1.32%)" in text
    assert "solved in   0.2 s" in text or "solved in   0.3 s" in text
    assert "shortfall 1,500, overstaffing 20" in text
    assert "preferences" not in text  # penalties of zero are left out


def test_text_summary_shows_shortfall_and_worst_intervals_in_reference_time():
    text = format_summary(make_summary())
    assert "social" in text and "0.5" in text
    assert "Mon 23 Nov 11:00 (2026-11-23T10:00:00Z) social: 0 of 1 required, 1 missing" in text
    assert "Mon 23 Nov 13:00 (2026-11-23T12:00:00Z) phone: 1 of 2 required, 1 missing" in text


def test_text_summary_shows_each_team_with_its_share_range():
    text = format_summary(make_summary())
    assert "paris: 2 advisers (1 working), 7.5 h; share social 60.0-60.0%, phone 40.0-40.0%" in text
    assert "sydney: 1 adviser (0 working), 0.0 h" in text


def test_text_summary_lists_advisers_off_split_or_contract():
    text = format_summary(make_summary())
    assert "A1 Ana (paris): social 60.0% / phone 40.0% against a target of 70 / 30" in text
    assert "off by 10.0 points, outside the tolerance" in text
    assert "A2 (paris): 0.00 h against a contract of 28 h (outside the tolerance)" in text


def test_text_summary_shows_diagnosis_and_violations():
    text = format_summary(
        make_summary(
            status="IMPOSSIBLE",
            objective=None,
            gap=None,
            diagnosis=["Adviser A2 cannot reach 28 contract hours with 8-hour shifts."],
            violations=["contract_hours: adviser A2: 0 h worked"],
        )
    )
    assert "IMPOSSIBLE" in text
    assert "objective   - points" in text
    assert "gap -" in text
    assert "Diagnosis\n  Adviser A2 cannot reach 28 contract hours with 8-hour shifts." in text
    assert "Hard rules broken: 1" in text


def test_text_summary_reads_back_summary_json():
    data = make_summary()
    assert format_summary(json.loads(json.dumps(data))) == format_summary(data)


def test_text_summary_says_when_no_interval_is_short():
    data = make_summary()
    data["worst_shortfall_intervals"] = []
    assert "No interval short of advisers." in format_summary(data)


@pytest.mark.parametrize("status", ["NO_SOLUTION", "IMPOSSIBLE"])
def test_text_summary_without_a_roster_shows_only_status_and_reasons(status):
    why = "Adviser A2 cannot reach 28 contract hours with 8-hour shifts."
    data = summary(
        make_problem(),
        Roster(),
        status=status,
        objective=None,
        lower_bound=0,
        gap=None,
        solve_seconds=3,
        penalties={},
        diagnosis=[why],
        violations=[],
    )
    text = format_summary(data)
    assert "no roster found" in text
    assert f"Diagnosis\n  {why}" in text
    assert "Coverage" not in text and "Teams" not in text and "contract of" not in text
