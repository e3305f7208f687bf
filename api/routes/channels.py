"""Channels: create, read, update, delete, list with paging."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import col, select

from api import crud
from api.auth import Reader, Supervisor
from api.db import SessionDep
from api.models import ChannelCreate, ChannelPublic, ChannelRow, ChannelUpdate, Page
from api.routes.params import Limit, NamePath, Offset

router = APIRouter(prefix="/channels", tags=["channels"])


@router.get("", response_model=Page[ChannelPublic])
def list_channels(
    session: SessionDep, _: Reader, offset: Offset = 0, limit: Limit = 100
) -> Page[ChannelPublic]:
    rows, total = crud.page(
        session, select(ChannelRow).order_by(col(ChannelRow.name)), offset=offset, limit=limit
    )
    items = [crud.channel_public(r) for r in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.post("", response_model=ChannelPublic, status_code=201)
def create_channel(session: SessionDep, _: Supervisor, data: ChannelCreate) -> ChannelPublic:
    return crud.channel_public(crud.create_channel(session, data=data))


@router.get("/{name}", response_model=ChannelPublic)
def read_channel(session: SessionDep, _: Reader, name: NamePath) -> ChannelPublic:
    return crud.channel_public(crud.get_channel(session, name=name))


@router.patch("/{name}", response_model=ChannelPublic)
def update_channel(
    session: SessionDep, _: Supervisor, name: NamePath, data: ChannelUpdate
) -> ChannelPublic:
    return crud.channel_public(crud.update_channel(session, name=name, data=data))


@router.delete("/{name}", status_code=204)
def delete_channel(session: SessionDep, _: Supervisor, name: NamePath) -> Response:
    crud.delete_channel(session, name=name)
    return Response(status_code=204)
