"""Bearer tokens per role: made on the command line or by an admin, stored as SHA-256 hashes.

A token is 256 random bits. Slow password hashes (bcrypt, argon2) exist to make guessing a
low-entropy password expensive; nothing can guess 2**256 possibilities, so a fast SHA-256 loses
nothing here, keeps each request's check to one indexed lookup, and still means a copy of the
database does not hand out working tokens.

A valid token's lookup is kept in memory for a few seconds (`ROSTER_TOKEN_CACHE_SECONDS`), so a
read served from cache needs no database at all. Revoking a token through the API forgets it
at once; a token revoked by another process sharing the database stops working within those
seconds.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db import now
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


class TokenCache:
    """Valid tokens' principals by token hash, each kept `seconds`; safe across threads."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self.seconds = seconds
        self.size = size
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        item = self._items.get(digest)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, digest: str, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._items) >= self.size:  # many tokens at once: start again rather than grow
                self._items.clear()
            self._items[digest] = (time.monotonic() + self.seconds, principal)

    def forget(self, token_id: int) -> None:
        """Drop a token (revoked): its next request is checked against the database."""
        with self._lock:
            for digest in [d for d, (_, p) in self._items.items() if p.token_id == token_id]:
                del self._items[digest]


def _lookup(engine: Engine, digest: str) -> Principal | None:
    with Session(engine) as session:
        row = session.exec(select(TokenRow).where(TokenRow.token_hash == digest)).first()
    if row is None or row.revoked_at is not None or row.id is None:
        return None
    return Principal(row.id, row.role, row.adviser_id)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller from their bearer token: 401 without a valid one.

    Asynchronous, so that a token found in the cache costs no hop to the thread pool.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required (see `roster token create`)")
    digest = token_hash(credentials.credentials)
    tokens: TokenCache = request.app.state.tokens
    principal = tokens.get(digest)
    if principal is None:
        principal = await run_in_threadpool(_lookup, request.app.state.engine, digest)
        if principal is None:
            raise Unauthorized("unknown or revoked token")
        tokens.put(digest, principal)
    return principal


def allow(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only `roles` through: 403 for any other valid token."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"the {principal.role} role may not do this")
        return principal

    return check


Caller = Annotated[Principal, Depends(current_principal)]
Supervisor = Annotated[Principal, Depends(allow("supervisor"))]
Reader = Annotated[Principal, Depends(allow("supervisor", "crisis"))]
Admin = Annotated[Principal, Depends(allow("admin"))]
