"""Forecasts in the service: service goals on channels, a week's forecast, solves that use it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from roster.erlang import required, traffic
from tests.conftest import Service
from tests.service_data import load, ok, solve

PHONE_GOAL = {"service_level": 0.8, "within_seconds": 20}
FORECAST_CSV = (
    "interval_start,channel,volume,aht_seconds\n"
    "2026-11-23T09:00:00+01:00,phone,20,300\n"
    "2026-11-23T09:15:00+01:00,phone,0,\n"
    "2026-11-23T09:30:00+01:00,phone,12.5,240\n"
)


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _csv(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "text/csv"}


def _with_goal(service: Service, supervisor: dict[str, str]) -> dict[str, Any]:
    week = load(service.client, supervisor)
    ok(service.client.patch("/channels/phone", json={"service": PHONE_GOAL}, headers=supervisor))
    return week


def test_a_channel_carries_its_service_goal(service: Service, supervisor: dict[str, str]) -> None:
    c = service.client
    load(c, supervisor)
    changed = ok(c.patch("/channels/phone", json={"service": PHONE_GOAL}, headers=supervisor))
    assert changed["service"] == PHONE_GOAL
    assert ok(c.get("/channels/phone", headers=supervisor))["service"] == changed["service"]
    made = ok(
        c.post(
            "/channels",
            json={"name": "email", "service": {"service_level": 0.9, "within_minutes": 240}},
            headers=supervisor,
        ),
        201,
    )
    assert made["service"] == {"service_level": 0.9, "within_minutes": 240}
    sent_back = c.patch("/channels/email", json={"service": made["service"]}, headers=supervisor)
    assert ok(sent_back)["service"] == made["service"]


def test_a_real_time_goal_on_a_deferred_channel_is_a_422_naming_the_field(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    load(c, supervisor)
    goal = {**PHONE_GOAL, "asa_seconds": 15}
    r = c.patch("/channels/social", json={"service": goal}, headers=supervisor)
    assert r.status_code == 422
    assert r.json() == {
        "detail": "service: service.asa_seconds applies to real-time channels only",
        "field": "service",
    }
    r = c.post("/channels", json={"name": "mail", "service": goal}, headers=supervisor)
    assert r.status_code == 422
    assert "asa_seconds applies to real-time channels only" in r.text


def test_a_forecast_csv_is_stored_and_read_back_as_the_same_csv(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    shown = ok(
        c.put(f"/weeks/{week['id']}/forecast", content=FORECAST_CSV, headers=_csv(supervisor))
    )
    assert shown["forecast_rows"] == 2  # an interval without contacts needs no row
    rows = ok(c.get(f"/weeks/{week['id']}/forecast", headers=supervisor))
    assert [(r["local_start"], r["volume"], r["aht_seconds"]) for r in rows] == [
        ("2026-11-23T09:00:00+01:00", 20.0, 300.0),
        ("2026-11-23T09:30:00+01:00", 12.5, 240.0),
    ]
    text = c.get(f"/weeks/{week['id']}/forecast?format=csv", headers=supervisor).text
    again = ok(c.put(f"/weeks/{week['id']}/forecast", content=text, headers=_csv(supervisor)))
    assert again["forecast_rows"] == 2
    assert ok(c.get(f"/weeks/{week['id']}/forecast", headers=supervisor)) == rows


def test_a_forecast_as_json_rows_is_stored_like_the_csv(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    rows = [
        {"interval_start": "2026-11-23T08:00:00Z", "channel": "phone", "volume": 20,
         "aht_seconds": 300},
        {"interval_start": "2026-11-23T08:15:00Z", "channel": "phone", "volume": 0},
    ]  # fmt: skip
    shown = ok(c.put(f"/weeks/{week['id']}/forecast", json=rows, headers=supervisor))
    assert shown["forecast_rows"] == 1


def test_a_bad_forecast_line_is_a_422_naming_the_line(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    bad = FORECAST_CSV.replace("phone,0,", "phone,-3,60")
    r = c.put(f"/weeks/{week['id']}/forecast", content=bad, headers=_csv(supervisor))
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "forecast.csv: line 3: volume '-3' is not a number of contacts >= 0"
    )
    assert ok(c.get(f"/weeks/{week['id']}", headers=supervisor))["forecast_rows"] == 0


def test_a_bad_json_forecast_row_is_a_422_naming_its_index(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    rows = [
        {"interval_start": "2026-11-23T08:00:00Z", "channel": "phone", "volume": 2,
         "aht_seconds": 300},
        {"interval_start": "2026-11-23T08:07:00Z", "channel": "phone", "volume": 2,
         "aht_seconds": 300},
    ]  # fmt: skip
    r = c.put(f"/weeks/{week['id']}/forecast", json=rows, headers=supervisor)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("forecast[1]: interval_start")


def test_a_forecast_for_a_channel_without_a_goal_is_a_422_saying_how_to_give_one(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    r = c.put(f"/weeks/{week['id']}/forecast", content=FORECAST_CSV, headers=_csv(supervisor))
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "forecast.csv: line 2: channel 'phone' has no service goal to size it "
        "(give it one with PATCH /channels/phone)"
    )


def test_solves_use_the_forecast_and_coverage_shows_the_projected_service(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    ok(c.put(f"/weeks/{week['id']}/forecast", content=FORECAST_CSV, headers=_csv(supervisor)))
    version = solve(c, week["id"], supervisor)  # everyone on social 09:00-13:00 Paris
    body = c.get(f"/versions/{version['id']}/coverage", headers=supervisor).content
    rows = json.loads(body, parse_constant=_not_json)
    phone = {r["interval_start"]: r for r in rows if r["channel"] == "phone"}
    twenty_calls = required(traffic(20, 900, 300), 300, service_level=0.8, within_seconds=20)
    assert phone["2026-11-23T08:00:00Z"]["required"] == twenty_calls.scheduled  # not the 1 asked
    assert phone["2026-11-23T08:00:00Z"]["forecast_volume"] == 20
    assert phone["2026-11-23T08:00:00Z"]["service_level"] == 0  # nobody on the phone
    assert phone["2026-11-23T08:15:00Z"]["service_level"] is None  # no call: no service to tell
    text = c.get(f"/versions/{version['id']}/coverage?format=csv", headers=supervisor).text
    assert {"forecast_volume", "service_level", "on_time_share"} <= set(
        next(csv.DictReader(io.StringIO(text)))
    )
    quality = ok(c.get(f"/versions/{version['id']}/quality", headers=supervisor))
    projected = quality["projected_service"]["phone"]
    assert projected["contacts"] == 32.5 and projected["goal"] == 0.8


def test_a_week_without_a_forecast_has_no_projected_service(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    version = solve(c, week["id"], supervisor)
    rows = ok(c.get(f"/versions/{version['id']}/coverage", headers=supervisor))
    assert "forecast_volume" not in rows[0]
    assert "projected_service" not in ok(
        c.get(f"/versions/{version['id']}/quality", headers=supervisor)
    )


def test_removing_a_goal_the_forecast_needs_makes_the_next_job_a_422(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_goal(service, supervisor)
    ok(c.put(f"/weeks/{week['id']}/forecast", content=FORECAST_CSV, headers=_csv(supervisor)))
    ok(c.patch("/channels/phone", json={"service": None}, headers=supervisor))
    r = c.post(f"/weeks/{week['id']}/jobs", headers=supervisor)
    assert r.status_code == 422
    assert "channel 'phone' has no service goal" in r.json()["detail"]


def test_a_channel_in_the_forecast_is_kept_until_the_forecast_is_removed(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    chat = {"name": "chat", "kind": "realtime", "service": PHONE_GOAL}
    ok(c.post("/channels", json=chat, headers=supervisor), 201)
    text = FORECAST_CSV.replace("phone", "chat")
    ok(c.put(f"/weeks/{week['id']}/forecast", content=text, headers=_csv(supervisor)))
    r = c.delete("/channels/chat", headers=supervisor)
    assert r.status_code == 409
    assert r.json()["detail"] == "channel 'chat' is still used by forecast rows"
    assert ok(c.delete(f"/weeks/{week['id']}/forecast", headers=supervisor))["forecast_rows"] == 0
    assert ok(c.get(f"/weeks/{week['id']}/forecast", headers=supervisor)) == []
    assert c.delete("/channels/chat", headers=supervisor).status_code == 204
