"""The supervisor board in a real headless browser (Debian's chromium) against the live service.

Without chromium the tests are skipped, unless ROSTER_REQUIRE_BROWSER=1 (set by `.ci/run`),
which makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.live_service import Live, live_service
from tests.service_data import load, ok, solve

pytestmark = pytest.mark.slow  # each test starts a page and most solve a week (seconds)

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
CHROMIUM = shutil.which("chromium")
VIEWER_ZONE = "America/New_York"  # the browser's own zone: neither Paris nor Sydney
SOLVE_MS = 120_000  # a 1 s time limit; the solver's stages and a busy machine take longer
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("ROSTER_REQUIRE_BROWSER") == "1":
            pytest.fail("ROSTER_REQUIRE_BROWSER=1 but chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The service with P1, P2 (Paris) and S1 (Sydney) solved (1 s) and published."""
    database = tmp_path_factory.mktemp("board") / "roster.db"
    with live_service(f"sqlite:///{database}") as service:
        headers = {"Authorization": f"Bearer {service.token()}"}
        with httpx.Client(base_url=service.url, timeout=60) as client:
            week = load(client, headers)  # type: ignore[arg-type]
            version = solve(client, week["id"], headers)  # type: ignore[arg-type]
            ok(client.post(f"/versions/{version['id']}/publish", headers=headers))
        yield service


@pytest.fixture
def api(live: Live) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live.token()}"}
    with httpx.Client(base_url=live.url, headers=headers, timeout=60) as client:
        yield client


@pytest.fixture
def open_board(browser: Any, live: Live) -> Iterator[Callable[[str], Any]]:
    """Open a new page on the board signed in with a token; a fresh browser context per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id=VIEWER_ZONE)

    def open_(token: str) -> Any:
        page = context.new_page()
        page.goto(f"{live.url}/board/")
        page.fill("#token", token)
        page.click("#login button")
        return page

    yield open_
    context.close()


def the_week(api: httpx.Client) -> dict[str, Any]:
    return ok(api.get("/weeks")).get("items")[0]


def shown_version(page: Any, version_id: int) -> None:
    expect(page.locator("#board")).to_have_attribute("data-ready", f"version-{version_id}")


def local(instant: str, zone: str) -> str:
    """'Tue 24 Nov 08:00', as the board labels a shift's start on that zone's clock."""
    at = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{at:%a} {at.day} {at:%b %H:%M}"


def test_the_published_week_shows_one_row_per_adviser_and_each_of_its_shifts(
    open_board: Callable[[str], Any], live: Live, api: httpx.Client
) -> None:
    week = the_week(api)
    roster = ok(api.get(f"/weeks/{week['id']}/roster"))
    page = open_board(live.token())
    shown_version(page, week["published_version_id"])
    assert page.locator(".row[data-adviser]").count() == 3
    teams = [t.get_attribute("data-team") for t in page.locator(".team").all()]
    assert teams == ["paris", "sydney"]
    assert page.locator(".shift").count() == len(roster)
    assert page.locator(".row[data-team=sydney]").get_attribute("data-adviser") == "S1"
    expect(page.locator("#quality")).to_contain_text("gap")
    assert page.locator("figure.coverage").count() == 2  # social and phone


def test_the_zone_switch_reads_sydney_shifts_on_the_paris_sydney_or_viewer_clock(
    open_board: Callable[[str], Any], live: Live, api: httpx.Client
) -> None:
    week = the_week(api)
    sydney = [s for s in ok(api.get(f"/weeks/{week['id']}/roster")) if s["adviser_id"] == "S1"]
    start = min(s["start"] for s in sydney)
    page = open_board(live.token())
    shown_version(page, week["published_version_id"])
    shift = page.locator(f".row[data-adviser=S1] .shift[data-start='{start}']")

    def shows(zone: str) -> None:
        expect(shift).to_have_attribute("data-local", re.compile(f"^{local(start, zone)}"))

    shows("Europe/Paris")  # the reference zone, the default
    page.select_option("#zone", "adviser")
    shows("Australia/Sydney")
    page.select_option("#zone", "viewer")
    shows(VIEWER_ZONE)
    assert hours_between(start, "Europe/Paris", "Australia/Sydney") == 10  # November: +1 and +11


def hours_between(instant: str, zone: str, other: str) -> float:
    at = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    a, b = at.astimezone(ZoneInfo(zone)), at.astimezone(ZoneInfo(other))
    return (b.replace(tzinfo=None) - a.replace(tzinfo=None)).total_seconds() / 3600


def test_a_draft_solved_from_the_board_is_compared_and_published(
    open_board: Callable[[str], Any], live: Live, api: httpx.Client
) -> None:
    before = the_week(api)
    page = open_board(live.token())
    shown_version(page, before["published_version_id"])
    page.fill("#time-limit", "1")
    page.click("#solve")
    expect(page.locator("#job")).to_have_attribute("data-state", "succeeded", timeout=SOLVE_MS)
    expect(page.locator("#job")).to_contain_text("gap")
    draft = ok(api.get(f"/weeks/{before['id']}/versions"))[-1]
    assert draft["state"] == "draft"
    shown_version(page, draft["id"])
    page.click("#compare")
    expect(page.locator("#compare-summary")).to_contain_text("advisers changed")
    page.click("#publish")
    expect(page.locator("#message")).to_contain_text(f"version {draft['number']} published")
    after = the_week(api)
    assert after["published_version_id"] == draft["id"]
    assert after["revision"] == before["revision"] + 1
    expect(page.locator("#version option:checked")).to_contain_text("published")
    expect(page.locator("#publish")).to_be_disabled()


def test_a_publication_another_supervisor_made_first_is_shown_as_a_409(
    open_board: Callable[[str], Any], live: Live, api: httpx.Client
) -> None:
    week = the_week(api)
    mine = solve(api, week["id"], dict(api.headers))  # type: ignore[arg-type]
    theirs = solve(api, week["id"], dict(api.headers))  # type: ignore[arg-type]
    page = open_board(live.token())
    shown_version(page, week["published_version_id"])
    page.select_option("#version", str(mine["id"]))
    shown_version(page, mine["id"])
    ok(api.post(f"/versions/{theirs['id']}/publish"))  # after the page read the week's revision
    page.click("#publish")
    expect(page.locator("#message.error")).to_contain_text("409")
    assert ok(api.get(f"/versions/{mine['id']}"))["state"] == "draft"


def test_an_adviser_sees_their_own_row_and_no_one_else(
    open_board: Callable[[str], Any], live: Live
) -> None:
    page = open_board(live.token("adviser", "S1"))
    expect(page.locator("#board")).to_have_attribute("data-ready", "adviser")
    expect(page.locator(".row[data-adviser]")).to_have_count(1)
    assert page.locator(".row[data-adviser]").get_attribute("data-adviser") == "S1"
    assert page.locator(".shift").count() > 0
    for other in ("P1", "P2", "Camille", "Hugo"):
        assert other not in page.locator("#board").inner_text()
    assert page.locator("#actions, #coverage, #quality").count() == 0


def test_an_unknown_token_is_refused_and_the_sign_in_stays(
    open_board: Callable[[str], Any], live: Live
) -> None:
    page = open_board("rst_not-a-token")
    expect(page.locator("#message.error")).to_contain_text("401")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#board")).to_be_hidden()
