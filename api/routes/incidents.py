"""Incidents for the crisis cell: create, plan a surge, record answers, publish, report.

The crisis role does everything here; supervisors read; advisers and admins get 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import AwareDatetime

from api import incidents, jobs
from api.auth import Principal, allow
from api.db import SessionDep
from api.errors import BadData
from api.incident_models import (
    IncidentPublic,
    PlanPublic,
    ResponseIn,
    ResponsePublic,
)
from api.models import JobCreate, PublishRequest, VersionPublic
from api.routes.params import CSV, Format, Id, NamePath
from api.versions import version_public
from roster.incident import Incident

router = APIRouter(tags=["incidents"])
Crisis = Annotated[Principal, Depends(allow("crisis"))]
Watcher = Annotated[Principal, Depends(allow("crisis", "supervisor"))]
TABLE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
PlanNumber = Annotated[int, Query(ge=1, le=2**31 - 1)]


@router.post("/weeks/{week_id}/incidents", response_model=IncidentPublic, status_code=201)
def create_incident(
    session: SessionDep, _: Crisis, week_id: Id, data: Incident, response: Response
) -> IncidentPublic:
    """An incident of the week, as in an incident file of `roster surge`; its channels and
    volunteers must exist (422 naming the field), its window must meet the week."""
    row = incidents.create_incident(session, week_id=week_id, incident=data)
    response.headers["Location"] = f"/incidents/{row.id}"
    return incidents.incident_public(session, row)


@router.get("/weeks/{week_id}/incidents", response_model=list[IncidentPublic])
def list_incidents(session: SessionDep, _: Watcher, week_id: Id) -> list[IncidentPublic]:
    return [
        incidents.incident_public(session, r)
        for r in incidents.list_incidents(session, week_id=week_id)
    ]


@router.get("/incidents/{incident_id}", response_model=IncidentPublic)
def read_incident(session: SessionDep, _: Watcher, incident_id: Id) -> IncidentPublic:
    row = incidents.get_incident(session, incident_id=incident_id)
    return incidents.incident_public(session, row)


@router.put("/incidents/{incident_id}/responses/{adviser_id}", response_model=ResponsePublic)
def record_response(
    session: SessionDep, _: Crisis, incident_id: Id, adviser_id: NamePath, data: ResponseIn
) -> ResponsePublic:
    """A volunteer's answer; the next plan leaves out those who declined or did not answer."""
    row = incidents.record_response(
        session, incident_id=incident_id, adviser_id=adviser_id, answer=data.answer
    )
    return ResponsePublic.model_validate(row.model_dump())


@router.get("/incidents/{incident_id}/responses", response_model=list[ResponsePublic])
def list_responses(session: SessionDep, _: Watcher, incident_id: Id) -> list[ResponsePublic]:
    rows = incidents.list_responses(session, incident_id=incident_id)
    return [ResponsePublic.model_validate(r.model_dump()) for r in rows]


@router.post("/incidents/{incident_id}/plans", response_model=PlanPublic, status_code=202)
def submit_plan(
    request: Request,
    session: SessionDep,
    _: Crisis,
    incident_id: Id,
    response: Response,
    data: Annotated[JobCreate | None, Body()] = None,
) -> PlanPublic:
    """Plan the surge on the week's published roster (409 if none) in a background job; the
    plan ends as a draft version of the week."""
    plan = incidents.submit_plan(session, incident_id=incident_id, data=data or JobCreate())
    request.app.state.runner.wake()
    response.headers["Location"] = f"/incidents/{incident_id}/plans/{plan.number}"
    return incidents.plan_public(session, plan)


def _plan(session: SessionDep, incident_id: int, number: str) -> Any:
    """Plan `number` of the incident, or `latest`."""
    if number == "latest":
        return incidents.get_plan(session, incident_id=incident_id, number=None)
    # ASCII digits only: str.isdigit accepts '²', which int() refuses (a 500 the fuzzer found)
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) < 2**31:
        raise BadData(f"{number!r} is not a plan number or 'latest'", field="number")
    return incidents.get_plan(session, incident_id=incident_id, number=int(number))


@router.get("/incidents/{incident_id}/plans/{number}", response_model=PlanPublic)
def read_plan(session: SessionDep, _: Watcher, incident_id: Id, number: str) -> PlanPublic:
    """The plan (a number, or `latest`): its job's progress, then its call-ups, ranked
    invitations, shortfall without and with the surge, changes, status and violations."""
    return incidents.plan_public(session, _plan(session, incident_id, number))


@router.get(
    "/incidents/{incident_id}/plans/{number}/invitations",
    response_model=list[dict[str, Any]],
    responses=TABLE,
)
def plan_invitations(
    session: SessionDep, _: Watcher, incident_id: Id, number: str, format: Format = "json"
) -> Any:
    """Whom to ask, in order (`format=csv` for a spreadsheet)."""
    plan = _plan(session, incident_id, number)
    if format == "csv":
        return Response(incidents.invitations_csv(plan), media_type=CSV)
    return (plan.result or {}).get("invitations", [])


@router.post(
    "/incidents/{incident_id}/plans/{number}/cancel", response_model=PlanPublic, status_code=202
)
def cancel_plan(
    request: Request, session: SessionDep, _: Crisis, incident_id: Id, number: str
) -> PlanPublic:
    """Stop the plan's job (409 if it has ended)."""
    plan = _plan(session, incident_id, number)
    jobs.cancel(session, job_id=plan.job_id)
    request.app.state.runner.wake()
    return incidents.plan_public(session, plan)


@router.post("/incidents/{incident_id}/plans/{number}/publish", response_model=VersionPublic)
def publish_plan(
    session: SessionDep,
    _: Crisis,
    incident_id: Id,
    number: str,
    data: Annotated[PublishRequest | None, Body()] = None,
) -> VersionPublic:
    """Publish the plan's draft as the week's roster; the one published before is superseded
    and stays readable. 409 if the week was published since the plan was made (or since
    `expected_revision`, if sent)."""
    plan = _plan(session, incident_id, number)
    expected = data.expected_revision if data else None
    version = incidents.publish_plan(session, plan=plan, expected_revision=expected)
    return version_public(session, version)


@router.get("/incidents/{incident_id}/report", response_model=dict[str, Any], responses=TABLE)
def report(
    session: SessionDep,
    _: Watcher,
    incident_id: Id,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    to: AwareDatetime | None = None,
    at: Annotated[str | None, Query(max_length=8, description="H+6, D+2: from the start")] = None,
    format: Format = "json",
) -> Any:
    """Demand under the incident, staffed and shortfall per channel and interval of the
    window (default: the incident's) for the published roster as it stands; with a forecast,
    projected service too."""
    data = incidents.report(
        session, incident_id=incident_id, start=_utc(start), end=_utc(to), at=at
    )
    if format == "csv":
        return Response(incidents.report_csv(data), media_type=CSV)
    return data


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)
