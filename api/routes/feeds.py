"""Calendar feeds: private addresses for advisers, teams and incidents, and the feeds at them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api import feeds
from api.auth import Caller, Principal, Supervisor, allow
from api.db import SessionDep, session_for
from api.errors import Forbidden
from api.ical import CONTENT_TYPE
from api.models import FeedCreated, FeedRow
from api.routes.advisers import _may_see as may_see
from api.routes.etag import matches
from api.routes.params import Id, NamePath

router = APIRouter(tags=["feeds"])
# Apps poll every 15 minutes at best (the feed's REFRESH-INTERVAL); a cache may keep it as long.
CACHE_CONTROL = "private, max-age=900"
ICS = {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}
CrisisCell = Annotated[Principal, Depends(allow("crisis"))]


def _may_manage(principal: Principal, adviser_id: str) -> None:
    """Supervisors manage every adviser's feed, an adviser only their own (else 404); the
    crisis cell reads advisers but does not hand out their calendars."""
    if principal.role == "crisis":
        raise Forbidden("the crisis role may not manage feeds")
    may_see(principal, adviser_id)


def _created(request: Request, row: FeedRow, secret: str) -> FeedCreated:
    url = str(request.url_for("read_feed", secret=secret))
    assert row.secret_created_at is not None
    webcal = "webcal://" + url.split("://", 1)[1]
    return FeedCreated(url=url, webcal=webcal, created_at=row.secret_created_at)


@router.post("/advisers/{adviser_id}/feed", response_model=FeedCreated, status_code=201)
def make_adviser_feed(
    request: Request, session: SessionDep, caller: Caller, adviser_id: NamePath
) -> FeedCreated:
    """A new private address of the adviser's calendar feed; any earlier one stops working.

    The address is shown here only (its hash is kept). The adviser themself or a supervisor.
    """
    _may_manage(caller, adviser_id)
    row, secret = feeds.make_address(session, adviser_id=adviser_id)
    return _created(request, row, secret)


@router.delete("/advisers/{adviser_id}/feed", status_code=204)
def revoke_adviser_feed(session: SessionDep, caller: Caller, adviser_id: NamePath) -> Response:
    """The adviser's feed address stops working (404); a new one can be made later."""
    _may_manage(caller, adviser_id)
    feeds.revoke_address(session, adviser_id=adviser_id)
    return Response(status_code=204)


@router.post("/teams/{name}/feed", response_model=FeedCreated, status_code=201)
def make_team_feed(
    request: Request, session: SessionDep, _: Supervisor, name: NamePath
) -> FeedCreated:
    """A new private address of the team's feed (every adviser's shifts, led by their name),
    for its supervisors; any earlier one stops working.

    An address rather than bearer-token access, as for advisers: calendar apps subscribe to a
    bare URL and cannot send a token.
    """
    row, secret = feeds.make_address(session, team=name)
    return _created(request, row, secret)


@router.delete("/teams/{name}/feed", status_code=204)
def revoke_team_feed(session: SessionDep, _: Supervisor, name: NamePath) -> Response:
    feeds.revoke_address(session, team=name)
    return Response(status_code=204)


@router.post("/incidents/{incident_id}/feed", response_model=FeedCreated, status_code=201)
def make_incident_feed(
    request: Request, session: SessionDep, _: CrisisCell, incident_id: Id
) -> FeedCreated:
    """A new private address of the incident's crisis feed (the surge duties of its published
    plans: call-ups that add work, managers' duties, outsourcers' bookings), for the crisis
    cell; any earlier one stops working.

    The crisis role only: a feed has one address, so a supervisor rotating it would silently
    cut off the cell's subscribed calendars; supervisors read the same call-ups in the plans.
    """
    row, secret = feeds.make_address(session, incident_id=incident_id)
    return _created(request, row, secret)


@router.delete("/incidents/{incident_id}/feed", status_code=204)
def revoke_incident_feed(session: SessionDep, _: CrisisCell, incident_id: Id) -> Response:
    feeds.revoke_address(session, incident_id=incident_id)
    return Response(status_code=204)


# HEAD answers as GET does, without the body; one operation in the schema (two with the same
# operation id made FastAPI warn at every schema build)
@router.head("/feeds/{secret}.ics", include_in_schema=False)
@router.get("/feeds/{secret}.ics", responses=ICS)
def read_feed(request: Request, secret: str) -> Response:
    """The calendar feed at a private address; no bearer token, the secret is the credential.

    `304` without a body on a matching If-None-Match, or (without one) on an If-Modified-Since
    not older than Last-Modified. Any address that is not a feed's current one is a `404`.
    """
    with session_for(request) as session:
        feed = feeds.lookup(session, secret)
        headers = {
            "ETag": feed.etag,
            "Last-Modified": _http_date(feed.last_modified),
            "Cache-Control": CACHE_CONTROL,
        }
        if _not_modified(request, feed):
            return Response(status_code=304, headers=headers)
        feed = feeds.with_body(session, feed)
    assert feed.body is not None
    headers["ETag"] = feed.etag
    headers["Last-Modified"] = _http_date(feed.last_modified)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(feed.body))
        return Response(media_type=CONTENT_TYPE, headers=headers)
    return Response(feed.body, media_type=CONTENT_TYPE, headers=headers)


def _http_date(instant: datetime) -> str:
    return format_datetime(instant.astimezone(UTC), usegmt=True)


def _not_modified(request: Request, feed: feeds.Stored) -> bool:
    """RFC 9110 (13.2.2): If-None-Match decides when sent; If-Modified-Since only without it."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return matches(if_none_match, feed.etag)
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        instant = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC asks
    if instant.tzinfo is None:
        return False
    return feed.last_modified.replace(microsecond=0) <= instant
