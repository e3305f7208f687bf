"""Incidents of a week: volunteers' answers, surge plans run as jobs, publication and reports.

A plan is a job of kind "surge" in the same runner as the week's solves (a process per job,
progress, cancellation, recovery at start-up): a plan holds the GIL and CP-SAT as long as a
solve does, and a second runner would compete with the first for the same two cores. Its
snapshot is the published version's (the data that roster was made from) with the incident
and the published shifts added, so the plan answers the week as it was published.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from api import crud
from api.convert import load_roster, problem_of, scenario_data
from api.db import now
from api.errors import BadData, Conflict, NotFound
from api.feeds import published_plan_results
from api.incident_models import (
    LEFT_OUT,
    Answer,
    IncidentPlanRow,
    IncidentPublic,
    IncidentResponseRow,
    IncidentRow,
    PlanPublic,
)
from api.jobs import get_job, job_public
from api.models import AdviserRow, JobCreate, JobRow, VersionRow, WeekRow
from api.versions import get_version, publish
from api.worker import roster_data
from roster.errors import ScenarioError
from roster.incident import Booking, Incident
from roster.io import coverage_frame, parse_scenario
from roster.model import Scenario
from roster.surge_demand import booked_cover, surge_problem
from roster.timegrid import Grid, iso_utc

# Report windows counted from the incident's start: H+6 is its first 6 hours, D+2 its first 2 days.
SHORTCUT = re.compile(r"^([HD])\+(\d{1,3})$")
INVITATION_COLUMNS = [
    "rank", "role", "adviser_id", "name", "team", "start", "end", "local_start", "local_end",
    "channels", "useful_hours",
]  # fmt: skip


# ------------------------------------------------------------------------------ incidents


def _week_scenario(session: Session, week: WeekRow) -> Scenario:
    """The scenario an incident names things in: the published version's, else the week's data."""
    if week.published_version_id is not None:
        version = get_version(session, version_id=week.published_version_id)
        return parse_scenario(version.snapshot["scenario"], source=f"week {week.id}")
    return parse_scenario(scenario_data(session, week), source=f"week {week.id}")


def _check(incident: Incident, scenario: Scenario, week: WeekRow) -> None:
    """The incident's names exist in the week and its window meets the week (ScenarioError)."""
    incident.check(scenario, source="incident")
    week_ = scenario.week
    grid = Grid.for_week(week_.monday, week_.timezone, week_.interval_minutes)
    if incident.end <= grid.start or incident.start >= grid.end:
        raise ScenarioError(
            f"the incident ({iso_utc(incident.start)} to {iso_utc(incident.end)}) does not meet "
            f"week {week.id} ({iso_utc(grid.start)} to {iso_utc(grid.end)})",
            source="incident",
            where="start",
        )


def create_incident(session: Session, *, week_id: int, incident: Incident) -> IncidentRow:
    """Store an incident of the week once its names are checked against the week's data."""
    week = crud.get_week(session, week_id=week_id)
    _check(incident, _week_scenario(session, week), week)
    row = IncidentRow(
        week_id=week_id,
        name=incident.name,
        data=incident.model_dump(mode="json", exclude_unset=True),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_incident(session: Session, *, incident_id: int) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return row


def list_incidents(session: Session, *, week_id: int) -> list[IncidentRow]:
    crud.get_week(session, week_id=week_id)
    query = select(IncidentRow).where(IncidentRow.week_id == week_id)
    return list(session.exec(query.order_by(col(IncidentRow.id))).all())


def incident_of(row: IncidentRow) -> Incident:
    return Incident.model_validate(row.data)


def _answers(session: Session, incident_id: int) -> dict[str, str]:
    rows = session.exec(
        select(IncidentResponseRow)
        .where(IncidentResponseRow.incident_id == incident_id)
        .order_by(col(IncidentResponseRow.adviser_id))
    ).all()
    return {r.adviser_id: r.answer for r in rows}


def incident_public(session: Session, row: IncidentRow) -> IncidentPublic:
    incident = incident_of(row)
    plans = session.exec(
        select(func.count())
        .select_from(IncidentPlanRow)
        .where(IncidentPlanRow.incident_id == row.id)
    ).one()
    assert row.id is not None
    return IncidentPublic(
        id=row.id,
        week_id=row.week_id,
        name=row.name,
        created_at=row.created_at,
        incident=incident.model_dump(mode="json"),
        earliest_call_up=incident.earliest_call_up,
        factors=incident.channel_factors(),
        responses=_answers(session, row.id),  # type: ignore[arg-type]
        plans=int(plans),
    )


def record_response(
    session: Session, *, incident_id: int, adviser_id: str, answer: Answer
) -> IncidentResponseRow:
    """Record (or change) a volunteer's or a manager's answer to the call-up."""
    incident = incident_of(get_incident(session, incident_id=incident_id))
    managers = {m.id for m in incident.managers}
    if adviser_id not in managers and session.get(AdviserRow, adviser_id) is None:
        raise NotFound(f"no adviser or manager of the incident {adviser_id!r}")
    row = session.exec(
        select(IncidentResponseRow).where(
            IncidentResponseRow.incident_id == incident_id,
            IncidentResponseRow.adviser_id == adviser_id,
        )
    ).first()
    if row is None:
        row = IncidentResponseRow(incident_id=incident_id, adviser_id=adviser_id, answer=answer)
    row.answer, row.answered_at = answer, now()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def list_responses(session: Session, *, incident_id: int) -> list[IncidentResponseRow]:
    get_incident(session, incident_id=incident_id)
    return list(
        session.exec(
            select(IncidentResponseRow)
            .where(IncidentResponseRow.incident_id == incident_id)
            .order_by(col(IncidentResponseRow.adviser_id))
        ).all()
    )


# ---------------------------------------------------------------------------------- plans


def _published(session: Session, week: WeekRow) -> VersionRow:
    if week.published_version_id is None:
        raise Conflict(f"week {week.id} has no published roster to plan the surge on")
    return get_version(session, version_id=week.published_version_id)


def submit_plan(session: Session, *, incident_id: int, data: JobCreate) -> IncidentPlanRow:
    """Queue a surge plan on the week's published roster (Conflict if there is none).

    Volunteers and managers who declined or did not answer are left out, and the call-ups a
    published plan gave them are taken back; the work of those who accepted (their call-ups,
    backup shift or duties in the latest plan) is kept as they accepted it. Volunteers are the
    incident's, or else the advisers marked `volunteer` now.
    """
    row = get_incident(session, incident_id=incident_id)
    week = crud.get_week(session, week_id=row.week_id)
    base = _published(session, week)
    snapshot = copy.deepcopy(base.snapshot)
    for key in ("incident", "published", "base_version_id"):  # a plan published before
        snapshot.pop(key, None)
    marked = dict(session.exec(select(AdviserRow.id, AdviserRow.volunteer)).all())
    for adviser in snapshot["scenario"]["advisers"]:
        adviser["volunteer"] = marked.get(adviser["id"], False)
    answers = _answers(session, incident_id)
    given = incident_of(row)
    declined = sorted({*given.declined, *(a for a, x in answers.items() if x in LEFT_OUT)})
    accepted = {a for a, x in answers.items() if x == "accepted"}
    confirmed = _confirmed(given, _latest_result(session, incident_id), accepted)
    withdrawn = _withdrawn(given, published_plan_results(session, incident_id), set(declined))
    try:
        incident = Incident.model_validate(
            {**row.data, "declined": declined, "confirmed": confirmed, "withdrawn": withdrawn}
        )
    except ValidationError as err:  # the stored incident was valid: only the answers are new
        raise BadData(str(err.errors()[0]["msg"]), field="declined") from None
    scenario = parse_scenario(snapshot["scenario"], source=f"version {base.id}")
    _check(incident, scenario, week)
    snapshot["incident"] = incident.model_dump(mode="json")
    snapshot["published"] = roster_data(load_roster(session, base.id))  # type: ignore[arg-type]
    snapshot["base_version_id"] = base.id
    job = JobRow(
        week_id=week.id,  # type: ignore[arg-type]
        kind="surge",
        time_limit_seconds=data.time_limit_seconds,
        snapshot=snapshot,
    )
    session.add(job)
    session.flush()
    number = session.exec(
        select(func.coalesce(func.max(IncidentPlanRow.number), 0)).where(
            IncidentPlanRow.incident_id == incident_id
        )
    ).one()
    plan = IncidentPlanRow(
        incident_id=incident_id,
        number=int(number) + 1,
        job_id=job.id,  # type: ignore[arg-type]
        base_version_id=base.id,  # type: ignore[arg-type]
        base_revision=week.revision,
        declined=declined,
    )
    session.add(plan)
    session.commit()
    session.refresh(plan)
    return plan


def _latest_result(session: Session, incident_id: int) -> dict[str, Any]:
    """The result of the incident's latest plan that has one (empty if none has)."""
    plans = session.exec(
        select(IncidentPlanRow)
        .where(IncidentPlanRow.incident_id == incident_id)
        .order_by(col(IncidentPlanRow.number).desc())
    )
    # a few plans an incident: JSON nulls differ between databases, so look in Python
    return next((p.result for p in plans if p.result), {})


def _confirmed(given: Incident, result: dict[str, Any], accepted: set[str]) -> list[dict[str, str]]:
    """The incident's confirmed work and what the accepted were asked for in `result`: their
    call-ups that add work, a backup's proposed shift, a manager's duties."""
    out = [w.model_dump(mode="json") for w in given.confirmed]
    seen = {(w["person"], w["start"], w["end"]) for w in out}

    def keep(person: str, start: str, end: str) -> None:
        if person in accepted and (person, start, end) not in seen:
            seen.add((person, start, end))
            out.append({"person": person, "start": start, "end": end})

    called = set()
    for c in result.get("call_ups", []):
        if c["kind"] in ("new", "extend"):
            called.add(c["adviser_id"])
            keep(c["adviser_id"], c["start"], c["end"])
    for i in result.get("invitations", []):
        if i["role"] == "backup" and i["adviser_id"] not in called:
            keep(i["adviser_id"], i["start"], i["end"])
    for d in result.get("manager_duties", []):
        keep(d["manager_id"], d["start"], d["end"])
    return out


def _withdrawn(
    given: Incident, results: list[dict[str, Any]], declined: set[str]
) -> list[dict[str, str]]:
    """The incident's withdrawn work and the call-ups published for those who declined since:
    the next plan takes them back (the published roster has them)."""
    out = [w.model_dump(mode="json") for w in given.withdrawn]
    for result in results:
        for c in result.get("call_ups", []):
            work = {"person": c["adviser_id"], "start": c["start"], "end": c["end"]}
            if c["kind"] in ("new", "extend") and c["adviser_id"] in declined and work not in out:
                out.append(work)
    return out


def store_plan(session: Session, *, job: JobRow, result: dict[str, Any]) -> None:
    """Add a surge job's call-ups, invitations and shortfalls to its plan (no commit: the
    job's draft is stored in the same transaction by `api.jobs.record_result`)."""
    plan = session.exec(select(IncidentPlanRow).where(IncidentPlanRow.job_id == job.id)).one()
    plan.result = result["surge"]
    session.add(plan)


def get_plan(session: Session, *, incident_id: int, number: int | None) -> IncidentPlanRow:
    """Plan `number` of the incident, or its latest if None."""
    query = select(IncidentPlanRow).where(IncidentPlanRow.incident_id == incident_id)
    if number is not None:
        query = query.where(IncidentPlanRow.number == number)
    plan = session.exec(query.order_by(col(IncidentPlanRow.number).desc())).first()
    if plan is None:
        get_incident(session, incident_id=incident_id)
        which = "no plan yet" if number is None else f"no plan {number}"
        raise NotFound(f"incident {incident_id} has {which}")
    return plan


def plan_public(session: Session, plan: IncidentPlanRow) -> PlanPublic:
    job = get_job(session, job_id=plan.job_id)
    return PlanPublic(
        incident_id=plan.incident_id,
        number=plan.number,
        created_at=plan.created_at,
        base_version_id=plan.base_version_id,
        base_revision=plan.base_revision,
        version_id=job.version_id,
        declined=plan.declined,
        job=job_public(job),
        result=plan.result,
    )


def invitations_csv(plan: IncidentPlanRow) -> str:
    """The plan's invitations in order, one line each (channels joined by '/')."""
    rows = [
        {**i, "channels": "/".join(i["channels"])}
        for i in (plan.result or {}).get("invitations", [])
    ]
    return pd.DataFrame(rows, columns=INVITATION_COLUMNS).to_csv(index=False)


def publish_plan(
    session: Session, *, plan: IncidentPlanRow, expected_revision: int | None
) -> VersionRow:
    """Publish the plan's draft through the week's publication (compare-and-set).

    By default the week must still be at the revision the plan was made on: a roster
    published since then would otherwise be replaced by a plan that never saw it.
    """
    job = get_job(session, job_id=plan.job_id)
    if job.version_id is None:
        raise Conflict(f"plan {plan.number} has no roster yet (its job is {job.state})")
    expected = plan.base_revision if expected_revision is None else expected_revision
    return publish(session, version_id=job.version_id, expected_revision=expected)


# -------------------------------------------------------------------------------- reports


def report_window(
    incident: Incident, start: datetime | None, end: datetime | None, at: str | None
) -> tuple[datetime, datetime]:
    """[start, end) of a report: given, or `at` (H+n, D+n) from the incident's start, or the
    incident's own window."""
    lo, hi = incident.start, incident.end
    if at is not None:
        match = SHORTCUT.match(at.strip())
        if match is None:
            raise BadData(f"{at!r} is not H+hours or D+days (e.g. H+6, D+2)", field="at")
        unit = timedelta(hours=1) if match[1] == "H" else timedelta(days=1)
        hi = incident.start + int(match[2]) * unit
    lo = start if start is not None else lo
    hi = end if end is not None else hi
    if hi <= lo:
        raise BadData("the report's end must come after its start", field="to")
    return lo, hi


def report(
    session: Session,
    *,
    incident_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """Demand under the incident, staffed and shortfall per channel and interval of the window
    for the published roster as it stands (`roster.io.coverage_frame`), with totals. Where the
    published roster is a plan of this incident, its outsourcers' advisers count as staffed."""
    row = get_incident(session, incident_id=incident_id)
    incident = incident_of(row)
    lo, hi = report_window(incident, start, end, at)
    week = crud.get_week(session, week_id=row.week_id)
    version = _published(session, week)
    surged = surge_problem(problem_of(version.snapshot), incident)
    booked = _bookings(session, row.id, version.id)  # type: ignore[arg-type]
    frame = coverage_frame(
        surged,
        load_roster(session, version.id),  # type: ignore[arg-type]
        booked_cover(surged, booked, incident),
    )
    instants = pd.to_datetime(frame["interval_start"], utc=True)
    frame = frame[(instants >= lo) & (instants < hi)]
    frame = frame.rename(columns={"required": "demand", "scheduled": "staffed"})
    hours = surged.grid.minutes / 60
    totals = {}
    for channel, part in frame[frame["language"] == ""].groupby("channel"):
        totals[str(channel)] = {
            k: round(float(part[k].sum()) * hours, 2) for k in ("demand", "staffed", "shortfall")
        }
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return {
        "incident_id": row.id,
        "version_id": version.id,
        "from": iso_utc(lo),
        "to": iso_utc(hi),
        "hours": totals,
        "intervals": rows,
    }


def _bookings(session: Session, incident_id: int, version_id: int) -> list[Booking]:
    """The outsourcers' advisers booked by the incident's plan that became `version_id`."""
    for plan in session.exec(
        select(IncidentPlanRow).where(IncidentPlanRow.incident_id == incident_id)
    ).all():
        if plan.result and get_job(session, job_id=plan.job_id).version_id == version_id:
            return [
                Booking(
                    b["pool"],
                    b["channel"],
                    datetime.fromisoformat(b["start"]),
                    datetime.fromisoformat(b["end"]),
                    b["advisers"],
                )
                for b in plan.result.get("external", [])
            ]
    return []


def report_csv(data: dict[str, Any]) -> str:
    return pd.DataFrame(data["intervals"]).to_csv(index=False)
