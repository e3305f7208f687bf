"""The crisis cell's feed of an incident: the surge duties of its published plan, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.crisis_feed import crisis_feed, in_roster, published_duties, surge_duties
from api.ical import FeedState
from roster.solution import BREAK, Activity, Shift
from tests import fake_surge_crowd
from tests.conftest import Service
from tests.feed_helpers import icalendar_events, icaljs_read, spans_read
from tests.service_data import load, ok, solve, wait_job

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # the Friday before the test week
VOLCANO = {
    "name": "volcano",
    "requested_at": "2026-11-23T01:00:00+01:00",
    "start": "2026-11-23T08:00:00+01:00",
    "end": "2026-11-25T20:00:00+01:00",
    "factors": {"social": 3},
}
TITLES = {"social": "Social media", "phone": "Phone"}


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Feeds are built and read at NOW unless a test moves the clock."""
    instant = [NOW]
    monkeypatch.setattr("api.feeds.utc_now", lambda: instant[0])
    return lambda to: instant.__setitem__(0, to)


@pytest.fixture
def crowd(start_service: Callable[..., Service]) -> Service:
    """The service with a surge plan that calls up every volunteer offered."""
    return start_service(fake_surge_crowd.plan)


@pytest.fixture
def crisis(crowd: Service) -> dict[str, str]:
    return crowd.token("crisis")


@pytest.fixture
def supervisor(crowd: Service) -> dict[str, str]:
    return crowd.token("supervisor")


def incident_of_published_week(client: TestClient, supervisor: dict[str, str], crisis: Any) -> int:
    """The test week (volunteers P2 and S1) solved and published, and an incident of it; its id."""
    week = load(client, supervisor)
    ok(client.patch("/advisers/P2", json={"volunteer": True}, headers=supervisor))
    version = solve(client, week["id"], supervisor)
    ok(client.post(f"/versions/{version['id']}/publish", headers=supervisor))
    return int(
        ok(client.post(f"/weeks/{week['id']}/incidents", json=VOLCANO, headers=crisis), 201)["id"]
    )


def plan(client: TestClient, incident_id: int, crisis: dict[str, str]) -> dict[str, Any]:
    """A plan of the incident, its job ended; the plan as read back."""
    asked = ok(client.post(f"/incidents/{incident_id}/plans", headers=crisis), 202)
    assert wait_job(client, asked["job"]["id"], crisis, seconds=60)["state"] == "succeeded"
    return ok(client.get(f"/incidents/{incident_id}/plans/{asked['number']}", headers=crisis))


def publish(
    client: TestClient, incident_id: int, number: int, crisis: dict[str, str], **body: Any
) -> None:
    url = f"/incidents/{incident_id}/plans/{number}/publish"
    ok(client.post(url, json=body or None, headers=crisis))


def address(client: TestClient, incident_id: int, crisis: dict[str, str]) -> str:
    return str(ok(client.post(f"/incidents/{incident_id}/feed", headers=crisis), 201)["url"])


def events(body: bytes) -> dict[str, tuple[int, str]]:
    """UID -> (SEQUENCE, STATUS)."""
    return {str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"])) for e in icalendar_events(body)}


def spans(call_ups: list[dict[str, Any]]) -> list[tuple[datetime, datetime]]:
    return sorted((_instant(c["start"]), _instant(c["end"])) for c in call_ups)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------- what is served


def test_the_feed_shows_the_call_ups_of_the_published_plan_at_their_instants(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    url = address(client, incident, crisis)
    done = plan(client, incident, crisis)
    assert events(client.get(url).content) == {}  # a plan not published is not shown
    publish(client, incident, done["number"], crisis)
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    call_ups = done["result"]["call_ups"]
    assert [c["adviser_id"] for c in call_ups] == ["P2", "S1"]
    read = icalendar_events(r.content)
    assert sorted((e.start, e.end) for e in read) == spans(call_ups)
    assert {str(e["DTSTART"].params["TZID"]) for e in read} == {"Europe/Paris"}
    (feed,) = icaljs_read(r.content)
    assert spans_read(feed) == spans(call_ups)
    assert {e["start_zone"] for e in feed["events"]} == {"Europe/Paris"}  # Sydney's Léa too
    assert feed["properties"]["x-wr-timezone"] == "Europe/Paris"
    hugo = next(
        e for e in feed["events"] if e["uid"] == f"surge-{incident}-call_up-20261124-P2@roster"
    )
    assert hugo["summary"] == "Surge: Hugo — Social media"
    assert hugo["description"].split("\n") == [
        "Hugo, adviser P2, team paris",
        "Call-up: a new shift",
        "Social media 10:00-14:00",
        "Useful hours: 4 of 4",
        "Times in Europe/Paris",
    ]
    # Léa's Tuesday 10:00 in Sydney is Tuesday 00:00 in Paris: dated on the reference clock
    assert f"surge-{incident}-call_up-20261124-S1@roster" in events(r.content)


def test_before_any_plan_is_published_the_feed_is_a_valid_empty_calendar(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    body = client.get(address(client, incident, crisis)).content
    assert events(body) == {}
    (feed,) = icaljs_read(body)
    assert (feed["events"], feed["timezones"]) == ([], ["Europe/Paris"])
    assert feed["properties"]["x-wr-calname"] == "Surge - volcano"


# ---------------------------------------------------------------------------- re-planning


def test_a_replan_without_a_declined_volunteer_cancels_their_call_up_and_keeps_the_others(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    url = address(client, incident, crisis)
    first_plan = plan(client, incident, crisis)
    declined = {"answer": "declined"}
    ok(client.put(f"/incidents/{incident}/responses/P2", json=declined, headers=crisis))
    again = plan(client, incident, crisis)  # on the same roster, without Hugo
    assert [c["adviser_id"] for c in again["result"]["call_ups"]] == ["S1"]
    publish(client, incident, first_plan["number"], crisis)
    first = client.get(url).content
    hugo = f"surge-{incident}-call_up-20261124-P2@roster"
    lea = f"surge-{incident}-call_up-20261124-S1@roster"
    assert events(first) == {hugo: (0, "CONFIRMED"), lea: (0, "CONFIRMED")}
    week = ok(client.get(f"/weeks/{again['job']['week_id']}", headers=crisis))
    publish(client, incident, again["number"], crisis, expected_revision=week["revision"])
    second = client.get(url).content
    assert events(second) == {hugo: (1, "CANCELLED"), lea: (0, "CONFIRMED")}
    (feed,) = icaljs_read(second)
    cancelled = next(e for e in feed["events"] if e["uid"] == hugo)
    assert (cancelled["status"], cancelled["summary"]) == (
        "CANCELLED",
        "Cancelled: Surge: Hugo — Social media",
    )
    kept = [e.to_ical() for e in icalendar_events(second) if str(e["UID"]) == lea]
    assert kept == [e.to_ical() for e in icalendar_events(first) if str(e["UID"]) == lea]


def test_a_replan_on_the_published_plan_keeps_the_call_ups_its_roster_still_works(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    """The second plan's call-ups are only what it changes in the first's roster, which keeps
    Hugo's shift (he is no longer offered, so nothing of his is touched): the feed, like his
    own, still shows it."""
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    url = address(client, incident, crisis)
    publish(client, incident, plan(client, incident, crisis)["number"], crisis)
    before = client.get(url).content
    declined = {"answer": "declined"}
    ok(client.put(f"/incidents/{incident}/responses/P2", json=declined, headers=crisis))
    publish(client, incident, plan(client, incident, crisis)["number"], crisis)
    assert client.get(url).content == before


def test_a_roster_published_over_the_plan_cancels_its_call_ups(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    url = address(client, incident, crisis)
    publish(client, incident, plan(client, incident, crisis)["number"], crisis)
    week_id = ok(client.get(f"/incidents/{incident}", headers=crisis))["week_id"]
    version = solve(client, week_id, supervisor)  # a week's solve: no surge in it
    ok(client.post(f"/versions/{version['id']}/publish", headers=supervisor))
    assert {status for _, status in events(client.get(url).content).values()} == {"CANCELLED"}


def test_another_incidents_plan_published_over_the_plan_keeps_the_call_ups_it_still_works(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    first = incident_of_published_week(client, supervisor, crisis)
    url = address(client, first, crisis)
    publish(client, first, plan(client, first, crisis)["number"], crisis)
    before = client.get(url).content
    week_id = ok(client.get(f"/incidents/{first}", headers=crisis))["week_id"]
    snow = {**VOLCANO, "name": "snow"}
    second = ok(client.post(f"/weeks/{week_id}/incidents", json=snow, headers=crisis), 201)["id"]
    publish(client, second, plan(client, second, crisis)["number"], crisis)  # on the first's
    assert client.get(url).content == before


def test_a_feed_made_after_the_publication_shows_the_plan_at_once(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    publish(client, incident, plan(client, incident, crisis)["number"], crisis)
    assert len(events(client.get(address(client, incident, crisis)).content)) == 2


# ------------------------------------------------------------------ polling and addresses


def test_a_matching_if_none_match_is_a_304_until_a_plan_is_published(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    url = address(client, incident, crisis)
    etag = client.get(url).headers["etag"]
    r = client.get(url, headers={"If-None-Match": etag})
    assert (r.status_code, r.content) == (304, b"")
    publish(client, incident, plan(client, incident, crisis)["number"], crisis)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_rotated_or_revoked_address_and_an_unknown_secret_are_404s(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    old = address(client, incident, crisis)
    new = address(client, incident, crisis)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.delete(f"/incidents/{incident}/feed", headers=crisis).status_code == 204
    assert client.get(new).status_code == 404
    assert client.delete(f"/incidents/{incident}/feed", headers=crisis).status_code == 404
    unknown = client.get("/feeds/" + "A" * 32 + ".ics")
    assert (unknown.status_code, unknown.content) == (404, b'{"detail":"not found"}')


def test_only_the_crisis_cell_makes_or_revokes_the_address(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    incident = incident_of_published_week(client, supervisor, crisis)
    adviser = crowd.token("adviser", "P2")
    for headers in (supervisor, adviser):
        assert client.post(f"/incidents/{incident}/feed", headers=headers).status_code == 403
        assert client.delete(f"/incidents/{incident}/feed", headers=headers).status_code == 403
    assert client.post(f"/incidents/{incident}/feed").status_code == 401
    assert client.post("/incidents/999/feed", headers=crisis).status_code == 404


def test_deleting_the_week_deletes_its_incidents_feeds(
    crowd: Service, supervisor: dict[str, str], crisis: dict[str, str]
) -> None:
    client = crowd.client
    week = load(client, supervisor)
    incident = ok(client.post(f"/weeks/{week['id']}/incidents", json=VOLCANO, headers=crisis), 201)
    url = address(client, incident["id"], crisis)
    ok(client.delete(f"/weeks/{week['id']}", headers=supervisor), 204)
    assert client.get(url).status_code == 404


# ---------------------------------------------------------- the duties and the feed, pure

TUESDAY = datetime(2026, 11, 24, 9, tzinfo=UTC)  # 10:00 in Paris


def call_up(
    adviser: str = "P2", kind: str = "new", hours: int = 4, **fields: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "adviser_id": adviser,
        "name": {"P2": "Hugo", "P1": "Camille"}.get(adviser, adviser),
        "team": "paris",
        "start": TUESDAY.isoformat(),
        "end": (TUESDAY + timedelta(hours=hours)).isoformat(),
        "channels": ["social"],
        "hours": float(hours),
        "useful_hours": 2.5,
        **fields,
    }


def feed(result: dict[str, Any], state: FeedState | None = None, now: datetime = NOW) -> Any:
    return crisis_feed(
        surge_duties(result),
        state,
        now=now,
        incident_id=3,
        incident_name="volcano",
        timezone="Europe/Paris",
        titles=TITLES,
    )


def test_a_later_plans_call_up_replaces_the_earlier_one_it_overlaps() -> None:
    first = {
        "call_ups": [call_up("P2"), call_up("P1")],
        "external": [
            {"pool": "Acme", "start": "2026-11-24T18:00:00Z", "end": "2026-11-24T22:00:00Z"}
        ],
    }
    later = (TUESDAY + timedelta(hours=4)).isoformat()
    second = {
        "call_ups": [
            call_up("P2", hours=6),
            call_up("P1", "extend", start=later, end=(TUESDAY + timedelta(hours=6)).isoformat()),
        ]
    }  # P1's shift made longer
    duties = published_duties([first, second])
    assert [(d.who, d.kind, d.end - d.start) for d in duties] == [
        ("P1", "new", timedelta(hours=4)),
        ("P2", "new", timedelta(hours=6)),
        ("P1", "extend", timedelta(hours=2)),
    ]  # and Acme's booking is not the second plan's


def test_call_ups_that_add_work_are_duties_and_moves_are_not() -> None:
    result = {"call_ups": [call_up("P2"), call_up("P1", "extend"), call_up("S1", "move")]}
    assert [(d.who, d.kind) for d in surge_duties(result)] == [("P1", "extend"), ("P2", "new")]


def test_manager_duties_and_external_bookings_are_duties_when_the_plan_has_them() -> None:
    result = {
        "call_ups": [call_up()],
        "manager_duties": [
            {"manager_id": "M1", "name": "Inès", "start": "2026-11-24T12:00:00Z",
             "end": "2026-11-24T16:00:00Z", "channels": ["phone"]},
        ],
        "external": [
            {"pool": "Acme", "channel": "phone", "advisers": 3, "start": "2026-11-24T18:00:00Z",
             "end": "2026-11-24T22:00:00Z", "blocks": [{"channel": "phone",
             "start": "2026-11-24T18:00:00Z", "end": "2026-11-24T22:00:00Z"}]},
            {"pool": "Nowhen"},  # unreadable: left out rather than failing the publication
            {"pool": "Back", "start": "2026-11-24T22:00:00Z", "end": "2026-11-24T18:00:00Z"},
            "garbage",
        ],
    }  # fmt: skip
    duties = surge_duties(result)
    assert [(d.source, d.who, d.name) for d in duties] == [
        ("call_up", "P2", "Hugo"),
        ("manager", "M1", "Inès (manager)"),
        ("external", "Acme", "Acme, 3 advisers (external)"),
    ]
    events_ = {str(e["UID"]): e for e in icalendar_events(feed(result).body)}
    assert sorted(events_) == [
        "surge-3-call_up-20261124-P2@roster",
        "surge-3-external-20261124-Acme@roster",
        "surge-3-manager-20261124-M1@roster",
    ]
    assert str(events_["surge-3-external-20261124-Acme@roster"]["SUMMARY"]) == (
        "Surge: Acme, 3 advisers (external) — Phone"
    )
    assert "Phone 19:00-23:00" in str(
        events_["surge-3-external-20261124-Acme@roster"]["DESCRIPTION"]
    )
    assert surge_duties({}) == surge_duties({"call_ups": None}) == []


@pytest.mark.parametrize(
    "change",
    [{"end": (TUESDAY + timedelta(hours=5)).isoformat()}, {"channels": ["social", "phone"]}],
    ids=["longer", "another-channel"],
)
def test_a_call_up_whose_times_or_channels_change_keeps_its_uid_with_a_higher_sequence(
    change: dict[str, Any],
) -> None:
    first = feed({"call_ups": [call_up("P2"), call_up("P1")]})
    second = feed(
        {"call_ups": [call_up("P2", **change), call_up("P1")]},
        first.state,
        NOW + timedelta(hours=1),
    )
    assert events(second.body) == {
        "surge-3-call_up-20261124-P2@roster": (1, "CONFIRMED"),
        "surge-3-call_up-20261124-P1@roster": (0, "CONFIRMED"),
    }
    same = feed(
        {"call_ups": [call_up("P2", **change), call_up("P1")]},
        second.state,
        NOW + timedelta(hours=2),
    )
    assert same.body == second.body  # nothing changed: the same bytes, the same ETag


def test_the_blocks_of_the_plans_roster_show_cut_to_the_call_up() -> None:
    day = TUESDAY - timedelta(hours=2)  # 08:00 Paris: the shift began before the part added
    shift = Shift(
        "P2",
        day,
        TUESDAY + timedelta(hours=2),
        (
            Activity("phone", day, TUESDAY + timedelta(hours=1)),
            Activity(BREAK, TUESDAY + timedelta(hours=1), TUESDAY + timedelta(hours=1.5)),
            Activity("social", TUESDAY + timedelta(hours=1.5), TUESDAY + timedelta(hours=2)),
        ),
    )
    duties = in_roster(surge_duties({"call_ups": [call_up(kind="extend", hours=2)]}), [shift])
    body = crisis_feed(
        duties, now=NOW, incident_id=3, incident_name="v", timezone="Europe/Paris", titles=TITLES
    ).body
    (event,) = icalendar_events(body)
    assert str(event["DESCRIPTION"]).split("\n")[1:4] == [
        "Call-up: a longer shift (the part added)",
        "Phone 10:00-11:00",
        "Break 11:00-11:30",
    ]
