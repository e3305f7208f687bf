"""Reads served from memory: ETags and 304s, one adviser's cached shifts, cached token checks."""

from __future__ import annotations

from sqlmodel import Session, select

from api.db import now
from api.models import TokenRow
from api.routes.etag import matches
from tests.conftest import Service
from tests.service_data import load, ok, solve


def test_if_none_match_names_the_etag_in_a_list_weakly_or_with_a_star() -> None:
    assert matches('"a", "b"', '"b"')
    assert matches('W/"b"', '"b"')
    assert matches("*", '"b"')
    assert not matches('"a"', '"b"')
    assert not matches(None, '"b"')


def test_a_roster_read_again_with_its_etag_is_a_304_until_another_is_published(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    first, second = solve(c, week["id"], supervisor, 1), solve(c, week["id"], supervisor, 2)
    ok(c.post(f"/versions/{first['id']}/publish", headers=supervisor))
    read = c.get(f"/weeks/{week['id']}/roster", headers=supervisor)
    etag = read.headers["etag"]
    again = c.get(f"/weeks/{week['id']}/roster", headers={**supervisor, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    ok(c.post(f"/versions/{second['id']}/publish", headers=supervisor))
    changed = c.get(f"/weeks/{week['id']}/roster", headers={**supervisor, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()[0]["local_start"] == "2026-11-23T10:00:00+01:00"


def test_coverage_and_quality_answer_304_to_their_etag(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    version = solve(c, week["id"], supervisor)
    for view in ("coverage", "coverage?format=csv", "quality", "quality?format=csv"):
        path = f"/versions/{version['id']}/{view}"
        etag = c.get(path, headers=supervisor).headers["etag"]
        assert c.get(path, headers={**supervisor, "If-None-Match": etag}).status_code == 304


def test_an_adviser_reads_the_shifts_of_the_version_published_now(service: Service) -> None:
    supervisor = service.token("supervisor")
    c = service.client
    week = load(c, supervisor)
    first, second = solve(c, week["id"], supervisor, 1), solve(c, week["id"], supervisor, 2)
    p1 = service.token("adviser", "P1")
    assert ok(c.get("/advisers/P1/shifts", headers=p1)) == []
    ok(c.post(f"/versions/{first['id']}/publish", headers=supervisor))
    shifts = ok(c.get("/advisers/P1/shifts", headers=p1))
    assert [s["local_start"] for s in shifts] == ["2026-11-23T09:00:00+01:00"]
    ok(c.post(f"/versions/{second['id']}/publish", headers=supervisor))
    shifts = ok(c.get(f"/advisers/P1/shifts?week_id={week['id']}", headers=p1))
    assert [(s["adviser_id"], s["local_start"]) for s in shifts] == [
        ("P1", "2026-11-23T10:00:00+01:00")
    ]
    assert c.get("/advisers/P2/shifts", headers=p1).status_code == 404


def test_a_token_revoked_through_the_api_stops_working_at_once(service: Service) -> None:
    admin = service.token("admin")
    c = service.client
    made = ok(c.post("/tokens", json={"role": "supervisor"}, headers=admin), 201)
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert c.get("/weeks", headers=headers).status_code == 200  # its lookup is now cached
    ok(c.delete(f"/tokens/{made['id']}", headers=admin))
    assert c.get("/weeks", headers=headers).status_code == 401


def test_without_a_token_cache_a_token_revoked_elsewhere_stops_working_at_once(
    database_url: str,
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.auth import create_token
    from api.settings import Settings

    app = create_app(Settings(database_url=database_url, token_cache_seconds=0))
    with TestClient(app) as c:
        with Session(app.state.engine) as session:
            row, token = create_token(session, role="supervisor")
        headers = {"Authorization": f"Bearer {token}"}
        assert c.get("/weeks", headers=headers).status_code == 200
        with Session(app.state.engine) as session:  # as another process sharing the database
            stored = session.exec(select(TokenRow).where(TokenRow.id == row.id)).one()
            stored.revoked_at = now()
            session.add(stored)
            session.commit()
        assert c.get("/weeks", headers=headers).status_code == 401
