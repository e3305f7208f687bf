"""Service fixtures: an app on a fresh database, SQLite always and PostgreSQL when one is given.

`ROSTER_TEST_POSTGRES_URL` (e.g. postgresql://roster@127.0.0.1:5433/roster_test) names a
database the tests may empty; without it the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.auth import create_token
from api.db import make_engine
from api.settings import Settings
from tests import fake_solve

POSTGRES = os.environ.get("ROSTER_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or the test PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roster.db'}"
    if not POSTGRES:
        pytest.skip("ROSTER_TEST_POSTGRES_URL is not set")
    engine = make_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRES


class Service:
    """A running app with a test client and a way to make tokens."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.app: Any = client.app

    def token(self, role: str = "supervisor", adviser_id: str | None = None) -> dict[str, str]:
        """Authorization headers for a new token of that role."""
        from sqlmodel import Session

        with Session(self.app.state.engine) as session:
            _, token = create_token(session, role=role, adviser_id=adviser_id)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def start_service(database_url: str) -> Iterator[Callable[..., Service]]:
    """Start the service on the test database with a stand-in solver (default: `quick`)."""
    clients: list[TestClient] = []

    def start(solve: Callable[..., None] = fake_solve.quick) -> Service:
        app = create_app(Settings(database_url=database_url), solve=solve)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Service(client)

    yield start
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def service(start_service: Callable[..., Service]) -> Service:
    return start_service()


@pytest.fixture
def supervisor(service: Service) -> dict[str, str]:
    return service.token("supervisor")
