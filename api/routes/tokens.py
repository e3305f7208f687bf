"""Bearer tokens, managed by an admin; `roster token create` makes the first ones."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import col, select

from api.auth import Admin, Caller, create_token, revoke_token
from api.db import SessionDep
from api.models import TokenCreate, TokenCreated, TokenPublic, TokenRow

router = APIRouter(tags=["tokens"])


def token_public(row: TokenRow) -> TokenPublic:
    return TokenPublic.model_validate({**row.model_dump(), "revoked": row.revoked_at is not None})


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(session: SessionDep, _: Admin) -> list[TokenPublic]:
    rows = session.exec(select(TokenRow).order_by(col(TokenRow.id))).all()
    return [token_public(r) for r in rows]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def new_token(session: SessionDep, _: Admin, data: TokenCreate) -> TokenCreated:
    """A new token; the response is the only place it is ever shown."""
    row, token = create_token(session, role=data.role, adviser_id=data.adviser_id, label=data.label)
    return TokenCreated.model_validate({**token_public(row).model_dump(), "token": token})


@router.delete("/tokens/{token_id}", response_model=TokenPublic)
def revoke(request: Request, session: SessionDep, _: Admin, token_id: int) -> TokenPublic:
    """Revoke a token: its next request is a 401."""
    row = revoke_token(session, token_id=token_id)
    request.app.state.tokens.forget(token_id)
    return token_public(row)


@router.get("/me", response_model=TokenPublic)
def me(session: SessionDep, caller: Caller) -> TokenPublic:
    """The token the request carries: its role and, for an adviser, their id."""
    row = session.get(TokenRow, caller.token_id)
    assert row is not None
    return token_public(row)
