"""Advisers, their time off and their published shifts; an adviser sees only their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import defer
from sqlmodel import col, select

from api import crud
from api.auth import Caller, Principal, Reader, Supervisor
from api.db import SessionDep, session_for
from api.errors import Forbidden, NotFound
from api.models import (
    AdviserCreate,
    AdviserPublic,
    AdviserRow,
    AdviserUpdate,
    Page,
    ShiftPublic,
    TimeOffCreate,
    TimeOffPublic,
    VersionRow,
)
from api.routes.etag import send
from api.routes.params import JSON, Id, Limit, NamePath, Offset
from api.versions import adviser_shifts_entity

router = APIRouter(prefix="/advisers", tags=["advisers"])


def _may_see(principal: Principal, adviser_id: str) -> None:
    """Supervisors and the crisis cell see every adviser; an adviser only themself (else 404)."""
    if principal.role in ("supervisor", "crisis"):
        return
    if principal.role == "adviser":
        if principal.adviser_id != adviser_id:
            raise NotFound(f"no adviser {adviser_id!r}")
        return
    raise Forbidden(f"the {principal.role} role may not read advisers")


@router.get("", response_model=Page[AdviserPublic])
def list_advisers(
    session: SessionDep,
    _: Reader,
    offset: Offset = 0,
    limit: Limit = 100,
    team: Annotated[str | None, Query(max_length=64)] = None,
    volunteer: bool | None = None,
) -> Page[AdviserPublic]:
    rows, total = crud.list_advisers(
        session, offset=offset, limit=limit, team=team, volunteer=volunteer
    )
    items = [crud.adviser_public(r) for r in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.post("", response_model=AdviserPublic, status_code=201)
def create_adviser(session: SessionDep, _: Supervisor, data: AdviserCreate) -> AdviserPublic:
    return crud.adviser_public(crud.create_adviser(session, data=data))


@router.get("/{adviser_id}", response_model=AdviserPublic)
def read_adviser(session: SessionDep, caller: Caller, adviser_id: NamePath) -> AdviserPublic:
    _may_see(caller, adviser_id)
    return crud.adviser_public(crud.get_adviser(session, adviser_id=adviser_id))


@router.patch("/{adviser_id}", response_model=AdviserPublic)
def update_adviser(
    session: SessionDep, _: Supervisor, adviser_id: NamePath, data: AdviserUpdate
) -> AdviserPublic:
    return crud.adviser_public(crud.update_adviser(session, adviser_id=adviser_id, data=data))


@router.delete("/{adviser_id}", status_code=204)
def delete_adviser(session: SessionDep, _: Supervisor, adviser_id: NamePath) -> Response:
    crud.delete_adviser(session, adviser_id=adviser_id)
    return Response(status_code=204)


@router.get("/{adviser_id}/time-off", response_model=list[TimeOffPublic])
def list_time_off(session: SessionDep, caller: Caller, adviser_id: NamePath) -> list[TimeOffPublic]:
    _may_see(caller, adviser_id)
    return [crud.time_off_public(r) for r in crud.list_time_off(session, adviser_id=adviser_id)]


@router.post("/{adviser_id}/time-off", response_model=TimeOffPublic, status_code=201)
def create_time_off(
    session: SessionDep, _: Supervisor, adviser_id: NamePath, data: TimeOffCreate
) -> TimeOffPublic:
    return crud.time_off_public(crud.create_time_off(session, adviser_id=adviser_id, data=data))


@router.delete("/{adviser_id}/time-off/{time_off_id}", status_code=204)
def delete_time_off(
    session: SessionDep, _: Supervisor, adviser_id: NamePath, time_off_id: Id
) -> Response:
    crud.delete_time_off(session, adviser_id=adviser_id, time_off_id=time_off_id)
    return Response(status_code=204)


@router.get("/{adviser_id}/shifts", response_model=list[ShiftPublic])
def adviser_shifts(
    request: Request,
    caller: Caller,
    adviser_id: NamePath,
    week_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The adviser's shifts in published rosters (of one week, or all), in UTC and local time.

    Sent with an ETag: a client that sends it back in If-None-Match gets a 304 and no body
    until a publication changes them.
    """
    _may_see(caller, adviser_id)
    with session_for(request) as session:
        if session.exec(select(AdviserRow.id).where(AdviserRow.id == adviser_id)).first() is None:
            raise NotFound(f"no adviser {adviser_id!r}")
        query = select(VersionRow).where(VersionRow.state == "published")
        if week_id is not None:
            query = query.where(VersionRow.week_id == week_id)
        query = query.options(defer(VersionRow.snapshot))  # type: ignore[arg-type]
        published = list(session.exec(query.order_by(col(VersionRow.week_id))))
        state = request.app.state
        view = adviser_shifts_entity(
            session, state.cache, state.adviser_cache, adviser_id, published
        )
    return send(request, view, JSON)
