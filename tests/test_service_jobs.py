"""Roster jobs: 202 and a job to poll, progress, cancellation, failures, restarts."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import Session

from api.models import JobRow
from tests import fake_solve
from tests.conftest import Service
from tests.service_data import load, ok, wait_job


def test_a_submitted_week_answers_202_with_a_job_that_ends_in_a_draft(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    r = service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor)
    assert r.status_code == 202
    job = r.json()
    assert r.headers["location"] == f"/jobs/{job['id']}"
    assert job["state"] in ("queued", "running")
    done = wait_job(service.client, job["id"], supervisor)
    assert done["state"] == "succeeded"
    assert (done["objective"], done["bound"], done["gap"]) == (500.0, 400.0, 0.2)
    assert done["elapsed_seconds"] >= 0
    version = ok(service.client.get(f"/versions/{done['version_id']}", headers=supervisor))
    assert (version["state"], version["number"], version["shifts"]) == ("draft", 1, 3)


def test_a_running_job_shows_its_progress_and_can_be_cancelled(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(fake_solve.slow)
    supervisor = service.token()
    week = load(service.client, supervisor)
    job = ok(service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor), 202)
    deadline = time.monotonic() + 10
    while (seen := ok(service.client.get(f"/jobs/{job['id']}", headers=supervisor)))[
        "objective"
    ] is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert seen["state"] == "running"
    assert (seen["objective"], seen["bound"], seen["stage"]) == (900.0, 100.0, "shifts")
    assert abs(seen["gap"] - 800 / 900) < 1e-9
    started = time.monotonic()
    assert ok(service.client.get("/channels", headers=supervisor))["total"] == 2
    assert time.monotonic() - started < 0.5  # the API answers while the solver runs
    ok(service.client.post(f"/jobs/{job['id']}/cancel", headers=supervisor), 202)
    done = wait_job(service.client, job["id"], supervisor)
    assert done["state"] == "cancelled"
    assert done["version_id"] is None
    assert service.client.delete(f"/jobs/{job['id']}", headers=supervisor).status_code == 409


def test_a_queued_job_is_cancelled_at_once(start_service: Callable[..., Service]) -> None:
    service = start_service(fake_solve.slow)
    supervisor = service.token()
    week = load(service.client, supervisor)
    first = ok(service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor), 202)
    second = ok(service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor), 202)
    cancelled = ok(service.client.delete(f"/jobs/{second['id']}", headers=supervisor), 202)
    assert cancelled["state"] == "cancelled"
    assert cancelled["message"] == "cancelled before it started"
    ok(service.client.delete(f"/jobs/{first['id']}", headers=supervisor), 202)
    assert wait_job(service.client, first["id"], supervisor)["state"] == "cancelled"


def test_a_week_without_a_roster_ends_the_job_with_the_diagnosis(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(fake_solve.impossible)
    supervisor = service.token()
    week = load(service.client, supervisor)
    job = ok(service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor), 202)
    done = wait_job(service.client, job["id"], supervisor)
    assert done["state"] == "failed"
    assert done["diagnosis"] == ["adviser A1: contract hours cannot be met"]
    assert "IMPOSSIBLE" in done["message"]


def test_a_solver_process_that_dies_fails_its_job(start_service: Callable[..., Service]) -> None:
    service = start_service(fake_solve.crash)
    supervisor = service.token()
    week = load(service.client, supervisor)
    job = ok(service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor), 202)
    done = wait_job(service.client, job["id"], supervisor)
    assert done["state"] == "failed"
    assert done["message"] == "the solver process ended unexpectedly (exit code 3)"


def test_a_week_that_is_not_a_valid_scenario_is_refused_with_the_field(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    rules = {"shift_starts": ["08:10"]}
    ok(service.client.patch("/teams/paris", json={"rules": rules}, headers=supervisor))
    r = service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (
        "week 1: teams[0] (paris).rules.shift_starts: "
        "shift start 08:10 is not on the 15-minute grid"
    )


def test_a_job_left_running_by_a_stopped_service_is_failed_on_restart(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(fake_solve.quick)
    supervisor = service.token()
    week = load(service.client, supervisor)
    published = ok(service.client.post(f"/weeks/{week['id']}/jobs", headers=supervisor), 202)
    version = wait_job(service.client, published["id"], supervisor)["version_id"]
    ok(service.client.post(f"/versions/{version}/publish", headers=supervisor))
    with Session(service.app.state.engine) as session:  # as if the service died mid-solve
        stale = JobRow(week_id=week["id"], state="running", snapshot={})
        session.add(stale)
        session.commit()
        stale_id = stale.id
    service.client.__exit__(None, None, None)
    with Session(service.app.state.engine) as session:
        session.exec(update(JobRow).where(JobRow.id == stale_id).values(state="running"))
        session.commit()

    again = start_service(fake_solve.quick)
    job = ok(again.client.get(f"/jobs/{stale_id}", headers=supervisor))
    assert job["state"] == "failed"
    assert job["message"] == "the service stopped while this job ran; submit it again"
    kept = ok(again.client.get(f"/versions/{version}", headers=supervisor))
    assert kept["state"] == "published"
    assert len(ok(again.client.get(f"/weeks/{week['id']}/roster", headers=supervisor))) == 3
