"""The supervisor board in a real headless browser (Debian's chromium) against the live service.

Without chromium the tests are skipped, unless ROSTER_REQUIRE_BROWSER=1 (set by `.ci/run`),
which makes that a failure.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.cli_service import EXAMPLE, load_example
from api.settings import Settings
from tests.live_service import Live, live_service
from tests.service_data import load, ok, solve, wait_job

pytestmark = pytest.mark.slow  # each test starts a page and most solve a week (seconds)

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
CHROMIUM = shutil.which("chromium")
VIEWER_ZONE = "America/New_York"  # the browser's own zone: neither Paris nor Sydney
SOLVE_MS = 120_000  # a 1 s time limit; the solver's stages and a busy machine take longer
PLAN_SECONDS = 5  # a surge plan's time limit on the example week (it stops at 75% of it)
DASH, TIMES = "\N{EN DASH}", "\N{MULTIPLICATION SIGN}"  # as the board writes spans, factors
VOLCANO = Path(__file__).resolve().parents[1] / "examples" / "incidents" / "volcano.json"
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
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context per test, on the viewer's own zone."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, timezone_id=VIEWER_ZONE)
    yield context
    context.close()


def sign_in(context: Any, url: str, token: str) -> Any:
    """A new page on the board at `url`, signed in with `token`."""
    page = context.new_page()
    page.goto(f"{url}/board/")
    page.fill("#token", token)
    page.click("#login button")
    return page


@pytest.fixture
def open_board(context: Any, live: Live) -> Callable[[str], Any]:
    """Open a new page on the small week's board signed in with a token."""
    return lambda token: sign_in(context, live.url, token)


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
    assert page.locator("#actions, #coverage, #quality, #crisis").count() == 0


def test_an_unknown_token_is_refused_and_the_sign_in_stays(
    open_board: Callable[[str], Any], live: Live
) -> None:
    page = open_board("rst_not-a-token")
    expect(page.locator("#message.error")).to_contain_text("401")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#board")).to_be_hidden()


# ---- the crisis cell's panel, on the example week with the volcano incident ----


@dataclass
class Crisis:
    """The example week's service, its week and the volcano incident (plan 1 made already)."""

    live: Live
    week_id: int
    incident_id: int

    def client(self, role: str = "crisis", adviser_id: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.live.token(role, adviser_id)}"}
        return httpx.Client(base_url=self.live.url, headers=headers, timeout=60)


def plan_via_api(api: httpx.Client, incident_id: int) -> dict[str, Any]:
    body = {"time_limit_seconds": PLAN_SECONDS}
    asked = ok(api.post(f"/incidents/{incident_id}/plans", json=body), 202)
    done = wait_job(api, asked["job"]["id"], dict(api.headers), seconds=120)  # type: ignore[arg-type]
    assert done["state"] == "succeeded", done
    return ok(api.get(f"/incidents/{incident_id}/plans/{asked['number']}"))


@pytest.fixture(scope="module")
def crisis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crisis]:
    """examples/airline_week solved (10 s) and published, the volcano incident created and
    planned once through the API."""
    url = f"sqlite:///{tmp_path_factory.mktemp('crisis') / 'roster.db'}"
    week_id, _ = load_example(Settings(database_url=url), EXAMPLE, quiet=True, time_limit=10)
    with live_service(url) as service:
        with httpx.Client(base_url=service.url, timeout=60) as api:
            api.headers["Authorization"] = f"Bearer {service.token('crisis')}"
            volcano = json.loads(VOLCANO.read_text())
            incident = ok(api.post(f"/weeks/{week_id}/incidents", json=volcano), 201)
            plan_via_api(api, incident["id"])
        yield Crisis(service, week_id, incident["id"])


def plan_shown(page: Any, number: int) -> None:
    """Wait until plan `number` has ended well and its result is on the page."""
    job = page.locator("#surge-job")
    expect(job).to_contain_text(f"plan {number} ·", timeout=SOLVE_MS)
    expect(job).to_have_attribute("data-state", "succeeded", timeout=SOLVE_MS)


def test_the_crisis_cell_plans_records_a_decline_plans_again_and_publishes(
    context: Any, crisis: Crisis
) -> None:
    api = crisis.client()
    before = ok(api.get(f"/weeks/{crisis.week_id}"))
    page = sign_in(context, crisis.live.url, crisis.live.token("crisis"))
    shown_version(page, before["published_version_id"])
    row = page.locator(f"#incidents tr[data-incident='{crisis.incident_id}']")
    expect(row).to_contain_text("volcano")
    expect(row).to_contain_text(f"Fri 27 Nov 18:00 {DASH} Mon 30 Nov 18:00")  # Paris, the reference
    expect(row).to_contain_text(f"Social media {TIMES}5")
    expect(row).to_contain_text("Fri 27 Nov 14:00")  # earliest call-up: asked at 08:00, + 6 h
    page.select_option("#zone", "viewer")
    expect(row).to_contain_text(f"Fri 27 Nov 12:00 {DASH} Mon 30 Nov 12:00")  # New York
    plan_shown(page, 1)
    assert page.locator("#surge-violations").is_hidden()

    page.fill("#surge-time-limit", str(PLAN_SECONDS))
    page.click("#plan-surge")
    plan_shown(page, 2)
    second = ok(api.get(f"/incidents/{crisis.incident_id}/plans/2"))["result"]
    rows = page.locator("#invitations tr[data-adviser]")
    expect(rows).to_have_count(len(second["invitations"]))
    assert [r.get_attribute("data-adviser") for r in rows.all()] == [
        i["adviser_id"] for i in second["invitations"]
    ]
    changes = second["changes"]
    expect(page.locator("#surge-summary .changes")).to_contain_text(
        f"{changes['call_ups']} call-up"
    )
    expect(page.locator("#surge-summary")).to_contain_text("no rule broken")

    first = second["invitations"][0]
    assert first["role"] == "plan" and first["rank"] == 1
    called = page.locator(f"#invitations tr[data-adviser='{first['adviser_id']}']")
    called.locator("button[data-answer=declined]").click()
    expect(called.locator("td.answer")).to_have_text("declined")
    answers = ok(api.get(f"/incidents/{crisis.incident_id}/responses"))
    assert {a["adviser_id"]: a["answer"] for a in answers} == {first["adviser_id"]: "declined"}

    page.click("#plan-surge")
    plan_shown(page, 3)
    third = ok(api.get(f"/incidents/{crisis.incident_id}/plans/3"))
    assert first["adviser_id"] in third["declined"]
    assert first["adviser_id"] not in {c["adviser_id"] for c in third["result"]["call_ups"]}
    expect(page.locator(f"#invitations tr[data-adviser='{first['adviser_id']}']")).to_have_count(0)

    page.click("#publish-plan")
    expect(page.locator("#message")).to_contain_text("plan 3 published")
    after = ok(api.get(f"/weeks/{crisis.week_id}"))
    assert after["published_version_id"] == third["version_id"] != before["published_version_id"]
    assert after["revision"] == before["revision"] + 1
    shown_version(page, third["version_id"])
    expect(page.locator("#publish-plan")).to_be_disabled()

    # plan 2 was made on the roster published before: publishing it now would overwrite plan 3
    page.select_option("#surge-plan", "2")
    plan_shown(page, 2)
    page.click("#publish-plan")
    expect(page.locator("#message.error")).to_contain_text("409")
    expect(page.locator("#message.error")).to_contain_text("Plan the surge again")
    assert ok(api.get(f"/weeks/{crisis.week_id}"))["published_version_id"] == third["version_id"]


def test_a_supervisor_reads_the_crisis_panel_and_its_files_without_its_actions(
    context: Any, crisis: Crisis
) -> None:
    api = crisis.client("supervisor")
    latest = ok(api.get(f"/incidents/{crisis.incident_id}/plans/latest"))
    page = sign_in(context, crisis.live.url, crisis.live.token("supervisor"))
    expect(page.locator(f"#incidents tr[data-incident='{crisis.incident_id}']")).to_be_visible()
    plan_shown(page, latest["number"])
    rows = page.locator("#invitations tr[data-adviser]")
    expect(rows).to_have_count(len(latest["result"]["invitations"]))
    actions = "#plan-surge, #surge-time-limit, #publish-plan, #cancel-surge, #crisis [data-answer]"
    assert page.locator(actions).count() == 0
    # the volcano's managers on duty and the outsourcer's bookings, as the plan has them
    result = latest["result"]
    assert result["manager_duties"] and result["external"]
    expect(page.locator("#crisis table.duties tr[data-manager]")).to_have_count(
        len(result["manager_duties"])
    )
    expect(page.locator("#crisis table.external tbody tr")).to_have_count(len(result["external"]))
    expect(page.locator("#crisis p.managers")).to_contain_text("one on duty for every 10")

    with page.expect_download() as got:
        page.click("#invitations-csv")
    lines = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
    assert [r["adviser_id"] for r in lines] == [r.get_attribute("data-adviser") for r in rows.all()]

    page.select_option("#report-window", "H+6")
    expect(page.locator("#report-hours")).to_contain_text(f"Fri 27 Nov 18:00{DASH}00:00")
    with page.expect_download() as got:
        page.click("#report-csv")
    assert got.value.suggested_filename == f"incident-{crisis.incident_id}-report-H6.csv"
    report = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
    assert report and {r["channel"] for r in report} == {"social", "phone"}

    page.click("#show-plan")  # the plan's draft on the timeline, against its starting roster
    shown_version(page, latest["version_id"])
    expect(page.locator(".shift.changed").first).to_be_visible()


def test_an_adviser_does_not_see_the_crisis_panel(context: Any, crisis: Crisis) -> None:
    page = sign_in(context, crisis.live.url, crisis.live.token("adviser", "P001"))
    expect(page.locator("#board")).to_have_attribute("data-ready", "adviser")
    assert page.locator("#crisis").count() == 0
    assert "volcano" not in page.locator("body").inner_text()


def test_a_plan_that_breaks_a_rule_says_so_loudly_and_as_plain_text(
    context: Any, crisis: Crisis
) -> None:
    broken = "min_rest_between_shifts: P001 <b>rests 9 h</b>"  # markup must stay text

    def with_a_violation(route: Any) -> None:
        response = route.fetch()
        plan = response.json()
        plan["result"]["violations"] = [broken]
        route.fulfill(response=response, json=plan)

    context.route("**/incidents/*/plans/*", with_a_violation)
    page = sign_in(context, crisis.live.url, crisis.live.token("crisis"))
    box = page.locator("#surge-violations")
    expect(box).to_be_visible()
    expect(box).to_contain_text("1 rule violation")
    expect(box.locator("li")).to_have_text(broken)
    assert box.locator("b").count() == 0
    expect(page.locator("#surge-summary")).to_contain_text("1 rule broken")
