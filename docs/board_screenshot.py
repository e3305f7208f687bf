"""Take the README's screenshot of the board: the example week, solved and published.

    python docs/board_screenshot.py                 # writes docs/board.png
    python docs/board_screenshot.py --time-limit 30 --out board.png

The example week is loaded into a new SQLite database and solved (`roster serve --example`'s
loading), the service runs on a free loopback port (as in the board's tests), and Debian's
chromium (Playwright with the system browser) opens the board with the supervisor token and saves
the page.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20, help="of the solve, seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "board.png")
    args = parser.parse_args()
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
            page.goto(f"{live.url}/board/")
            page.fill("#token", token)
            page.click("#login button")
            page.wait_for_selector("#board[data-ready^=version]", timeout=60_000)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    print(f"{args.out}: {args.out.stat().st_size // 1024} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
