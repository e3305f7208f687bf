"""A small contact centre loaded through the REST API, for the service tests."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import PARIS_TEAM, SYDNEY_TEAM

MONDAY = "2026-11-23"
DEMAND_CSV = (
    "interval_start,channel,required\n"
    "2026-11-23T09:00:00+01:00,social,1\n"
    "2026-11-23T09:15:00+01:00,social,2\n"
    "2026-11-23T09:00:00+01:00,phone,1\n"
)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def load(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Channels social and phone, teams paris and sydney, advisers P1, P2, S1, one week."""
    ok(
        client.post("/channels", json={"name": "social", "label": "Social media"}, headers=headers),
        201,
    )
    ok(client.post("/channels", json={"name": "phone", "kind": "realtime"}, headers=headers), 201)
    ok(client.post("/teams", json=PARIS_TEAM, headers=headers), 201)
    ok(client.post("/teams", json=SYDNEY_TEAM, headers=headers), 201)
    for adviser in (
        {"id": "P1", "name": "Camille", "team": "paris", "channels": ["social", "phone"]},
        {"id": "P2", "name": "Hugo", "team": "paris", "channels": ["social", "phone"]},
        {"id": "S1", "name": "Léa", "team": "sydney", "channels": ["social"], "volunteer": True},
    ):
        ok(client.post("/advisers", json=adviser, headers=headers), 201)
    week = ok(
        client.post(
            "/weeks",
            json={"monday": MONDAY, "timezone": "Europe/Paris", "name": "test week"},
            headers=headers,
        ),
        201,
    )
    ok(
        client.put(
            f"/weeks/{week['id']}/demand",
            content=DEMAND_CSV,
            headers={**headers, "Content-Type": "text/csv"},
        )
    )
    return week


def wait_job(
    client: TestClient, job_id: int, headers: dict[str, str], seconds: float = 15
) -> dict[str, Any]:
    """Poll a job until it has ended; its last state."""
    deadline = time.monotonic() + seconds
    while True:
        job = ok(client.get(f"/jobs/{job_id}", headers=headers))
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']}"
        time.sleep(0.05)


def solve(
    client: TestClient, week_id: int, headers: dict[str, str], time_limit: float = 1
) -> dict[str, Any]:
    """Submit a job for the week, wait for it, and return its draft version."""
    job = ok(
        client.post(
            f"/weeks/{week_id}/jobs", json={"time_limit_seconds": time_limit}, headers=headers
        ),
        202,
    )
    done = wait_job(client, job["id"], headers)
    assert done["state"] == "succeeded", done
    return ok(client.get(f"/versions/{done['version_id']}", headers=headers))
