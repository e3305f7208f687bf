"""Teams with their labour rules, window and split: create, read, update, delete, list."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import col, select

from api import crud
from api.auth import Reader, Supervisor
from api.db import SessionDep
from api.models import Page, TeamCreate, TeamPublic, TeamRow, TeamUpdate
from api.routes.params import Limit, NamePath, Offset

router = APIRouter(prefix="/teams", tags=["teams"])


@router.get("", response_model=Page[TeamPublic])
def list_teams(
    session: SessionDep, _: Reader, offset: Offset = 0, limit: Limit = 100
) -> Page[TeamPublic]:
    rows, total = crud.page(
        session, select(TeamRow).order_by(col(TeamRow.name)), offset=offset, limit=limit
    )
    return Page(items=[crud.team_public(r) for r in rows], total=total, offset=offset, limit=limit)


@router.post("", response_model=TeamPublic, status_code=201)
def create_team(session: SessionDep, _: Supervisor, data: TeamCreate) -> TeamPublic:
    return crud.team_public(crud.create_team(session, data=data))


@router.get("/{name}", response_model=TeamPublic)
def read_team(session: SessionDep, _: Reader, name: NamePath) -> TeamPublic:
    return crud.team_public(crud.get_team(session, name=name))


@router.patch("/{name}", response_model=TeamPublic)
def update_team(session: SessionDep, _: Supervisor, name: NamePath, data: TeamUpdate) -> TeamPublic:
    return crud.team_public(crud.update_team(session, name=name, data=data))


@router.delete("/{name}", status_code=204)
def delete_team(session: SessionDep, _: Supervisor, name: NamePath) -> Response:
    crud.delete_team(session, name=name)
    return Response(status_code=204)
