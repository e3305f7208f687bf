"""A week's carry-in in the service: stored, read back, checked, and carried into its solves."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from api.models import VersionRow
from tests.conftest import Service
from tests.service_data import load, ok, solve

# Sydney's Sunday night into Monday, and a Sunday afternoon of P1's (the week is 23 November
# 2026 in Paris: it starts at 2026-11-22T23:00:00Z and ends at 2026-11-29T23:00:00Z).
CARRY_IN_CSV = (
    "adviser_id,activity,start,end\n"
    "S1,social,2026-11-22T21:00:00Z,2026-11-23T00:00:00Z\n"  # line 2
    "S1,break,2026-11-23T00:00:00Z,2026-11-23T00:30:00Z\n"  # line 3
    "S1,social,2026-11-23T00:30:00+00:00,2026-11-23T08:00:00+01:00\n"  # line 4
    "P1,phone,2026-11-22T13:00:00+01:00,2026-11-22T16:00:00Z\n"  # line 5
)
CARRIED = [
    ["P1", "2026-11-22T12:00:00Z", "2026-11-22T16:00:00Z",
     [["phone", "2026-11-22T12:00:00Z", "2026-11-22T16:00:00Z"]]],
    ["S1", "2026-11-22T21:00:00Z", "2026-11-23T07:00:00Z",
     [["social", "2026-11-22T21:00:00Z", "2026-11-23T00:00:00Z"],
      ["break", "2026-11-23T00:00:00Z", "2026-11-23T00:30:00Z"],
      ["social", "2026-11-23T00:30:00Z", "2026-11-23T07:00:00Z"]]],
]  # fmt: skip


def _csv(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "text/csv"}


def _with_carry_in(service: Service, supervisor: dict[str, str]) -> dict[str, Any]:
    week = load(service.client, supervisor)
    shown = ok(
        service.client.put(
            f"/weeks/{week['id']}/carry-in", content=CARRY_IN_CSV, headers=_csv(supervisor)
        )
    )
    assert shown["carry_in_rows"] == 4
    return week


def _carried_in(service: Service, version_id: int) -> list[list[Any]]:
    """The carry-in of the snapshot a version was solved on."""
    with Session(service.app.state.engine) as session:
        version = session.get(VersionRow, version_id)
        assert version is not None
        return version.snapshot["carry_in"]


def test_a_carry_in_csv_is_stored_and_read_back_in_utc(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_carry_in(service, supervisor)
    rows = ok(c.get(f"/weeks/{week['id']}/carry-in", headers=supervisor))
    assert rows == [
        {"adviser_id": "P1", "activity": "phone",
         "start": "2026-11-22T12:00:00Z", "end": "2026-11-22T16:00:00Z"},
        {"adviser_id": "S1", "activity": "social",
         "start": "2026-11-22T21:00:00Z", "end": "2026-11-23T00:00:00Z"},
        {"adviser_id": "S1", "activity": "break",
         "start": "2026-11-23T00:00:00Z", "end": "2026-11-23T00:30:00Z"},
        {"adviser_id": "S1", "activity": "social",
         "start": "2026-11-23T00:30:00Z", "end": "2026-11-23T07:00:00Z"},
    ]  # fmt: skip
    text = c.get(f"/weeks/{week['id']}/carry-in?format=csv", headers=supervisor)
    assert text.headers["content-type"].startswith("text/csv")
    assert text.text.splitlines() == [
        "adviser_id,activity,start,end",
        "P1,phone,2026-11-22T12:00:00Z,2026-11-22T16:00:00Z",
        "S1,social,2026-11-22T21:00:00Z,2026-11-23T00:00:00Z",
        "S1,break,2026-11-23T00:00:00Z,2026-11-23T00:30:00Z",
        "S1,social,2026-11-23T00:30:00Z,2026-11-23T07:00:00Z",
    ]
    again = c.put(f"/weeks/{week['id']}/carry-in", content=text.text, headers=_csv(supervisor))
    assert ok(again)["carry_in_rows"] == 4
    as_json = c.put(f"/weeks/{week['id']}/carry-in", json=rows, headers=supervisor)
    assert ok(as_json)["carry_in_rows"] == 4
    assert ok(c.get(f"/weeks/{week['id']}/carry-in", headers=supervisor)) == rows


def test_deleting_the_carry_in_leaves_the_week_without_one(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_carry_in(service, supervisor)
    assert ok(c.delete(f"/weeks/{week['id']}/carry-in", headers=supervisor))["carry_in_rows"] == 0
    assert ok(c.get(f"/weeks/{week['id']}/carry-in", headers=supervisor)) == []
    version = solve(c, week["id"], supervisor)
    assert _carried_in(service, version["id"]) == []


def test_a_solve_carries_in_the_stored_blocks_as_shifts(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_carry_in(service, supervisor)
    version = solve(c, week["id"], supervisor)
    assert _carried_in(service, version["id"]) == CARRIED
    coverage = ok(c.get(f"/versions/{version['id']}/coverage", headers=supervisor))
    at_six = {r["channel"]: r for r in coverage if r["local_start"] == "2026-11-23T06:00:00+01:00"}
    assert at_six["social"]["scheduled"] == 1  # S1's night, carried in


def test_the_published_roster_of_the_week_before_wins_over_the_stored_carry_in(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = _with_carry_in(service, supervisor)
    before = ok(
        c.post(
            "/weeks", json={"monday": "2026-11-16", "timezone": "Europe/Paris"}, headers=supervisor
        ),
        201,
    )
    draft = solve(c, before["id"], supervisor)  # everyone's Monday at 09:00 on their team clock
    assert _carried_in(service, solve(c, week["id"], supervisor)["id"]) == CARRIED  # a draft only
    ok(c.post(f"/versions/{draft['id']}/publish", headers=supervisor))
    carried = _carried_in(service, solve(c, week["id"], supervisor)["id"])
    assert [(adviser, start, end) for adviser, start, end, _ in carried] == [
        ("P1", "2026-11-16T08:00:00Z", "2026-11-16T12:00:00Z"),
        ("P2", "2026-11-16T08:00:00Z", "2026-11-16T12:00:00Z"),
        ("S1", "2026-11-15T22:00:00Z", "2026-11-16T02:00:00Z"),
    ]
    assert ok(c.get(f"/weeks/{week['id']}", headers=supervisor))["carry_in_rows"] == 4  # kept


BAD_LINES = [
    ("P9,phone,2026-11-22T12:00:00Z,2026-11-22T16:00:00Z", "unknown adviser 'P9'"),
    ("P1,lunch,2026-11-22T12:00:00Z,2026-11-22T16:00:00Z", "unknown activity 'lunch'"),
    (
        "P1,phone,2026-11-22T12:00:00,2026-11-22T16:00:00Z",
        "start '2026-11-22T12:00:00' has no UTC offset (write e.g. 2026-11-22T12:00:00+01:00)",
    ),
    ("P1,phone,2026-11-22T16:00:00Z,2026-11-22T12:00:00Z", "end is not after start"),
    (
        "P1,phone,2026-11-29T23:00:00Z,2026-11-30T03:00:00Z",
        "start 2026-11-29T23:00:00Z is not before the end of the week (2026-11-29T23:00:00Z)",
    ),
    (
        "P1,social,2026-11-22T15:45:00Z,2026-11-22T17:00:00Z",
        "P1's block overlaps the one on line 5",
    ),
    (
        "P1,phone,2026-11-22T12:00:00Z,9999-12-31T23:00:00-05:00",
        "end '9999-12-31T23:00:00-05:00' is out of range",
    ),
    (
        "P1,phone,2026-11-22T12:00:00Z,9999-12-31T23:00:00+05:00",
        "end 9999-12-31T23:00:00+05:00 is not between 1970 and 2200",
    ),
]


@pytest.mark.parametrize(("line", "problem"), BAD_LINES)
def test_a_bad_carry_in_line_is_a_422_naming_the_line(
    service: Service, supervisor: dict[str, str], line: str, problem: str
) -> None:
    c = service.client
    week = _with_carry_in(service, supervisor)
    r = c.put(
        f"/weeks/{week['id']}/carry-in",
        content=CARRY_IN_CSV + line + "\n",
        headers=_csv(supervisor),
    )
    assert r.status_code == 422
    assert r.json()["detail"] == f"carry_in.csv: line 6: {problem}"
    kept = ok(c.get(f"/weeks/{week['id']}", headers=supervisor))
    assert kept["carry_in_rows"] == 4  # nothing half-written


def test_carry_in_as_json_names_the_bad_row_and_field(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    night = {"adviser_id": "S1", "activity": "social", "start": "2026-11-22T21:00:00Z",
             "end": "2026-11-23T07:00:00Z"}  # fmt: skip
    r = c.put(
        f"/weeks/{week['id']}/carry-in",
        json=[night, {**night, "adviser_id": "S9"}],
        headers=supervisor,
    )
    assert r.status_code == 422
    assert r.json()["detail"] == "carry_in[1]: unknown adviser 'S9'"
    naive = {**night, "start": "2026-11-22T21:00:00"}
    r = c.put(f"/weeks/{week['id']}/carry-in", json=[night, naive], headers=supervisor)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", 1, "start"]
    assert ok(c.get(f"/weeks/{week['id']}", headers=supervisor))["carry_in_rows"] == 0


def test_a_channel_in_the_carry_in_is_not_deleted(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    ok(c.post("/channels", json={"name": "chat"}, headers=supervisor), 201)
    chat = "adviser_id,activity,start,end\nP1,chat,2026-11-22T12:00:00Z,2026-11-22T16:00:00Z\n"
    ok(c.put(f"/weeks/{week['id']}/carry-in", content=chat, headers=_csv(supervisor)))
    r = c.delete("/channels/chat", headers=supervisor)
    assert r.status_code == 409
    assert r.json()["detail"] == "channel 'chat' is still used by carry-in rows"
