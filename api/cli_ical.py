"""`roster ical`: the calendar feeds (.ics) of a solved roster, kept up to date in a folder."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.cli import BadInput
from api.ical import Feed, FeedState, adviser_feed, team_feed
from roster.io import load_scenario, read_roster
from roster.timegrid import Grid

STATE_FILE = "feeds-state.json"
STATE_FORMAT = "roster feeds state"
STATE_VERSION = 1


def add_ical_command(commands: Any) -> None:
    """Add `ical` to the subcommands of the `roster` parser (`commands`, from add_subparsers)."""
    ical = commands.add_parser(
        "ical",
        help="write the calendar feeds (.ics) of a roster",
        description="Read the roster in DIR (as `roster solve` writes it) and write into FOLDER "
        "one calendar feed per adviser (ADVISER_ID.ics) and one per team (team-TEAM.ics). "
        f"Run it again after a new solve: {STATE_FILE} in FOLDER keeps what each feed published, "
        "so that changed shifts are updated and removed ones cancelled, and the other weeks' "
        "shifts stay as they were.",
    )
    ical.add_argument("scenario", metavar="SCENARIO", help="scenario.json or a folder holding one")
    ical.add_argument("roster", metavar="DIR", help="folder holding shifts.csv and activities.csv")
    ical.add_argument("--out", required=True, metavar="FOLDER", help="folder of the feeds")
    ical.add_argument(
        "--now",
        type=_instant,
        metavar="INSTANT",
        help="instant of publication, ISO 8601 with its UTC offset (default: the current time); "
        "a feed holds the shifts of the 4 weeks before it and all after",
    )


def ical(args: argparse.Namespace) -> int:
    """Run `roster ical` with parsed arguments; the exit code."""
    now = args.now or datetime.now(UTC)
    return write_feeds(Path(args.scenario), Path(args.roster), Path(args.out), now=now)


def write_feeds(scenario_path: Path, folder: Path, out: Path, *, now: datetime) -> int:
    """Write the feeds of the roster in `folder` into `out`, print what changed; the exit code.

    `now` (aware) is the instant of publication. The roster speaks for its scenario's week only:
    shifts of other weeks that the feeds hold already are kept as they were.
    """
    scenario = load_scenario(scenario_path)
    if not folder.is_dir():
        raise BadInput(f"{folder}: not a folder holding shifts.csv and activities.csv")
    roster = read_roster(folder, scenario)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: --out is a file, not a folder")
    states = _read_states(out / STATE_FILE)
    if not states and out.is_dir() and any(out.glob("*.ics")):
        print(
            f"roster: warning: {out} holds .ics files but no {STATE_FILE}: "
            "their events start again at SEQUENCE 0",
            file=sys.stderr,
        )
    week = Grid.for_week(scenario.week.monday, scenario.week.timezone)
    scope = (week.start, week.end)
    feeds: dict[str, Feed] = {}
    try:
        for a in scenario.advisers:
            feeds[f"{a.id}.ics"] = adviser_feed(
                scenario, a.id, roster.shifts, states.get(f"{a.id}.ics"), now=now, scope=scope
            )
        for team in scenario.teams:
            name = f"team-{team.name}.ics"
            if name in feeds:
                raise BadInput(f"adviser {name[:-4]!r} and team {team.name!r} share {name}")
            feeds[name] = team_feed(
                scenario, team.name, roster.shifts, states.get(name), now=now, scope=scope
            )
    except ValueError as err:  # a shift starting outside the scenario's week
        raise BadInput(f"{folder / 'shifts.csv'}: {err}") from None
    out.mkdir(parents=True, exist_ok=True)
    for name, feed in feeds.items():
        (out / name).write_bytes(feed.body)
        states[name] = feed.state
    _write_states(out / STATE_FILE, states)
    _print_changes(feeds)
    print(f"{len(feeds)} feeds written to {out}", file=sys.stderr)
    return 0


def _print_changes(feeds: dict[str, Feed]) -> None:
    width = max(len("feed"), *(len(n) for n in feeds)) if feeds else len("feed")
    print(f"{'feed':<{width}}  events  new  updated  cancelled")
    for name, feed in feeds.items():
        c = feed.changes
        print(
            f"{name:<{width}}  {len(feed.state.events):>6}  {c.new:>3}  {c.updated:>7}"
            f"  {c.cancelled:>9}"
        )


def _read_states(path: Path) -> dict[str, FeedState]:
    """The states kept by an earlier run, by feed file name (none if there was no run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadInput(f"{path}: unreadable feeds state ({err})") from None
    if not isinstance(data, dict) or (data.get("format"), data.get("version")) != (
        STATE_FORMAT,
        STATE_VERSION,
    ):
        raise BadInput(f"{path}: not a feeds state of `roster ical` (version {STATE_VERSION})")
    try:
        return {name: FeedState.from_json(s) for name, s in data["feeds"].items()}
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise BadInput(f"{path}: damaged feeds state ({type(err).__name__}: {err})") from None


def _write_states(path: Path, states: dict[str, FeedState]) -> None:
    data = {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        "feeds": {name: s.to_json() for name, s in sorted(states.items())},
    }
    draft = path.with_name(path.name + ".tmp")
    draft.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(draft, path)  # a run stopped half-way leaves the previous state whole


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (add Z or +01:00)")
    return value
