"""Domain errors of the service and the one handler that turns them into HTTP answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from roster.errors import ScenarioError


class ServiceError(Exception):
    """A request the service cannot carry out; `field` names the bad input when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class NotFound(ServiceError):
    """No such object, or not one the caller may see."""


class Conflict(ServiceError):
    """The request clashes with the current state (a name taken, a version already published)."""


class BadData(ServiceError):
    """Input that is well formed but makes no sense with the data already there."""


class UnsupportedMedia(ServiceError):
    """A body in a format the endpoint does not read."""


class Unauthorized(ServiceError):
    """No valid bearer token."""


class Forbidden(ServiceError):
    """A valid token whose role may not do this."""


STATUS: dict[type[Exception], int] = {
    NotFound: 404,
    Conflict: 409,
    BadData: 422,
    UnsupportedMedia: 415,
    ScenarioError: 422,
    Unauthorized: 401,
    Forbidden: 403,
    IntegrityError: 409,
}


def _status(error: Exception) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


async def handle(_request: Request, error: Exception) -> JSONResponse:
    """Map a domain error to its HTTP status, with `detail` naming the field and the problem."""
    status = _status(error)
    if isinstance(error, IntegrityError):
        detail = "the change conflicts with data already stored (a name or key in use)"
    else:
        detail = str(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body: dict[str, object] = {"detail": detail}
    if isinstance(error, ServiceError) and error.field:
        body["field"] = error.field
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    for kind in STATUS:
        app.add_exception_handler(kind, handle)
