"""Roster versions: drafts, publication (one winner under a race), comparison, coverage."""

from __future__ import annotations

import csv
import io
import threading

from tests.conftest import Service
from tests.service_data import load, ok, solve


def test_publishing_a_draft_supersedes_the_version_published_before(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    first, second = solve(c, week["id"], supervisor), solve(c, week["id"], supervisor, 2)
    assert (first["number"], second["number"]) == (1, 2)
    ok(c.post(f"/versions/{first['id']}/publish", headers=supervisor))
    assert ok(c.get(f"/weeks/{week['id']}", headers=supervisor))["revision"] == 1
    ok(c.post(f"/versions/{second['id']}/publish", headers=supervisor))
    states = {
        v["number"]: v["state"]
        for v in ok(c.get(f"/weeks/{week['id']}/versions", headers=supervisor))
    }
    assert states == {1: "superseded", 2: "published"}
    shown = ok(c.get(f"/weeks/{week['id']}", headers=supervisor))
    assert (shown["revision"], shown["published_version_id"]) == (2, second["id"])


def test_a_published_version_is_not_published_again(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    version = solve(service.client, week["id"], supervisor)
    ok(service.client.post(f"/versions/{version['id']}/publish", headers=supervisor))
    r = service.client.post(f"/versions/{version['id']}/publish", headers=supervisor)
    assert r.status_code == 409
    assert "only a draft can be published" in r.json()["detail"]


def test_a_publication_from_a_stale_revision_is_a_409(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    mine, theirs = solve(c, week["id"], supervisor), solve(c, week["id"], supervisor, 2)
    ok(
        c.post(
            f"/versions/{theirs['id']}/publish", json={"expected_revision": 0}, headers=supervisor
        )
    )
    r = c.post(f"/versions/{mine['id']}/publish", json={"expected_revision": 0}, headers=supervisor)
    assert r.status_code == 409
    assert r.json()["field"] == "expected_revision"
    assert ok(c.get(f"/versions/{mine['id']}", headers=supervisor))["state"] == "draft"


def test_of_supervisors_publishing_at_once_one_wins_and_the_others_get_409(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    drafts = [solve(c, week["id"], supervisor, n) for n in (1, 2)]
    barrier = threading.Barrier(len(drafts))
    codes: list[int] = []

    def publish(version_id: int) -> None:
        barrier.wait()
        r = c.post(
            f"/versions/{version_id}/publish", json={"expected_revision": 0}, headers=supervisor
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=publish, args=(d["id"],)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    versions = ok(c.get(f"/weeks/{week['id']}/versions", headers=supervisor))
    assert [v["state"] for v in versions].count("published") == 1
    assert ok(c.get(f"/weeks/{week['id']}", headers=supervisor))["revision"] == 1


def test_comparing_two_versions_tells_which_shifts_changed_for_whom(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    first, second = solve(c, week["id"], supervisor, 1), solve(c, week["id"], supervisor, 2)
    diff = ok(c.get(f"/versions/{first['id']}/compare/{second['id']}", headers=supervisor))
    assert diff["advisers_changed"] == 3
    p1 = next(ch for ch in diff["changes"] if ch["adviser_id"] == "P1")
    assert [s["local_start"] for s in p1["removed"]] == ["2026-11-23T09:00:00+01:00"]
    assert [s["local_start"] for s in p1["added"]] == ["2026-11-23T10:00:00+01:00"]
    same = ok(c.get(f"/versions/{first['id']}/compare/{first['id']}", headers=supervisor))
    assert same["changes"] == []


def test_coverage_of_a_version_per_interval_and_channel_as_json_and_csv(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    version = solve(c, week["id"], supervisor)  # everyone 09:00-13:00 Paris on their first channel
    rows = ok(c.get(f"/versions/{version['id']}/coverage", headers=supervisor))
    at_nine = {r["channel"]: r for r in rows if r["interval_start"] == "2026-11-23T08:00:00Z"}
    assert at_nine["social"]["required"] == 1 and at_nine["social"]["scheduled"] == 2
    assert at_nine["phone"]["shortfall"] == 1
    text = c.get(f"/versions/{version['id']}/coverage?format=csv", headers=supervisor).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(rows)
    assert {"interval_start", "channel", "required", "scheduled", "shortfall"} <= set(table[0])


def test_quality_of_a_version_gives_hours_and_shares_per_adviser(
    service: Service, supervisor: dict[str, str]
) -> None:
    c = service.client
    week = load(c, supervisor)
    version = solve(c, week["id"], supervisor)
    data = ok(c.get(f"/versions/{version['id']}/quality", headers=supervisor))
    assert data["objective"] == 500.0 and data["lower_bound"] == 400.0
    p1 = next(a for a in data["advisers"] if a["id"] == "P1")
    assert p1["hours"] == 4 and p1["share"] == {"social": 100.0, "phone": 0.0}
    text = c.get(f"/versions/{version['id']}/quality?format=csv", headers=supervisor).text
    table = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert table["P1"]["hours"] == "4.0" and table["P1"]["share_social"] == "100.0"


def test_a_week_without_a_published_roster_has_no_roster_to_read(
    service: Service, supervisor: dict[str, str]
) -> None:
    week = load(service.client, supervisor)
    r = service.client.get(f"/weeks/{week['id']}/roster", headers=supervisor)
    assert r.status_code == 404
