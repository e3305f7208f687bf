"""Cached views sent with their ETag, and 304 Not Modified to a client that has them already."""

from __future__ import annotations

from fastapi import Request, Response

from api.versions import Entity


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def send(request: Request, view: Entity, media_type: str) -> Response:
    """The view, or 304 without a body when the client's copy is current.

    `no-cache`: clients keep the body but ask each time, because what a week or an adviser
    shows changes with publications; the question costs a 304 and no body when nothing did.
    """
    body, etag = view
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
