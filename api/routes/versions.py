"""Roster versions: read, publish, compare, and their coverage and quality (JSON or CSV)."""

from __future__ import annotations

import io
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Body, Request, Response

from api import versions
from api.auth import Reader, Supervisor
from api.db import SessionDep
from api.models import Comparison, PublishRequest, ShiftPublic, VersionPublic
from api.routes.params import CSV, Format, Id

router = APIRouter(prefix="/versions", tags=["versions"])
TABLE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


def _csv(frame: pd.DataFrame) -> Response:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return Response(out.getvalue(), media_type=CSV)


@router.get("/{version_id}", response_model=VersionPublic)
def read_version(session: SessionDep, _: Reader, version_id: Id) -> VersionPublic:
    return versions.version_public(session, versions.get_version(session, version_id=version_id))


@router.get("/{version_id}/shifts", response_model=list[ShiftPublic])
def version_shifts(request: Request, session: SessionDep, _: Reader, version_id: Id) -> Response:
    version = versions.get_version(session, version_id=version_id)
    body = versions.shifts_json(session, request.app.state.cache, version)
    return Response(body, media_type="application/json")


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
def coverage(
    request: Request, session: SessionDep, _: Reader, version_id: Id, format: Format = "json"
) -> Any:
    """Required, scheduled, shortfall and surplus per interval and channel (and language)."""
    version = versions.get_version(session, version_id=version_id)
    body = versions.coverage_body(session, request.app.state.cache, version, format)
    return Response(body, media_type=CSV if format == "csv" else "application/json")


@router.get("/{version_id}/quality", response_model=dict[str, Any], responses=TABLE)
def quality(
    request: Request, session: SessionDep, _: Reader, version_id: Id, format: Format = "json"
) -> Any:
    """Objective, bound, gap, penalties, hours per channel, and per adviser hours and shares.

    `format=csv` gives one line per adviser.
    """
    version = versions.get_version(session, version_id=version_id)
    data = versions.quality(session, request.app.state.cache, version)
    if format == "json":
        return data
    rows = []
    for a in data["advisers"]:
        row = {k: v for k, v in a.items() if not isinstance(v, dict)}
        for key in ("channel_hours", "share", "split_target"):
            row.update({f"{key}_{c}": v for c, v in a[key].items()})
        rows.append(row)
    return _csv(pd.DataFrame(rows))
