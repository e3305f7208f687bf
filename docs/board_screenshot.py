"""Take the README's screenshots of the board: the example week, solved and published.

    python docs/board_screenshot.py                 # writes docs/board.png
    python docs/board_screenshot.py --time-limit 30 --out board.png
    python docs/board_screenshot.py --crisis        # writes docs/board-crisis.png

The example week is loaded into a new SQLite database and solved (`roster serve --example`'s
loading), the service runs on a free loopback port (as in the board's tests), and Debian's
chromium (Playwright with the system browser) opens the board with the supervisor token and saves
the page. With `--crisis`, the volcano incident (examples/incidents/volcano.json) is created and
planned through the API, and the crisis cell's panel is saved as the crisis role sees it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20, help="of the solve, seconds")
    parser.add_argument("--out", type=Path, help="default: docs/board.png, docs/board-crisis.png")
    parser.add_argument("--crisis", action="store_true", help="the crisis cell's panel")
    parser.add_argument("--plan-time-limit", type=float, default=10, help="of the surge, seconds")
    args = parser.parse_args()
    args.out = args.out or ROOT / "docs" / ("board-crisis.png" if args.crisis else "board.png")
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    from api.cli_service import EXAMPLE, load_example
    from api.settings import Settings
    from tests.live_service import live_service

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'roster.db'}"
        _, token = load_example(Settings(database_url=url), EXAMPLE, time_limit=args.time_limit)
        with live_service(url) as live, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            page = browser.new_page(
                viewport={"width": 1400, "height": 900}, timezone_id="Europe/Paris"
            )
            if args.crisis:
                token = plan_volcano(live, args.plan_time_limit)
            page.goto(f"{live.url}/board/")
            page.fill("#token", token)
            page.click("#login button")
            page.wait_for_selector("#board[data-ready^=version]", timeout=60_000)
            if args.crisis:
                page.wait_for_selector("#surge-job[data-state=succeeded]", timeout=60_000)
                page.wait_for_selector("#report-hours:has-text('staffed')", timeout=60_000)
                page.locator("#crisis").screenshot(path=str(args.out))
            else:
                page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    print(f"{args.out}: {args.out.stat().st_size // 1024} KiB", file=sys.stderr)
    return 0


def plan_volcano(live: Any, time_limit: float) -> str:
    """Create the volcano incident on the example week and plan it; a crisis token."""
    import httpx

    from tests.service_data import ok, wait_job

    token = live.token("crisis")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live.url, headers=headers, timeout=60) as api:
        week = ok(api.get("/weeks"))["items"][0]
        volcano = json.loads((ROOT / "examples" / "incidents" / "volcano.json").read_text())
        incident = ok(api.post(f"/weeks/{week['id']}/incidents", json=volcano), 201)
        body = {"time_limit_seconds": time_limit}
        plan = ok(api.post(f"/incidents/{incident['id']}/plans", json=body), 202)
        wait_job(api, plan["job"]["id"], headers, seconds=120)  # type: ignore[arg-type]
    return token


if __name__ == "__main__":
    raise SystemExit(main())
