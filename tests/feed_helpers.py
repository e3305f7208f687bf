"""Helpers of the feed tests: a scenario, and two readers of feeds: icalendar, and Mozilla's
ical.js (Thunderbird's parser) run with Node.

The tests skip what needs it when `node` or `tests/js/node_modules` is missing (set up with
`npm ci --prefix tests/js`), unless ROSTER_REQUIRE_ICALJS=1, as in CI, turns the skip into a
failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar, Event

from roster.io import parse_scenario
from roster.model import Scenario
from roster.solution import Activity, Shift
from tests.factories import SPRING_MONDAY, adviser, scenario_dict

JS = Path(__file__).resolve().parent / "js"
REQUIRE = "ROSTER_REQUIRE_ICALJS"


def airline(**overrides: Any) -> Scenario:
    """Camille and Hugo in Paris, Lea in Sydney; social (labelled 'Social media'), phone, chat."""
    data = scenario_dict(
        monday=SPRING_MONDAY,
        advisers=[
            adviser("P1", name="Camille", channels=("social", "phone", "chat")),
            adviser("P2", name="Hugo"),
            adviser("S1", team="sydney", channels=("social",), name="Lea"),
        ],
        **overrides,
    )
    data["channels"].append({"name": "chat"})  # no label: shown capitalised
    return parse_scenario(data)


def moved(shift: Shift, minutes: int) -> Shift:
    """The same shift, blocks and all, `minutes` later."""
    step = timedelta(minutes=minutes)
    blocks = tuple(Activity(a.kind, a.start + step, a.end + step) for a in shift.activities)
    return Shift(shift.adviser_id, shift.start + step, shift.end + step, blocks)


def unavailable() -> str | None:
    """Why ical.js cannot run here, or None."""
    if shutil.which("node") is None:
        return "ical.js tests need Node.js: `node` is not on the PATH"
    if not (JS / "node_modules" / "ical.js").is_dir():
        return "ical.js tests need `npm ci --prefix tests/js` (tests/js/node_modules is missing)"
    return None


def require() -> None:
    """Skip the calling test if ical.js cannot run, or fail it if CI requires ical.js."""
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but {reason}")
    pytest.skip(reason)


def icalendar_events(body: bytes) -> list[Event]:
    """The VEVENTs of a feed as icalendar reads them."""
    return list(Calendar.from_ical(body).walk("VEVENT"))


def icalendar_spans(body: bytes) -> list[tuple[datetime, datetime]]:
    """(start, end) of each event as icalendar reads them, aware, sorted."""
    return sorted((e.start, e.end) for e in icalendar_events(body))


def icaljs_read(*bodies: bytes) -> list[dict[str, Any]]:
    """What ical.js reads in each .ics body: `properties`, `timezones` and `events` (with
    `start` and `end` as UTC instants ending in Z), in the order given."""
    require()
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for n, body in enumerate(bodies):
            path = Path(folder) / f"feed{n}.ics"
            path.write_bytes(body)
            files.append(str(path))
        run = subprocess.run(
            ["node", str(JS / "parse.mjs"), *files],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if run.returncode != 0:
        raise AssertionError(f"ical.js could not read the feed: {run.stderr.strip()}")
    return json.loads(run.stdout)


def icaljs_spans(body: bytes) -> list[tuple[datetime, datetime]]:
    """(start, end) of each event as ical.js reads them, aware, in UTC, sorted."""
    (feed,) = icaljs_read(body)
    return spans_read(feed)


def spans_read(feed: dict[str, Any]) -> list[tuple[datetime, datetime]]:
    """(start, end) of each event of a feed that `icaljs_read` gave, aware, in UTC, sorted."""
    return sorted((_instant(e["start"]), _instant(e["end"])) for e in feed["events"])


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
