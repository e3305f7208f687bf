"""Planning weeks: settings, demand, forecast and carry-in (CSV or JSON), jobs and the published
roster."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from sqlmodel import col, select

from api import crud, jobs, versions
from api.auth import Reader, Supervisor
from api.convert import (
    carry_in_csv,
    demand_csv,
    forecast_csv,
    grid_of,
    read_carry_in,
    read_carry_in_json,
    read_demand,
    read_demand_json,
    read_forecast,
    read_forecast_json,
)
from api.db import SessionDep, session_for
from api.errors import BadData, NotFound, UnsupportedMedia
from api.models import (
    AdviserRow,
    CarryInIn,
    CarryInPublic,
    ChannelRow,
    DemandIn,
    DemandPublic,
    ForecastIn,
    ForecastPublic,
    JobCreate,
    JobPublic,
    Page,
    ShiftPublic,
    VersionPublic,
    WeekCreate,
    WeekPublic,
    WeekRow,
    WeekUpdate,
)
from api.routes.etag import send
from api.routes.params import CSV, JSON, Format, Id, Limit, Offset
from roster.timegrid import to_local

router = APIRouter(prefix="/weeks", tags=["weeks"])
MAX_UPLOAD = 20 * 1024 * 1024  # bytes: a week of 5-minute intervals on many channels fits
DEMAND_ROWS = TypeAdapter(list[DemandIn])
FORECAST_ROWS = TypeAdapter(list[ForecastIn])
CARRY_IN_ROWS = TypeAdapter(list[CarryInIn])


@router.get("", response_model=Page[WeekPublic])
def list_weeks(
    session: SessionDep, _: Reader, offset: Offset = 0, limit: Limit = 100
) -> Page[WeekPublic]:
    query = select(WeekRow).order_by(col(WeekRow.monday), col(WeekRow.id))
    rows, total = crud.page(session, query, offset=offset, limit=limit)
    items = [crud.week_public(session, r) for r in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.post("", response_model=WeekPublic, status_code=201)
def create_week(session: SessionDep, _: Supervisor, data: WeekCreate) -> WeekPublic:
    return crud.week_public(session, crud.create_week(session, data=data))


@router.get("/{week_id}", response_model=WeekPublic)
def read_week(session: SessionDep, _: Reader, week_id: Id) -> WeekPublic:
    return crud.week_public(session, crud.get_week(session, week_id=week_id))


@router.patch("/{week_id}", response_model=WeekPublic)
def update_week(session: SessionDep, _: Supervisor, week_id: Id, data: WeekUpdate) -> WeekPublic:
    return crud.week_public(session, crud.update_week(session, week_id=week_id, data=data))


@router.delete("/{week_id}", status_code=204)
def delete_week(session: SessionDep, _: Supervisor, week_id: Id) -> Response:
    crud.delete_week(session, week_id=week_id)
    return Response(status_code=204)


@router.get(
    "/{week_id}/demand",
    response_model=list[DemandPublic],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def read_demand_rows(session: SessionDep, _: Reader, week_id: Id, format: Format = "json") -> Any:
    """Required advisers per interval and channel; `format=csv` gives the uploadable CSV."""
    rows = crud.week_demand(session, week_id=week_id)
    week = crud.get_week(session, week_id=week_id)
    if format == "csv":
        return Response(demand_csv(rows, week), media_type=CSV)
    return [
        DemandPublic(
            interval_start=d.interval_start,
            local_start=to_local(d.interval_start, week.timezone).isoformat(),
            channel=d.channel,
            language=d.language or None,
            required=d.required,
        )
        for d in rows
    ]


DEMAND_BODY = {
    "requestBody": {
        "required": True,
        "description": "The CSV of `roster solve` (interval_start,channel,required[,language]) "
        "or the same rows as a JSON list",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {"type": "array", "items": DemandIn.model_json_schema()}
            },
        },
    }
}


async def _upload(request: Request, rows: TypeAdapter[Any]) -> str | Any:
    """The body of an upload: CSV text, or JSON rows checked by `rows` (422 naming the row)."""
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise BadData(f"the body is over {MAX_UPLOAD // 2**20} MiB", field="body")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/csv", "text/plain", "application/csv"):
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadData("the CSV is not UTF-8 text", field="body") from None
    if kind == "application/json":
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise BadData(f"not valid JSON ({err})", field="body") from None
        try:
            return rows.validate_python(data)
        except ValidationError as err:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]
            ) from None
    raise UnsupportedMedia(f"send text/csv or application/json, not {kind or 'nothing'!r}")


@router.put("/{week_id}/demand", response_model=WeekPublic, openapi_extra=DEMAND_BODY)
async def replace_demand(
    request: Request, session: SessionDep, _: Supervisor, week_id: Id
) -> WeekPublic:
    """Replace the week's demand; a bad row is a 422 naming its line (CSV) or index (JSON)."""
    week = crud.get_week(session, week_id=week_id)
    body = await _upload(request, DEMAND_ROWS)
    channels = list(session.exec(select(ChannelRow)).all())
    if isinstance(body, str):
        frame = read_demand(body, week, channels)
    else:
        frame = read_demand_json(body, week, channels)
    crud.replace_demand(session, week=week, frame=frame)
    session.refresh(week)
    return crud.week_public(session, week)


@router.get(
    "/{week_id}/forecast",
    response_model=list[ForecastPublic],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def read_forecast_rows(session: SessionDep, _: Reader, week_id: Id, format: Format = "json") -> Any:
    """Contacts expected and their handling time per interval and channel, where contacts
    arrive; `format=csv` gives the uploadable CSV."""
    rows = crud.week_forecast(session, week_id=week_id)
    week = crud.get_week(session, week_id=week_id)
    if format == "csv":
        return Response(forecast_csv(rows, week), media_type=CSV)
    return [
        ForecastPublic(
            interval_start=f.interval_start,
            local_start=to_local(f.interval_start, week.timezone).isoformat(),
            channel=f.channel,
            language=f.language or None,
            volume=f.volume,
            aht_seconds=f.aht_seconds,
        )
        for f in rows
    ]


FORECAST_BODY = {
    "requestBody": {
        "required": True,
        "description": "The forecast CSV of `roster staffing` "
        "(interval_start,channel,volume,aht_seconds[,language]) or the same rows as a JSON list",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {"type": "array", "items": ForecastIn.model_json_schema()}
            },
        },
    }
}


@router.put("/{week_id}/forecast", response_model=WeekPublic, openapi_extra=FORECAST_BODY)
async def replace_forecast(
    request: Request, session: SessionDep, _: Supervisor, week_id: Id
) -> WeekPublic:
    """Replace the week's forecast. Solves turn it into required advisers with the channels'
    service goals (the larger number holds where the demand asks too), and coverage and quality
    then show the projected service. A bad row is a 422 naming its line (CSV) or index (JSON)."""
    week = crud.get_week(session, week_id=week_id)
    body = await _upload(request, FORECAST_ROWS)
    channels = list(session.exec(select(ChannelRow)).all())
    if isinstance(body, str):
        forecast = read_forecast(body, week, channels)
    else:
        forecast = read_forecast_json(body, week, channels)
    crud.replace_forecast(session, week=week, forecast=forecast)
    session.refresh(week)
    return crud.week_public(session, week)


@router.delete("/{week_id}/forecast", response_model=WeekPublic)
def delete_forecast(session: SessionDep, _: Supervisor, week_id: Id) -> WeekPublic:
    """Remove the week's forecast: later solves use the demand rows alone."""
    week = crud.get_week(session, week_id=week_id)
    crud.replace_forecast(session, week=week, forecast=None)
    session.refresh(week)
    return crud.week_public(session, week)


@router.get(
    "/{week_id}/carry-in",
    response_model=list[CarryInPublic],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def read_carry_in_rows(session: SessionDep, _: Reader, week_id: Id, format: Format = "json") -> Any:
    """The blocks worked before the week, as sent (UTC); `format=csv` gives the uploadable CSV."""
    rows = crud.week_carry_in(session, week_id=week_id)
    if format == "csv":
        return Response(carry_in_csv(rows), media_type=CSV)
    return [
        CarryInPublic(adviser_id=r.adviser_id, activity=r.activity, start=r.start, end=r.end)
        for r in rows
    ]


CARRY_IN_BODY = {
    "requestBody": {
        "required": True,
        "description": "The columns of activities.csv (adviser_id,activity,start,end; the "
        "previous week's activities.csv will do) or the same rows as a JSON list",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {"type": "array", "items": CarryInIn.model_json_schema()}
            },
        },
    }
}


@router.put("/{week_id}/carry-in", response_model=WeekPublic, openapi_extra=CARRY_IN_BODY)
async def replace_carry_in(
    request: Request, session: SessionDep, _: Supervisor, week_id: Id
) -> WeekPublic:
    """Replace the blocks worked before the week. Solves use them when the week before has no
    published roster. A bad row is a 422 naming its line (CSV) or index (JSON)."""
    week = crud.get_week(session, week_id=week_id)
    body = await _upload(request, CARRY_IN_ROWS)
    channels = list(session.exec(select(ChannelRow)).all())
    advisers = list(session.exec(select(AdviserRow.id)).all())
    if isinstance(body, str):
        carry_in = read_carry_in(body, week, channels, advisers)
    else:
        carry_in = read_carry_in_json(body, week, channels, advisers)
    crud.replace_carry_in(session, week=week, carry_in=carry_in)
    session.refresh(week)
    return crud.week_public(session, week)


@router.delete("/{week_id}/carry-in", response_model=WeekPublic)
def delete_carry_in(session: SessionDep, _: Supervisor, week_id: Id) -> WeekPublic:
    """Remove the week's carry-in: later solves carry in the published week before, if any."""
    week = crud.get_week(session, week_id=week_id)
    crud.replace_carry_in(session, week=week, carry_in=None)
    session.refresh(week)
    return crud.week_public(session, week)


@router.post("/{week_id}/jobs", response_model=JobPublic, status_code=202)
def submit_job(
    request: Request,
    response: Response,
    session: SessionDep,
    _: Supervisor,
    week_id: Id,
    data: Annotated[JobCreate | None, Body()] = None,
) -> JobPublic:
    """Solve the week in the background: 202 with the job to poll at `Location`."""
    week = crud.get_week(session, week_id=week_id)
    grid_of(week)  # a week the grid cannot be built for fails here, not in the solver
    job = jobs.submit(session, week=week, data=data or JobCreate())
    request.app.state.runner.wake()
    response.headers["Location"] = f"/jobs/{job.id}"
    return jobs.job_public(job)


@router.get("/{week_id}/versions", response_model=list[VersionPublic])
def list_versions(session: SessionDep, _: Reader, week_id: Id) -> list[VersionPublic]:
    crud.get_week(session, week_id=week_id)
    return [
        versions.version_public(session, v)
        for v in versions.list_versions(session, week_id=week_id)
    ]


@router.get("/{week_id}/roster", response_model=list[ShiftPublic])
def published_roster(request: Request, _: Reader, week_id: Id) -> Response:
    """Every shift of the week's published roster, with its blocks (UTC and local times).

    Sent with an ETag: a client that sends it back in If-None-Match gets a 304 and no body
    until another version is published.
    """
    with session_for(request) as session:
        published = session.exec(
            select(WeekRow.published_version_id).where(WeekRow.id == week_id)
        ).first()
        if published is None:
            crud.get_week(session, week_id=week_id)  # 404 if there is no such week
            raise NotFound(f"week {week_id} has no published roster yet")
        version = versions.get_version(session, version_id=published)
        view = versions.shifts_entity(session, request.app.state.cache, version)
    return send(request, view, JSON)
