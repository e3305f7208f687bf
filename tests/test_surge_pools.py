"""Surge plans beyond volunteers: managers on duty for the ratio, outsourcers, accepted work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from roster.errors import ScenarioError
from roster.incident import Duty, incident_window, withdraw
from roster.problem import Problem
from roster.solution import Roster, Shift
from roster.surge_demand import surge_problem
from roster.surge_rules import managers_missing
from roster.surge_rules import surge_violations as violations
from solver.surge import plan_surge
from tests.factories import compliant_week, make_problem, paris_instant, shift
from tests.test_surge import FRIDAY, SATURDAY, SUNDAY, incident, planned, snow_plan, week


def manager(id: str, team: str = "paris", hours: float = 60, **more: object) -> dict:
    return {"id": id, "team": team, "hours": hours, **more}


def outsourcer(**more: object) -> dict:
    """Two French-speaking advisers on social media at once, from Saturday 08:00 (Paris)."""
    return {
        "name": "outsourcer",
        "channels": ["social"],
        "languages": ["fr"],
        "capacity": 2,
        "available_from": paris_instant(f"{SATURDAY} 08:00"),
        "shift_hours": 8,
        **more,
    }


# --- managers: one on duty for every N advisers working


def test_managers_take_duties_so_that_one_is_on_duty_for_every_two_advisers_working() -> None:
    problem, published = week()
    event = incident(
        requested_at=paris_instant(f"{FRIDAY} 06:00"),  # managers can come from noon
        managers=[manager("M1"), manager("M2"), manager("M3"), manager("MS", team="sydney")],
        advisers_per_manager=2,
    )

    plan = planned(problem, published, event)

    assert plan.duties
    missing = managers_missing(surge_problem(problem, event), plan.roster, plan.duties, event)
    assert sum(missing) == 0
    assert plan.manager_hours_missing == 0
    assert plan.changes["manager_duties"] == len(plan.duties)
    assert all(d.start >= event.earliest_call_up for d in plan.duties)


def test_managers_who_cannot_come_leave_a_shortage_reported_not_a_failure() -> None:
    problem, published = week()
    late = paris_instant(f"{SUNDAY} 21:00")  # after every Paris shift could start
    event = incident(managers=[manager("M1", available_from=late)])

    plan = planned(problem, published, event)

    assert plan.duties == []
    missing = managers_missing(surge_problem(problem, event), plan.roster, [], event)
    assert plan.manager_hours_missing == sum(missing) * 0.25 > 0


def test_managers_who_declined_are_not_put_on_duty() -> None:
    problem, published = week()
    event = incident(managers=[manager("M1"), manager("M2")], declined=["M1"])

    plan = planned(problem, published, event)

    assert {d.manager_id for d in plan.duties} <= {"M2"}


@pytest.mark.parametrize(("working", "missing"), [(10, 0), (11, 1), (20, 1), (21, 2)])
def test_the_ratio_just_inside_and_just_outside_ten_advisers_per_manager(
    working: int, missing: int
) -> None:
    problem, _ = week()
    event = incident()
    saturday = paris_instant(f"{SATURDAY} 10:00")
    roster = Roster(
        [s for n in range(working) for s in compliant_week(f"X{n}", days=(5,), start="10:00")]
    )
    duty = Duty("M1", saturday, saturday + timedelta(hours=4))

    found = managers_missing(problem, roster, [duty], event)

    assert found[problem.grid.index(saturday + timedelta(hours=1))] == missing
    assert max(found) == missing + 1  # after the duty ends, advisers still at work


def test_a_managers_duty_too_early_too_long_or_too_close_is_reported() -> None:
    problem, published = week()
    event = incident(managers=[manager("M1", hours=16)])
    friday = paris_instant(f"{FRIDAY} 12:00")  # before the lead time ends (16:00)
    saturday = paris_instant(f"{SATURDAY} 08:00")
    duties = [
        Duty("M1", friday, friday + timedelta(hours=8)),
        Duty("M1", saturday, saturday + timedelta(hours=9)),  # 12 h after: rest kept
        Duty("M1", saturday + timedelta(hours=10), saturday + timedelta(hours=12)),  # 1 h rest
        Duty("M9", saturday, saturday + timedelta(hours=1)),  # not in the pool
    ]

    found = violations(published, published, event, problem.scenario, duties)

    assert [(v.adviser_id, v.detail.split()[0]) for v in found] == [
        ("M1", "starts"),  # before the lead time
        ("M1", "19"),  # hours of duty against 16 offered
        ("M9", "not"),
        ("M1", "starts"),  # less than 11 h after a duty
    ]
    assert {v.rule for v in found} == {"surge_manager_duty"}


def test_a_manager_in_an_unknown_team_or_with_an_advisers_id_is_named() -> None:
    problem, _ = week()
    with pytest.raises(ScenarioError, match=r"managers\[0\]\.team.*unknown team 'lyon'"):
        incident(managers=[manager("M1", team="lyon")]).check(problem.scenario)
    with pytest.raises(ScenarioError, match=r"managers\[1\]\.id.*adviser's id"):
        incident(managers=[manager("M1"), manager("P1")]).check(problem.scenario)


# --- an outsourcer's pool


def test_an_outsourcers_advisers_are_booked_within_capacity_after_they_can_come() -> None:
    problem, published = week()
    event = incident(external=[outsourcer()])

    plan = planned(problem, published, event)

    assert plan.bookings
    grid = problem.grid
    at_once = [0] * grid.count
    for booking in plan.bookings:
        assert booking.channel == "social"
        assert booking.start >= paris_instant(f"{SATURDAY} 08:00")
        assert booking.end - booking.start == timedelta(hours=8)
        for t in grid.span(booking.start, booking.end):
            at_once[t] += booking.advisers
    assert max(at_once) <= 2
    assert plan.shortfall_after["social"] < snow_plan().shortfall_after["social"]
    assert plan.changes["external_advisers"] == sum(b.advisers for b in plan.bookings)


@pytest.mark.parametrize(("cost", "booked"), [(150, True), (1001, False)])
def test_outsourcers_are_booked_only_where_cheaper_than_the_shortfall(
    cost: int, booked: bool
) -> None:
    problem, published = week()

    plan = planned(problem, published, incident(external=[outsourcer(cost_per_hour=cost)]))

    assert bool(plan.bookings) is booked


# --- work accepted stays when the plan is made again


def test_work_accepted_is_kept_when_the_plan_is_made_again() -> None:
    problem, published = week()
    first = next(c for c in snow_plan().call_ups if c.kind == "new")
    accepted = {"person": first.adviser_id, "start": first.start, "end": first.end}
    # a call-up so dear that no new shift would be made but the one accepted
    event = incident(confirmed=[accepted], costs={"call_up": 10**6})

    plan = planned(problem, published, event)

    new = [(c.adviser_id, c.start, c.end) for c in plan.call_ups if c.kind == "new"]
    assert new == [(first.adviser_id, first.start, first.end)]


def test_a_managers_accepted_duty_is_kept_when_the_plan_is_made_again() -> None:
    problem, published = week()
    start = paris_instant(f"{SATURDAY} 09:00")
    duty = {"person": "M1", "start": start, "end": start + timedelta(hours=7.5)}
    event = incident(managers=[manager("M1")], confirmed=[duty], costs={"manager_duty": 10**6})

    plan = planned(problem, published, event)

    assert plan.duties == [Duty("M1", start, start + timedelta(hours=7.5))]


def test_accepted_work_that_no_shift_can_make_any_more_is_named() -> None:
    problem, published = week()
    night = paris_instant(f"{SATURDAY} 02:00")  # Paris shifts start from 08:00
    accepted = {"person": "P3", "start": night, "end": night + timedelta(hours=7.5)}

    with pytest.raises(ScenarioError, match=r"confirmed\[0\]"):
        plan_surge(problem, published, incident(confirmed=[accepted]), time_limit=2)


def test_only_an_available_volunteer_or_manager_can_have_accepted_work() -> None:
    problem, _ = week()
    start = paris_instant(f"{SATURDAY} 09:00")
    work = {"start": start, "end": start + timedelta(hours=7.5)}

    for person, declined in (("P1", []), ("P3", ["P3"])):  # not a volunteer; declined
        event = incident(confirmed=[{"person": person, **work}], declined=declined)
        with pytest.raises(ScenarioError, match=r"confirmed\[0\]\.person"):
            event.check(problem.scenario)


def test_accepted_work_missing_from_a_plan_is_reported() -> None:
    problem, published = week()
    start = paris_instant(f"{SATURDAY} 10:00")
    accepted = {"person": "P3", "start": start, "end": start + timedelta(hours=7.5)}
    saturday = compliant_week("P3", days=(5,), start="10:00")

    kept = violations(
        published,
        Roster([*published.shifts, *saturday]),
        incident(confirmed=[accepted]),
        problem.scenario,
    )
    lost = violations(published, published, incident(confirmed=[accepted]), problem.scenario)

    assert [v.rule for v in kept] == []
    assert [(v.rule, v.adviser_id, v.start) for v in lost] == [("surge_confirmed", "P3", start)]


def test_the_incident_window_is_the_intervals_it_covers() -> None:
    problem, _ = week()
    event = incident()

    window = incident_window(problem.grid, event)

    assert problem.grid.instants[window.start] == event.start
    assert problem.grid.instants[window.stop - 1] == event.end - problem.grid.step


# --- work published by an earlier plan, taken back when its volunteer declines


def published_call_up() -> tuple[Roster, Shift]:
    """The week as a plan published it: P3 called up on Saturday 10:00-17:30."""
    _, published = week()
    saturday = compliant_week("P3", days=(5,), start="10:00")[0]
    return Roster([*published.shifts, saturday]), saturday


def test_a_published_call_up_is_taken_back_when_its_volunteer_declines() -> None:
    problem, _ = week()
    published, saturday = published_call_up()
    back = {"person": "P3", "start": saturday.start, "end": saturday.end}

    plan = planned(problem, published, incident(declined=["P3"], withdrawn=[back]))

    assert saturday not in plan.roster.shifts
    assert plan.changes["withdrawn"] == 1
    assert all(c.adviser_id != "P3" for c in plan.call_ups)


def test_without_a_withdrawal_a_volunteer_who_declined_keeps_what_was_published() -> None:
    problem, _ = week()
    published, saturday = published_call_up()

    plan = planned(problem, published, incident(declined=["P3"]))

    kept = [(s.start, s.end) for s in plan.roster.by_adviser()["P3"]]
    assert (saturday.start, saturday.end) in kept  # its channels may still move
    assert plan.changes["withdrawn"] == 0


def test_work_taken_back_without_a_withdrawal_is_reported() -> None:
    problem, before = week()
    published, _ = published_call_up()

    found = violations(published, before, incident(declined=["P3"]), problem.scenario)

    assert [(v.rule, v.adviser_id) for v in found] == [("surge_untouched", "P3")]


def test_withdrawing_an_extension_cuts_the_shift_back_to_where_it_was() -> None:
    start = paris_instant(f"{FRIDAY} 09:00")
    longer = shift("P2", start, [("social", 240), ("break", 30), ("phone", 180), ("social", 120)])
    added = (start + timedelta(hours=7.5), start + timedelta(hours=9.5))

    (cut,) = withdraw([longer], [added])

    assert (cut.start, cut.end) == (start, added[0])
    assert [(a.kind, a.minutes) for a in cut.activities] == [
        ("social", 240),
        ("break", 30),
        ("phone", 180),
    ]
    assert withdraw([longer], [(start, longer.end)]) == []  # a whole new shift goes
    assert withdraw([longer], [(start, added[0])]) == [longer]  # not its end: kept


# --- extra demand: advisers, or contacts sized by the channel's goal


def test_extra_advisers_are_added_over_their_window_only() -> None:
    problem, _ = week()
    start = paris_instant(f"{SATURDAY} 10:00")
    extra = {"channel": "phone", "start": start, "end": start + timedelta(hours=2), "advisers": 2}

    surged = surge_problem(problem, incident(extra_demand=[extra]))

    before, after = problem.requirements.headcount("phone"), surged.requirements.headcount("phone")
    first, stop = problem.grid.index(start), problem.grid.index(start + timedelta(hours=2))
    assert [after[t] - before[t] for t in (first - 1, first, stop - 1, stop)] == [0, 2, 2, 0]


def test_extra_advisers_in_a_language_raise_the_channels_headcount_too() -> None:
    problem, _ = week()
    start = paris_instant(f"{SATURDAY} 10:00")
    extra = {
        "channel": "social",
        "language": "en",
        "start": start,
        "end": start + timedelta(hours=1),
    }

    surged = surge_problem(problem, incident(extra_demand=[{**extra, "advisers": 3}]))

    t = problem.grid.index(start)
    assert surged.requirements.required[("social", "en")][t] == 3
    assert (
        surged.requirements.headcount("social")[t]
        == 3 * problem.requirements.headcount("social")[t] + 3
    )  # social x3 in the window, then the English-speaking three on top


def test_extra_contacts_are_sized_with_the_channels_service_goal(tmp_path: Path) -> None:
    from roster import erlang
    from roster.io import load_problem
    from tests.factories import PHONE_GOAL, forecast_folder, scenario_dict, with_goals

    rows = [("2026-11-28T12:00:00+01:00", "phone", 10, 240)]
    problem = load_problem(forecast_folder(tmp_path, rows, with_goals(scenario_dict())))
    start = paris_instant(f"{SATURDAY} 10:00")
    extra = {
        "channel": "phone",
        "start": start,
        "end": start + timedelta(hours=1),
        "contacts_per_hour": 60,
        "aht_seconds": 300,
    }

    surged = surge_problem(problem, incident(factors={}, extra_demand=[extra]))

    t = problem.grid.index(start)
    sized = erlang.required(
        15 * 300 / 900,  # 15 calls of 5 minutes in a quarter-hour: 5 erlangs
        300,
        service_level=PHONE_GOAL["service_level"],
        within_seconds=PHONE_GOAL["within_seconds"],
        max_occupancy=PHONE_GOAL["max_occupancy"],
        shrinkage=PHONE_GOAL["shrinkage"],
    )
    assert (
        surged.requirements.headcount("phone")[t] - problem.requirements.headcount("phone")[t]
        == sized.scheduled
        > 5
    )
    assert surged.forecast is not None  # the projected service reads the extra calls
    assert surged.forecast.volume[("phone", None)][t] == pytest.approx(15)
    assert surged.forecast.aht[("phone", None)][t] == pytest.approx(300)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"advisers": 1, "contacts_per_hour": 5, "aht_seconds": 60}, "either advisers or"),
        ({}, "either advisers or"),
        ({"contacts_per_hour": 5}, "needs aht_seconds"),
    ],
)
def test_extra_demand_is_advisers_or_contacts_with_their_handling_time(
    fields: dict, message: str
) -> None:
    start = paris_instant(f"{SATURDAY} 10:00")
    extra = {"channel": "phone", "start": start, "end": start + timedelta(hours=1), **fields}
    with pytest.raises(ValueError, match=message):
        incident(extra_demand=[extra])


def test_extra_demand_on_an_unknown_channel_or_one_without_a_goal_is_named() -> None:
    problem, _ = week()
    start = paris_instant(f"{SATURDAY} 10:00")
    span = {"start": start, "end": start + timedelta(hours=1)}
    with pytest.raises(ScenarioError, match=r"extra_demand\[0\]\.channel.*'chat'"):
        incident(extra_demand=[{"channel": "chat", "advisers": 1, **span}]).check(problem.scenario)
    contacts = {"channel": "phone", "contacts_per_hour": 5, "aht_seconds": 60, **span}
    with pytest.raises(ScenarioError, match=r"extra_demand\[0\]\.contacts_per_hour.*no service"):
        incident(extra_demand=[contacts]).check(problem.scenario)


# --- severity levels as data: factors, and a priority line opened


PRIORITY_LEVELS = {3: {"factors": {"social": 5, "phone": 3}, "lines": {"priority": 2}}}


def priority_week() -> tuple[Problem, Roster]:
    """The test week with a priority phone line that only P2 (a volunteer) is trained on."""
    problem, published = week()
    data = problem.scenario.model_dump(mode="json", exclude_none=True)
    data["channels"].append({"name": "priority", "kind": "realtime", "label": "Priority line"})
    for a in data["advisers"]:
        if a["id"] == "P2":
            a["channels"].append("priority")
    return make_problem(data), published


def test_a_level_opens_a_priority_line_for_the_incident_and_volunteers_answer_it() -> None:
    problem, published = priority_week()
    event = incident(factors={}, level=3, levels=PRIORITY_LEVELS)

    surged = surge_problem(problem, event)
    plan = planned(problem, published, event)

    line = surged.requirements.headcount("priority")
    window = incident_window(problem.grid, event)
    assert {line[t] for t in window} == {2}
    assert line[window.start - 1] == line[window.stop] == 0
    assert surged.requirements.headcount("social")[window.start] == 5 * max(
        1, problem.requirements.headcount("social")[window.start]
    )
    assert plan.shortfall_after["priority"] < plan.shortfall_before["priority"]
    assert any("priority" in c.channels for c in plan.call_ups)


def test_a_level_given_as_its_factors_alone_is_read_as_factors() -> None:
    event = incident(factors={}, level=1, levels={1: {"social": 2}})

    assert event.channel_factors() == {"social": 2}
    assert event.demand_added() == []


def test_a_level_opening_a_line_the_scenario_lacks_is_named() -> None:
    problem, _ = week()
    event = incident(factors={}, level=3, levels=PRIORITY_LEVELS)

    with pytest.raises(ScenarioError, match=r"levels\[3\]\.lines.*'priority'"):
        event.check(problem.scenario)


def test_the_hours_of_an_incident_past_the_weeks_end_are_said_not_planned() -> None:
    from api.incident_worker import surge_section

    problem, published = week()
    monday = paris_instant("2026-11-30 18:00")
    event = incident(end=monday)

    section = surge_section(planned(problem, published, event), event, problem.scenario)

    assert section["outside_week"] == [
        {"from": "2026-11-29T23:00:00Z", "to": "2026-11-30T17:00:00Z"}  # Monday 00:00-18:00 Paris
    ]
    inside = surge_section(snow_plan(), incident(), problem.scenario)
    assert inside["outside_week"] == []
