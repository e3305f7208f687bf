"""A bounded schemathesis run: requests generated from the OpenAPI schema get no server error.

The service runs for real (uvicorn on loopback, SQLite) with a small contact centre loaded, so
generated ids and names meet real rows as well as missing ones.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.settings import Settings
from tests import fake_solve
from tests.service_data import DEMAND_CSV, load

schema = schemathesis.openapi.from_dict(create_app().openapi())
EXAMPLES = 15  # per operation (positive and negative data): about 40 operations


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The service on a free loopback port; its address and a supervisor's headers."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        Settings(database_url=f"sqlite:///{folder / 'roster.db'}"), solve=fake_solve.quick
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    from sqlmodel import Session

    from api.auth import create_token

    with Session(app.state.engine) as session:
        _, token = create_token(session, role="supervisor")
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base) as client:
        week = load(client, headers)  # type: ignore[arg-type]
        job = client.post(f"/weeks/{week['id']}/jobs", headers=headers).json()
        while client.get(f"/jobs/{job['id']}", headers=headers).json()["state"] != "succeeded":
            time.sleep(0.05)
    assert DEMAND_CSV
    yield base, headers
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_gets_a_server_error(
    case: schemathesis.Case, live: tuple[str, dict[str, str]]
) -> None:
    base, headers = live
    response = case.call(base_url=base, headers=headers)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
