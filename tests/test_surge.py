"""Surge plans: volunteers called up after the lead time, no one else touched, no rule broken."""

from __future__ import annotations

import csv
import functools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from api.cli import main
from roster.errors import ScenarioError
from roster.incident import Incident
from roster.io import load_incident, write_roster
from roster.problem import Problem
from roster.solution import BREAK, Roster
from roster.surge_demand import surge_problem
from roster.surge_rules import managers_missing, surge_violations
from roster.validation import validate
from solver.surge import KEPT_RULES, SurgePlan, plan_surge
from tests.factories import (
    adviser,
    compliant_sydney_week,
    compliant_week,
    make_problem,
    paris_instant,
    scenario_dict,
)

FRIDAY, SATURDAY, SUNDAY = "2026-11-27", "2026-11-28", "2026-11-29"


def week() -> tuple[Problem, Roster]:
    """P1 does not volunteer; P2 (Monday to Friday) and P3 (Monday to Thursday) do."""
    advisers = [
        adviser("P1"),
        adviser("P2", volunteer=True),
        adviser("P3", volunteer=True),
        adviser("S1", team="sydney", channels=("social",)),
    ]
    data = scenario_dict(advisers=advisers, minimum=[{"channel": "social", "advisers": 1}])
    published = Roster(
        [
            *compliant_week("P1"),
            *compliant_week("P2"),
            *compliant_week("P3", days=(0, 1, 2, 3)),
            *compliant_sydney_week("S1"),
        ]
    )
    return make_problem(data), published


def incident(**overrides: Any) -> Incident:
    """Social media x3 from Friday noon to Sunday 22:00, asked on Friday at 10:00 (Paris)."""
    fields: dict[str, Any] = {
        "name": "snow",
        "requested_at": paris_instant(f"{FRIDAY} 10:00"),
        "start": paris_instant(f"{FRIDAY} 12:00"),
        "end": paris_instant(f"{SUNDAY} 22:00"),
        "factors": {"social": 3},
        "extra_shift_lengths_hours": [9.5],
    }
    return Incident.model_validate({**fields, **overrides})


def planned(problem: Problem, published: Roster, event: Incident) -> SurgePlan:
    """Plan deterministically and insist that the plan breaks no rule it keeps."""
    plan = plan_surge(problem, published, event, time_limit=5, workers=1, seed=0)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    surged = surge_problem(problem, event)
    assert validate(surged, plan.roster, KEPT_RULES) == []
    assert surge_violations(published, plan.roster, event, problem.scenario, plan.duties) == []
    assert plan.violations == []
    assert plan.objective is not None and 0 <= plan.lower_bound <= plan.objective + 1e-6
    return plan


@functools.cache
def snow_plan() -> SurgePlan:
    """The plan for the default incident, made once: several tests read it."""
    problem, published = week()
    return planned(problem, published, incident())


def test_volunteers_cover_part_of_the_surge_and_nothing_else_breaks() -> None:
    plan = snow_plan()

    assert plan.shortfall_after["social"] < plan.shortfall_before["social"]
    assert {c.adviser_id for c in plan.call_ups} <= {"P2", "P3"}
    assert any(c.kind == "new" and c.adviser_id == "P3" for c in plan.call_ups)


def test_a_shift_under_way_is_extended_rather_than_moved() -> None:
    plan = snow_plan()

    friday = [c for c in plan.call_ups if c.adviser_id == "P2" and c.start.day == 27]
    assert [c.kind for c in friday] == ["extend"]
    assert friday[0].start == paris_instant(f"{FRIDAY} 16:30")  # from the published end
    assert plan.changes["moves"] == 0


def test_advisers_who_did_not_volunteer_keep_their_shifts_and_breaks() -> None:
    _, published = week()

    plan = snow_plan()

    for adviser_id in ("P1", "S1"):
        before = published.by_adviser()[adviser_id]
        after = plan.roster.by_adviser()[adviser_id]
        assert [(s.start, s.end) for s in after] == [(s.start, s.end) for s in before]
        for old, new in zip(before, after, strict=True):
            breaks = [(a.start, a.end) for a in old.activities if a.kind == BREAK]
            assert [(a.start, a.end) for a in new.activities if a.kind == BREAK] == breaks


def test_advisers_on_duty_move_to_the_short_channel_only_after_the_request() -> None:
    _, published = week()
    event = incident()

    plan = snow_plan()

    assert plan.changes["channel_changes"] > 0
    friday = next(s for s in plan.roster.by_adviser()["P1"] if s.start.day == 27)
    before = next(s for s in published.by_adviser()["P1"] if s.start.day == 27)
    early = [a for a in before.activities if a.start < event.requested_at]
    assert [a for a in friday.activities if a.start < event.requested_at] == early


@pytest.mark.parametrize("lead_hours", [6, 30])
def test_no_work_is_added_before_the_lead_time(lead_hours: int) -> None:
    problem, published = week()
    event = incident(lead_time_hours=lead_hours)

    plan = planned(problem, published, event)

    earliest = event.requested_at + timedelta(hours=lead_hours)
    assert all(c.start >= earliest for c in plan.call_ups if c.kind != "move")


def test_a_volunteer_works_no_more_extra_hours_than_offered() -> None:
    problem, published = week()
    offers = [{"adviser": "P2", "extra_hours": 0}, {"adviser": "P3", "extra_hours": 0}]

    plan = planned(problem, published, incident(volunteers=offers))

    assert [c for c in plan.call_ups if c.kind != "move"] == []


def test_volunteers_who_declined_are_not_called_again() -> None:
    problem, published = week()

    plan = planned(problem, published, incident(declined=["P3"]))

    assert all(c.adviser_id != "P3" for c in plan.call_ups)


def test_invitations_are_sized_by_the_acceptance_rate() -> None:
    problem, published = week()

    plan = planned(problem, published, incident(acceptance_rate=0.5))

    called = {c.adviser_id for c in plan.call_ups if c.kind != "move"}
    assert plan.invitations_wanted == 2 * len(called)
    assert [i.rank for i in plan.invitations] == list(range(1, len(plan.invitations) + 1))
    assert [i.adviser_id for i in plan.invitations if i.role == "plan"] == sorted(
        called, key=lambda a: -sum(c.useful_hours for c in plan.call_ups if c.adviser_id == a)
    )


def test_the_surge_scales_demand_inside_its_window_only_rounding_up() -> None:
    problem, _ = week()
    event = incident(factors={"social": 1.5})

    surged = surge_problem(problem, event)

    before = problem.requirements.headcount("social")
    after = surged.requirements.headcount("social")
    inside = problem.grid.index(paris_instant(f"{SATURDAY} 12:00"))
    outside = problem.grid.index(paris_instant(f"{FRIDAY} 11:45"))
    assert (before[inside], after[inside]) == (1, 2)  # 1.5 advisers round up to 2
    assert after[outside] == before[outside] == 1
    assert 9.5 in surged.scenario.team("paris").rules.shift_lengths_hours


# --- the surge's own rules, broken on purpose


def test_a_non_volunteers_changed_shift_is_reported() -> None:
    problem, published = week()
    moved = [s for s in published.shifts if s.adviser_id != "P1"]
    moved += [s for s in compliant_week("P1", start="10:00")]

    found = surge_violations(published, Roster(moved), incident(), problem.scenario)

    assert {(v.rule, v.adviser_id) for v in found} == {("surge_untouched", "P1")}


def test_work_added_before_the_lead_time_is_reported() -> None:
    problem, published = week()
    early = compliant_week("P3", days=(4,), start="08:00")  # Friday 08:00, asked at 10:00

    found = surge_violations(
        published, Roster([*published.shifts, *early]), incident(), problem.scenario
    )

    assert {(v.rule, v.adviser_id) for v in found} == {("surge_lead_time", "P3")}


@pytest.mark.parametrize(("offered", "broken"), [(7, False), (6.75, True)])
def test_extra_hours_just_inside_and_just_outside_the_offer(offered: float, broken: bool) -> None:
    problem, published = week()
    saturday = compliant_week("P3", days=(5,), start="10:00")  # 7 h worked
    offers = [{"adviser": "P3", "extra_hours": offered}]

    found = surge_violations(
        published,
        Roster([*published.shifts, *saturday]),
        incident(volunteers=offers),
        problem.scenario,
    )

    assert bool([v for v in found if v.rule == "surge_extra_hours"]) is broken


# --- the incident file


def test_an_unknown_channel_in_the_incident_is_named(tmp_path: Path) -> None:
    problem, _ = week()
    path = tmp_path / "incident.json"
    data = incident().model_dump(mode="json")
    data["factors"] = {"fax": 2}
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ScenarioError, match="factors: unknown channel 'fax'"):
        load_incident(path, problem.scenario)


def test_an_incident_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    problem, _ = week()
    path = tmp_path / "incident.json"
    data = incident().model_dump(mode="json")
    data["end"] = data["start"]
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ScenarioError, match="end must come after start"):
        load_incident(path, problem.scenario)


@pytest.mark.slow
def test_roster_surge_writes_the_plan_and_refuses_bad_input(tmp_path: Path, capsys) -> None:
    from roster.report import summary

    problem, published = week()
    folder = tmp_path / "scenario"
    folder.mkdir()
    data = scenario_dict(
        advisers=[a.model_dump(mode="json", exclude_none=True) for a in problem.scenario.advisers],
        minimum=[{"channel": "social", "advisers": 1}],
    )
    (folder / "scenario.json").write_text(json.dumps(data), encoding="utf-8")
    rostered = tmp_path / "published"
    write_roster(
        rostered,
        problem,
        published,
        summary(
            problem,
            published,
            status="FEASIBLE",
            objective=0,
            lower_bound=0,
            gap=0,
            solve_seconds=0,
            penalties={},
            diagnosis=[],
            violations=[],
        ),
    )
    event = tmp_path / "incident.json"
    pool = {"name": "outsourcer", "channels": ["social"], "capacity": 1}
    managers = [{"id": "M1", "team": "paris", "hours": 24}]
    given = incident(managers=managers, external=[pool])
    event.write_text(given.model_dump_json(), encoding="utf-8")
    out = tmp_path / "plan"

    code = main(["surge", str(folder), str(rostered), "--incident", str(event), "--out", str(out)])

    assert code == 0
    printed = capsys.readouterr().out
    assert "Surge plan for snow" in printed and "managers" in printed and "external" in printed
    tables = ("callups.csv", "invitations.csv", "duties.csv", "external.csv")
    for name in ("shifts.csv", "activities.csv", "coverage.csv", *tables):
        assert (out / name).exists()
    with (out / "duties.csv").open(encoding="utf-8") as f:
        duties = list(csv.DictReader(f))
    with (out / "external.csv").open(encoding="utf-8") as f:
        booked = list(csv.DictReader(f))
    assert duties and booked
    surge = json.loads((out / "summary.json").read_text(encoding="utf-8"))["surge"]
    assert surge["violations"] == []
    calendar = icalendar.Calendar.from_ical((out / "surge.ics").read_bytes())
    events = [e for e in calendar.walk("VEVENT") if str(e["STATUS"]) == "CONFIRMED"]
    with (out / "callups.csv").open(encoding="utf-8") as f:
        added = [row for row in csv.DictReader(f) if row["kind"] != "move"]
    assert len(added) > 0
    assert len(events) == len(added) + len(duties) + len(booked)  # the service's crisis feed
    bad = main(
        [
            "surge",
            str(folder),
            str(rostered),
            "--incident",
            str(tmp_path / "none.json"),
            "--out",
            str(out),
        ]
    )
    assert bad == 2


@pytest.mark.slow
def test_the_volcano_on_the_example_week_breaks_no_rule_and_reduces_the_shortfall() -> None:
    from roster.io import load_problem
    from solver.solve import solve

    example = Path(__file__).resolve().parents[1] / "examples" / "airline_week"
    problem = load_problem(example)
    published = solve(problem, time_limit=10, workers=1, seed=0).roster
    event = load_incident(example.parent / "incidents" / "volcano.json", problem.scenario)

    plan = planned(problem, published, event)

    assert plan.shortfall_after["social"] < plan.shortfall_before["social"]
    assert plan.changes["call_ups"] + plan.changes["extensions"] > 0
    volunteers = {o.adviser for o in event.volunteers or []}
    assert {c.adviser_id for c in plan.call_ups} <= volunteers
    # eight managers: one on duty for every ten advisers working, all through the incident
    surged = surge_problem(problem, event)
    assert plan.duties and sum(managers_missing(surged, plan.roster, plan.duties, event)) == 0
    assert {d.manager_id for d in plan.duties} <= {m.id for m in event.managers}
    assert plan.bookings and all(b.start >= event.external[0].available_from for b in plan.bookings)


def test_the_surge_scales_the_forecast_so_the_projected_service_is_the_crisis(
    tmp_path: Path,
) -> None:
    from roster.io import load_problem
    from tests.factories import forecast_folder, with_goals

    rows = [
        (f"{day}T12:00:00+01:00", channel, 40, 300)
        for day in ("2026-11-23", "2026-11-24")
        for channel in ("social", "phone")
    ]
    problem = load_problem(forecast_folder(tmp_path, rows, with_goals(scenario_dict())))
    assert problem.forecast is not None
    event = incident(
        requested_at=paris_instant("2026-11-23 06:00"),
        start=paris_instant("2026-11-23 08:00"),
        end=paris_instant("2026-11-23 20:00"),
        factors={"social": 3},
    )

    surged = surge_problem(problem, event)

    assert surged.forecast is not None
    inside = problem.grid.index(paris_instant("2026-11-23 12:00"))
    outside = problem.grid.index(paris_instant("2026-11-24 12:00"))
    for key, row in problem.forecast.volume.items():
        factor = 3 if key[0] == "social" else 1
        assert surged.forecast.volume[key][inside] == pytest.approx(row[inside] * factor)
        assert surged.forecast.volume[key][outside] == pytest.approx(row[outside])
        assert row[inside] > 0
