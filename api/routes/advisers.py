"""Advisers, their time off and their published shifts; an adviser sees only their own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlmodel import col, select

from api import crud
from api.auth import Caller, Principal, Reader, Supervisor
from api.db import SessionDep
from api.errors import Forbidden, NotFound
from api.models import (
    AdviserCreate,
    AdviserPublic,
    AdviserUpdate,
    Page,
    ShiftPublic,
    TimeOffCreate,
    TimeOffPublic,
    VersionRow,
)
from api.routes.params import Id, Limit, NamePath, Offset
from api.versions import shift_dicts

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
    session: SessionDep,
    caller: Caller,
    adviser_id: NamePath,
    week_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[dict[str, Any]]:
    """The adviser's shifts in published rosters (of one week, or all), in UTC and local time."""
    _may_see(caller, adviser_id)
    crud.get_adviser(session, adviser_id=adviser_id)
    query = select(VersionRow).where(VersionRow.state == "published")
    if week_id is not None:
        query = query.where(VersionRow.week_id == week_id)
    out: list[dict[str, Any]] = []
    for version in session.exec(query.order_by(col(VersionRow.week_id))):
        out += shift_dicts(session, version, adviser_id)
    return out
