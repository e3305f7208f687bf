"""Roster versions: read, publish, compare, and their coverage and quality (JSON or CSV)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from api import versions
from api.auth import Reader, Supervisor
from api.db import SessionDep, session_for
from api.models import Comparison, PublishRequest, ShiftPublic, VersionPublic
from api.routes.etag import send
from api.routes.params import CSV, JSON, Format, Id

router = APIRouter(prefix="/versions", tags=["versions"])
TABLE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get("/{version_id}", response_model=VersionPublic)
def read_version(session: SessionDep, _: Reader, version_id: Id) -> VersionPublic:
    return versions.version_public(session, versions.get_version(session, version_id=version_id))


@router.get("/{version_id}/shifts", response_model=list[ShiftPublic])
def version_shifts(request: Request, _: Reader, version_id: Id) -> Response:
    with session_for(request) as session:
        version = versions.get_version(session, version_id=version_id)
        view = versions.shifts_entity(session, request.app.state.cache, version)
    return send(request, view, JSON)


@router.post("/{version_id}/publish", response_model=VersionPublic)
def publish(
    session: SessionDep,
    _: Supervisor,
    version_id: Id,
    data: Annotated[PublishRequest | None, Body()] = None,
) -> VersionPublic:
    """Publish a draft; the version published before is superseded. 409 if the week's
    revision moved since `expected_revision` (another supervisor published first)."""
    expected = data.expected_revision if data else None
    row = versions.publish(session, version_id=version_id, expected_revision=expected)
    return versions.version_public(session, row)


@router.get("/{version_id}/compare/{other_id}", response_model=Comparison)
def compare(session: SessionDep, _: Reader, version_id: Id, other_id: Id) -> dict[str, Any]:
    """Which shifts changed for whom from this version to the other."""
    base = versions.get_version(session, version_id=version_id)
    other = versions.get_version(session, version_id=other_id)
    return versions.compare(session, base=base, other=other)


@router.get("/{version_id}/coverage", response_model=list[dict[str, Any]], responses=TABLE)
def coverage(request: Request, _: Reader, version_id: Id, format: Format = "json") -> Response:
    """Required, scheduled, shortfall and surplus per interval and channel (and language).

    With a forecast, each channel's headcount rows also give `forecast_volume` and the projected
    `service_level` (real-time) or `on_time_share` (deferred); null where none apply.
    """
    with session_for(request) as session:
        version = versions.get_version(session, version_id=version_id)
        view = versions.coverage_entity(session, request.app.state.cache, version, format)
    return send(request, view, CSV if format == "csv" else JSON)


@router.get("/{version_id}/quality", response_model=dict[str, Any], responses=TABLE)
def quality(request: Request, _: Reader, version_id: Id, format: Format = "json") -> Response:
    """Objective, bound, gap, penalties, hours per channel, and per adviser hours and shares;
    with a forecast, `projected_service` per channel.

    `format=csv` gives one line per adviser.
    """
    with session_for(request) as session:
        version = versions.get_version(session, version_id=version_id)
        view = versions.quality_entity(session, request.app.state.cache, version, format)
    return send(request, view, CSV if format == "csv" else JSON)
