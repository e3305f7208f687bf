"""Bearer tokens per role: made on the command line or by an admin, stored as SHA-256 hashes.

A token is 256 random bits. Slow password hashes (bcrypt, argon2) exist to make guessing a
low-entropy password expensive; nothing can guess 2**256 possibilities, so a fast SHA-256 loses
nothing here, keeps each request's check to one indexed lookup, and still means a copy of the
database does not hand out working tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session, select

from api.db import SessionDep, now
from api.errors import BadData, Forbidden, NotFound, Unauthorized
from api.models import AdviserRow, Role, TokenRow

PREFIX = "rst_"
bearer = HTTPBearer(auto_error=False, description="A token from `roster token create`")


@dataclass(frozen=True)
class Principal:
    """Who is calling: their role, and for an adviser, which adviser."""

    token_id: int
    role: str
    adviser_id: str | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, *, role: Role, adviser_id: str | None = None, label: str = ""
) -> tuple[TokenRow, str]:
    """Store a new token's hash; the token itself is returned once and never stored."""
    if (role == "adviser") != (adviser_id is not None):
        raise BadData("required for the adviser role, and only for it", field="adviser_id")
    if adviser_id is not None and session.get(AdviserRow, adviser_id) is None:
        raise BadData(f"unknown adviser {adviser_id!r}", field="adviser_id")
    token = PREFIX + secrets.token_urlsafe(32)
    row = TokenRow(role=role, adviser_id=adviser_id, token_hash=token_hash(token), label=label)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row, token


def revoke_token(session: Session, *, token_id: int) -> TokenRow:
    row = session.get(TokenRow, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now()
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


def current_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller from their bearer token: 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required (see `roster token create`)")
    row = session.exec(
        select(TokenRow).where(TokenRow.token_hash == token_hash(credentials.credentials))
    ).first()
    if row is None or row.revoked_at is not None or row.id is None:
        raise Unauthorized("unknown or revoked token")
    return Principal(row.id, row.role, row.adviser_id)


def allow(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets only `roles` through: 403 for any other valid token."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"the {principal.role} role may not do this")
        return principal

    return check


Caller = Annotated[Principal, Depends(current_principal)]
Supervisor = Annotated[Principal, Depends(allow("supervisor"))]
Reader = Annotated[Principal, Depends(allow("supervisor", "crisis"))]
Admin = Annotated[Principal, Depends(allow("admin"))]
