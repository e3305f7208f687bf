"""Calendar feeds over HTTP: private addresses, built at publication, polite to polling apps."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from api.models import FeedRow
from tests import fake_solve
from tests.conftest import Service
from tests.feed_helpers import icalendar_events, icalendar_spans, icaljs_read, spans_read
from tests.service_data import load, ok, solve

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # the Friday before the test week


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Feeds are built and read at NOW unless a test moves the clock."""
    instant = [NOW]
    monkeypatch.setattr("api.feeds.utc_now", lambda: instant[0])
    return lambda to: instant.__setitem__(0, to)


def published_week(service: Service, headers: dict[str, str], time_limit: float = 1) -> int:
    """The test week loaded, solved and published; its id."""
    week = load(service.client, headers)
    version = solve(service.client, week["id"], headers, time_limit)
    ok(service.client.post(f"/versions/{version['id']}/publish", headers=headers))
    return int(week["id"])


def publish_again(service: Service, week_id: int, headers: dict[str, str], limit: float) -> None:
    version = solve(service.client, week_id, headers, limit)
    ok(service.client.post(f"/versions/{version['id']}/publish", headers=headers))


def address(service: Service, headers: dict[str, str], adviser: str = "P1") -> str:
    """A new private address of the adviser's feed."""
    return str(ok(service.client.post(f"/advisers/{adviser}/feed", headers=headers), 201)["url"])


def roster_spans(service: Service, headers: dict[str, str], adviser: str) -> list[Any]:
    shifts = ok(service.client.get(f"/advisers/{adviser}/shifts", headers=headers))
    return sorted((_instant(s["start"]), _instant(s["end"])) for s in shifts)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def events(body: bytes) -> dict[str, tuple[int, str]]:
    """UID -> (SEQUENCE, STATUS)."""
    return {str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"])) for e in icalendar_events(body)}


# --------------------------------------------------------------------------- what is served


def test_a_feed_shows_the_published_shifts_at_the_instants_of_the_roster(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    for adviser in ("P1", "S1"):  # Paris and Sydney clocks
        r = service.client.get(address(service, supervisor, adviser))
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/calendar; charset=utf-8"
        assert r.headers["cache-control"] == "private, max-age=900"
        assert r.headers["etag"] == '"' + hashlib.sha256(r.content).hexdigest() + '"'
        assert r.headers["last-modified"] == "Fri, 20 Nov 2026 12:00:00 GMT"
        assert icalendar_spans(r.content) == roster_spans(service, supervisor, adviser)


def test_ical_js_reads_the_served_feeds_at_the_instants_of_the_roster(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    bodies = [service.client.get(address(service, supervisor, a)).content for a in ("P1", "S1")]
    paris, sydney = icaljs_read(*bodies)
    assert spans_read(paris) == roster_spans(service, supervisor, "P1")
    assert spans_read(sydney) == roster_spans(service, supervisor, "S1")
    assert {e["start_zone"] for e in sydney["events"]} == {"Australia/Sydney"}


def test_a_team_feed_holds_every_adviser_of_the_team(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    url = ok(service.client.post("/teams/paris/feed", headers=supervisor), 201)["url"]
    body = service.client.get(url).content
    summaries = sorted(str(e["SUMMARY"]).split(":")[0] for e in icalendar_events(body))
    assert summaries == ["Camille", "Hugo"]
    spans = roster_spans(service, supervisor, "P1") + roster_spans(service, supervisor, "P2")
    assert icalendar_spans(body) == sorted(spans)


def test_a_feed_made_before_any_publication_fills_at_the_next_one(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    url = address(service, supervisor)
    assert events(service.client.get(url).content) == {}
    version = solve(service.client, week["id"], supervisor)
    assert events(service.client.get(url).content) == {}  # a draft is not shown
    ok(service.client.post(f"/versions/{version['id']}/publish", headers=supervisor))
    assert events(service.client.get(url).content) == {"shift-20261123-P1@roster": (0, "CONFIRMED")}


def test_head_gives_the_headers_without_the_body(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    full, head = service.client.get(url), service.client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == full.headers["etag"]
    assert head.headers["content-length"] == str(len(full.content))


# ------------------------------------------------------------------------ polling politely


def test_a_matching_if_none_match_is_a_304_without_a_body(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    etag = service.client.get(url).headers["etag"]
    r = service.client.get(url, headers={"If-None-Match": etag})
    assert (r.status_code, r.content, r.headers["etag"]) == (304, b"", etag)
    assert service.client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    ("since", "status"),
    [(NOW, 304), (NOW + timedelta(hours=1), 304), (NOW - timedelta(seconds=1), 200)],
)
def test_if_modified_since_not_older_than_last_modified_is_a_304(
    service: Service, supervisor: dict[str, str], since: datetime, status: int
) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    r = service.client.get(url, headers={"If-Modified-Since": format_datetime(since, usegmt=True)})
    assert r.status_code == status


def test_if_none_match_decides_over_if_modified_since(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    headers = {"If-None-Match": '"other"', "If-Modified-Since": format_datetime(NOW, usegmt=True)}
    assert service.client.get(url, headers=headers).status_code == 200


def test_a_feed_read_a_day_after_its_build_is_built_again(
    service: Service, supervisor: dict[str, str], clock: Callable[[datetime], None]
) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    first = service.client.get(url)
    clock(NOW + timedelta(days=1))
    again = service.client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304  # rebuilt, and nothing changed: the same bytes
    with Session(service.app.state.engine) as session:
        (row,) = session.exec(select(FeedRow)).all()
    assert row.built_at == NOW + timedelta(days=1)
    assert row.builds == 2


# ---------------------------------------------------------------------------- republishing


def test_republishing_keeps_uids_and_raises_sequence_only_for_what_changed(
    start_service: Callable[..., Service],
) -> None:
    service = start_service(fake_solve.republished)
    supervisor = service.token("supervisor")
    week_id = published_week(service, supervisor, 1)
    urls = {a: address(service, supervisor, a) for a in ("P1", "P2", "S1")}
    before = {a: service.client.get(u) for a, u in urls.items()}
    publish_again(service, week_id, supervisor, 2)
    after = {a: service.client.get(u).content for a, u in urls.items()}
    assert events(before["P1"].content) == {"shift-20261123-P1@roster": (0, "CONFIRMED")}
    assert events(after["P1"]) == {"shift-20261123-P1@roster": (1, "CONFIRMED")}  # moved
    assert events(after["P2"]) == {"shift-20261123-P2@roster": (1, "CANCELLED")}  # removed
    assert after["S1"] == before["S1"].content  # untouched: same bytes, same ETag
    etag = before["S1"].headers["etag"]
    assert service.client.get(urls["S1"], headers={"If-None-Match": etag}).status_code == 304


def test_publishing_one_week_keeps_the_events_of_the_others(
    service: Service, supervisor: dict[str, str]
) -> None:
    first = published_week(service, supervisor)
    url = address(service, supervisor)
    second = ok(
        service.client.post(
            "/weeks", json={"monday": "2026-11-30", "timezone": "Europe/Paris"}, headers=supervisor
        ),
        201,
    )
    demand = "interval_start,channel,required\n2026-11-30T09:00:00+01:00,social,1\n"
    csv = {**supervisor, "Content-Type": "text/csv"}
    ok(service.client.put(f"/weeks/{second['id']}/demand", content=demand, headers=csv))
    publish_again(service, second["id"], supervisor, 1)
    publish_again(service, first, supervisor, 2)  # the first week's Monday moved to 10:00
    assert events(service.client.get(url).content) == {
        "shift-20261123-P1@roster": (1, "CONFIRMED"),
        "shift-20261130-P1@roster": (0, "CONFIRMED"),
    }
    assert icalendar_spans(service.client.get(url).content) == roster_spans(
        service, supervisor, "P1"
    )


def test_a_publication_refused_leaves_the_feeds_as_they_were(
    service: Service, supervisor: dict[str, str]
) -> None:
    week_id = published_week(service, supervisor)
    url = address(service, supervisor)
    body = service.client.get(url).content
    version = solve(service.client, week_id, supervisor, 2)
    stale = {"expected_revision": 0}
    r = service.client.post(f"/versions/{version['id']}/publish", json=stale, headers=supervisor)
    assert r.status_code == 409
    assert service.client.get(url).content == body


# ------------------------------------------------------------------------ the secret address


def test_rotating_the_address_kills_the_old_one_at_once(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    old = address(service, supervisor)
    new = address(service, supervisor)
    assert new != old
    assert service.client.get(old).status_code == 404
    assert service.client.get(new).status_code == 200


def test_a_revoked_address_is_a_404(service: Service, supervisor: dict[str, str]) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    assert service.client.delete("/advisers/P1/feed", headers=supervisor).status_code == 204
    assert service.client.get(url).status_code == 404
    assert service.client.delete("/advisers/P1/feed", headers=supervisor).status_code == 404


def test_an_unknown_secret_is_a_404_that_tells_nothing_a_revoked_one_does_not(
    service: Service, supervisor: dict[str, str]
) -> None:
    published_week(service, supervisor)
    revoked = address(service, supervisor)
    ok(service.client.delete("/advisers/P1/feed", headers=supervisor), 204)
    unknown = service.client.get("/feeds/" + "A" * 32 + ".ics")
    gone = service.client.get(revoked)
    assert unknown.status_code == gone.status_code == 404
    assert unknown.content == gone.content == b'{"detail":"not found"}'


def test_the_address_is_shown_with_its_webcal_twin(
    service: Service, supervisor: dict[str, str]
) -> None:
    load(service.client, supervisor)
    made = ok(service.client.post("/advisers/P1/feed", headers=supervisor), 201)
    secret = made["url"].removeprefix("http://testserver/feeds/").removesuffix(".ics")
    assert len(secret) >= 32  # 192 bits in URL-safe base64
    assert made["webcal"] == f"webcal://testserver/feeds/{secret}.ics"


def test_the_secret_is_not_stored_in_clear(service: Service, supervisor: dict[str, str]) -> None:
    published_week(service, supervisor)
    url = address(service, supervisor)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    with Session(service.app.state.engine) as session:
        (row,) = session.exec(select(FeedRow)).all()
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    columns = [str(v) for k, v in row.model_dump().items() if k != "body"] + [row.body.decode()]
    assert not any(secret in text for text in columns)


def test_a_team_without_advisers_has_an_empty_feed(
    service: Service, supervisor: dict[str, str]
) -> None:
    load(service.client, supervisor)
    team = {"name": "lyon", "timezone": "Europe/Paris"}
    ok(service.client.post("/teams", json=team, headers=supervisor), 201)
    url = ok(service.client.post("/teams/lyon/feed", headers=supervisor), 201)["url"]
    assert events(service.client.get(url).content) == {}


# --------------------------------------------------------------------------------- who may


def test_an_adviser_manages_their_own_feed_and_no_other(service: Service) -> None:
    supervisor = service.token("supervisor")
    published_week(service, supervisor)
    camille = service.token("adviser", "P1")
    assert service.client.post("/advisers/P1/feed", headers=camille).status_code == 201
    assert service.client.post("/advisers/P2/feed", headers=camille).status_code == 404
    assert service.client.delete("/advisers/P2/feed", headers=camille).status_code == 404
    assert service.client.post("/teams/paris/feed", headers=camille).status_code == 403
    assert service.client.delete("/advisers/P1/feed", headers=camille).status_code == 204


def test_the_crisis_cell_makes_no_feed_address(service: Service) -> None:
    supervisor = service.token("supervisor")
    load(service.client, supervisor)
    crisis = service.token("crisis")
    assert service.client.post("/advisers/P1/feed", headers=crisis).status_code == 403


def test_a_feed_of_an_unknown_adviser_or_team_is_a_404(
    service: Service, supervisor: dict[str, str]
) -> None:
    load(service.client, supervisor)
    assert service.client.post("/advisers/NOPE/feed", headers=supervisor).status_code == 404
    assert service.client.post("/teams/nope/feed", headers=supervisor).status_code == 404


def test_deleting_an_adviser_deletes_their_feed(
    service: Service, supervisor: dict[str, str]
) -> None:
    load(service.client, supervisor)
    url = address(service, supervisor, "P2")
    ok(service.client.delete("/advisers/P2", headers=supervisor), 204)
    assert service.client.get(url).status_code == 404
