"""Who may do what: no token 401, wrong role 403, another adviser's data 404."""

from __future__ import annotations

import pytest

from tests.conftest import Service
from tests.service_data import load, ok, solve


def test_no_token_is_a_401(service: Service) -> None:
    r = service.client.get("/advisers")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_a_401(service: Service) -> None:
    r = service.client.get("/advisers", headers={"Authorization": "Bearer rst_nope"})
    assert r.status_code == 401


def test_only_the_hash_of_a_token_is_stored(service: Service) -> None:
    from sqlmodel import Session, select

    from api.models import TokenRow

    headers = service.token("supervisor")
    token = headers["Authorization"].removeprefix("Bearer ")
    with Session(service.app.state.engine) as session:
        stored = session.exec(select(TokenRow.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("adviser", "post", "/teams"),
        ("adviser", "get", "/advisers"),
        ("crisis", "post", "/channels"),
        ("crisis", "post", "/weeks/1/jobs"),
        ("crisis", "put", "/weeks/1/carry-in"),
        ("adviser", "get", "/weeks/1/carry-in"),
        ("admin", "get", "/weeks"),
        ("supervisor", "get", "/tokens"),
    ],
)
def test_a_role_that_may_not_is_a_403(service: Service, role: str, method: str, path: str) -> None:
    supervisor = service.token("supervisor")
    load(service.client, supervisor)
    headers = service.token(role, "P1" if role == "adviser" else None)
    r = service.client.request(method, path, headers=headers, json={"name": "x"})
    assert r.status_code == 403, r.text


def test_an_adviser_reads_their_own_record_and_shifts_only(service: Service) -> None:
    supervisor = service.token("supervisor")
    week = load(service.client, supervisor)
    version = solve(service.client, week["id"], supervisor)
    ok(service.client.post(f"/versions/{version['id']}/publish", headers=supervisor))
    p1 = service.token("adviser", "P1")
    assert ok(service.client.get("/advisers/P1", headers=p1))["name"] == "Camille"
    shifts = ok(service.client.get("/advisers/P1/shifts", headers=p1))
    assert {s["adviser_id"] for s in shifts} == {"P1"}
    assert shifts[0]["local_start"] == "2026-11-23T09:00:00+01:00"  # the fake solve: 8 + 1 h
    assert shifts[0]["start"] == "2026-11-23T08:00:00Z"
    for path in ("/advisers/P2", "/advisers/P2/shifts", "/advisers/P2/time-off"):
        r = service.client.get(path, headers=p1)
        assert r.status_code == 404, path
        assert r.json()["detail"] == "no adviser 'P2'"  # the same answer as for no such adviser
    assert service.client.get(f"/versions/{version['id']}", headers=p1).status_code == 403


def test_the_crisis_cell_reads_rosters(service: Service) -> None:
    supervisor = service.token("supervisor")
    week = load(service.client, supervisor)
    version = solve(service.client, week["id"], supervisor)
    ok(service.client.post(f"/versions/{version['id']}/publish", headers=supervisor))
    crisis = service.token("crisis")
    assert len(ok(service.client.get(f"/weeks/{week['id']}/roster", headers=crisis))) == 3
    volunteers = ok(service.client.get("/advisers?volunteer=true", headers=crisis))
    assert [a["id"] for a in volunteers["items"]] == ["S1"]


def test_an_admin_makes_and_revokes_tokens(service: Service) -> None:
    admin = service.token("admin")
    made = ok(service.client.post("/tokens", json={"role": "crisis"}, headers=admin), 201)
    crisis = {"Authorization": f"Bearer {made['token']}"}
    assert ok(service.client.get("/me", headers=crisis))["role"] == "crisis"
    ok(service.client.delete(f"/tokens/{made['id']}", headers=admin))
    assert service.client.get("/me", headers=crisis).status_code == 401
    listed = ok(service.client.get("/tokens", headers=admin))
    assert all("token" not in t for t in listed)


def test_an_adviser_token_names_an_existing_adviser(service: Service) -> None:
    admin = service.token("admin")
    r = service.client.post("/tokens", json={"role": "adviser", "adviser_id": "ZZ"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["field"] == "adviser_id"
    r = service.client.post("/tokens", json={"role": "adviser"}, headers=admin)
    assert r.status_code == 422
