"""The service's data: channels, teams, advisers, time off, weeks and demand over REST."""

from __future__ import annotations

from tests.conftest import Service
from tests.factories import PARIS_TEAM
from tests.service_data import DEMAND_CSV, MONDAY, load, ok


def test_a_team_keeps_its_labour_rules_as_the_scenario_file_writes_them(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    ok(c.post("/channels", json={"name": "social"}, headers=supervisor), 201)
    ok(c.post("/channels", json={"name": "phone"}, headers=supervisor), 201)
    team = ok(c.post("/teams", json=PARIS_TEAM, headers=supervisor), 201)
    assert team["rules"]["break"]["minutes"] == 30
    assert team["rules"]["shift_starts"] == {"from": "08:00", "to": "14:30", "every_minutes": 30}
    changed = ok(
        c.patch("/teams/paris", json={"rules": {"max_hours_per_day": 9}}, headers=supervisor)
    )
    assert changed["rules"]["max_hours_per_day"] == 9
    assert changed["window"] == {"start": "08:00", "end": "22:00"}


def test_an_unknown_time_zone_is_a_422_naming_the_field(
    service: Service, supervisor: dict[str, str]
) -> None:
    r = service.client.post(
        "/teams", json={"name": "x", "timezone": "Europe/Pari"}, headers=supervisor
    )
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"][-1] == "timezone" and "Europe/Pari" in detail["msg"]


def test_an_adviser_of_an_unknown_team_is_a_422_naming_the_team(
    service: Service, supervisor: dict[str, str]
) -> None:
    load(service.client, supervisor)
    r = service.client.post(
        "/advisers",
        json={"id": "X1", "team": "Sydny", "channels": ["social"]},
        headers=supervisor,
    )
    assert r.status_code == 422
    assert r.json() == {"detail": "team: unknown team 'Sydny'", "field": "team"}


def test_an_adviser_id_taken_is_a_409(service: Service, supervisor: dict[str, str]) -> None:
    load(service.client, supervisor)
    r = service.client.post(
        "/advisers", json={"id": "P1", "team": "paris", "channels": ["social"]}, headers=supervisor
    )
    assert r.status_code == 409


def test_advisers_are_listed_page_by_page(service: Service, supervisor: dict[str, str]) -> None:
    load(service.client, supervisor)
    first = ok(service.client.get("/advisers?limit=2", headers=supervisor))
    second = ok(service.client.get("/advisers?limit=2&offset=2", headers=supervisor))
    assert [a["id"] for a in first["items"]] == ["P1", "P2"]
    assert [a["id"] for a in second["items"]] == ["S1"]
    assert first["total"] == second["total"] == 3
    volunteers = ok(service.client.get("/advisers?volunteer=true", headers=supervisor))
    assert [a["id"] for a in volunteers["items"]] == ["S1"]


def test_time_off_is_a_day_or_a_span_with_its_offset(
    service: Service, supervisor: dict[str, str]
) -> None:
    load(service.client, supervisor)
    c = service.client
    ok(c.post("/advisers/P1/time-off", json={"date": "2026-11-25"}, headers=supervisor), 201)
    span = {"start": "2026-11-24T13:00:00+01:00", "end": "2026-11-24T18:00:00+01:00"}
    stored = ok(c.post("/advisers/P1/time-off", json=span, headers=supervisor), 201)
    assert stored["start"] == "2026-11-24T12:00:00Z"  # kept in UTC
    naive = {"start": "2026-11-24T13:00:00", "end": "2026-11-24T18:00:00"}
    assert c.post("/advisers/P1/time-off", json=naive, headers=supervisor).status_code == 422
    both = {"date": "2026-11-25", **span}
    assert c.post("/advisers/P1/time-off", json=both, headers=supervisor).status_code == 422
    assert len(ok(c.get("/advisers/P1/time-off", headers=supervisor))) == 2


def test_a_week_starts_on_a_monday(service: Service, supervisor: dict[str, str]) -> None:
    r = service.client.post(
        "/weeks", json={"monday": "2026-11-24", "timezone": "Europe/Paris"}, headers=supervisor
    )
    assert r.status_code == 422
    assert "not a monday" in r.json()["detail"][0]["msg"]


def test_the_same_week_twice_is_a_409(service: Service, supervisor: dict[str, str]) -> None:
    load(service.client, supervisor)
    r = service.client.post(
        "/weeks", json={"monday": MONDAY, "timezone": "Europe/Paris"}, headers=supervisor
    )
    assert r.status_code == 409


def test_demand_csv_comes_back_as_it_was_sent_in_utc(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    assert ok(service.client.get(f"/weeks/{week['id']}", headers=supervisor))["demand_rows"] == 3
    rows = ok(service.client.get(f"/weeks/{week['id']}/demand", headers=supervisor))
    assert rows[0] == {
        "interval_start": "2026-11-23T08:00:00Z",
        "local_start": "2026-11-23T09:00:00+01:00",
        "channel": "phone",
        "language": None,
        "required": 1,
    }
    csv = service.client.get(f"/weeks/{week['id']}/demand?format=csv", headers=supervisor)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "interval_start,channel,required,language"
    assert len(csv.text.splitlines()) == len(DEMAND_CSV.splitlines())


def test_a_bad_demand_csv_line_is_a_422_naming_the_line(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    bad = DEMAND_CSV + "2026-11-23T09:30:00+01:00,phone,-2\n"
    r = service.client.put(
        f"/weeks/{week['id']}/demand",
        content=bad,
        headers={**supervisor, "Content-Type": "text/csv"},
    )
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "demand.csv: line 5: required '-2' is not a whole number of advisers >= 0"
    )
    kept = ok(service.client.get(f"/weeks/{week['id']}", headers=supervisor))
    assert kept["demand_rows"] == 3  # nothing half-written


def test_demand_as_json_names_the_bad_row(service: Service, supervisor: dict[str, str]) -> None:
    week = load(service.client, supervisor)
    rows = [
        {"interval_start": "2026-11-23T10:00:00+01:00", "channel": "social", "required": 2},
        {"interval_start": "2026-11-23T10:05:00+01:00", "channel": "social", "required": 2},
    ]
    r = service.client.put(f"/weeks/{week['id']}/demand", json=rows, headers=supervisor)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("demand[1]: interval_start ")
    assert "15-minute grid" in r.json()["detail"]
    r = service.client.put(f"/weeks/{week['id']}/demand", json=rows[:1], headers=supervisor)
    assert ok(r)["demand_rows"] == 1


def test_demand_in_another_format_is_refused(service: Service, supervisor: dict[str, str]) -> None:
    week = load(service.client, supervisor)
    r = service.client.put(
        f"/weeks/{week['id']}/demand",
        content=b"<xml/>",
        headers={**supervisor, "Content-Type": "application/xml"},
    )
    assert r.status_code == 415


def test_a_channel_in_use_is_not_deleted(service: Service, supervisor: dict[str, str]) -> None:
    load(service.client, supervisor)
    r = service.client.delete("/channels/phone", headers=supervisor)
    assert r.status_code == 409
    assert "P1" in r.json()["detail"]
