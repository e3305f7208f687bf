"""The crisis cell's command: `roster surge`, a surge plan from a published roster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

COMMANDS = ("surge",)
# The plan's lists written as tables: file name, key of the summary's surge section.
TABLES = {
    "callups.csv": "call_ups",
    "invitations.csv": "invitations",
    "duties.csv": "manager_duties",
    "external.csv": "external",
}
_PEOPLE = ["adviser_id", "name", "team", "start", "end", "local_start", "local_end", "channels"]
COLUMNS = {  # of an empty table
    "call_ups": ["kind", *_PEOPLE, "hours", "useful_hours"],
    "invitations": ["rank", "role", *_PEOPLE, "hours", "useful_hours"],
    "manager_duties": [
        "manager_id",
        "name",
        "team",
        "start",
        "end",
        "local_start",
        "local_end",
        "hours",
    ],
    "external": [
        "pool",
        "channel",
        "advisers",
        "start",
        "end",
        "local_start",
        "local_end",
        "hours",
    ],
}


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `surge` on the `roster` command's subparsers."""
    surge = commands.add_parser(
        "surge",
        help="plan a surge from volunteers on a published roster",
        description="Read the roster in DIR (as `roster solve` wrote it) and an incident file, "
        "and write into --out the revised roster, the call-ups, the ranked invitations, "
        "the managers' duties, the outsourcers' bookings, the surge shifts as a calendar "
        "(surge.ics) and the shortfall over the incident with and without the surge.",
    )
    surge.add_argument("scenario", metavar="SCENARIO", help="scenario.json or a folder holding one")
    surge.add_argument("roster", metavar="DIR", help="the published roster (shifts, activities)")
    surge.add_argument("--incident", required=True, metavar="FILE", help="the incident (JSON)")
    surge.add_argument("--out", required=True, metavar="DIR", help="folder to write the plan to")
    surge.add_argument(
        "--time-limit", type=float, default=10.0, metavar="SECONDS", help="search time [10]"
    )


def run(args: argparse.Namespace) -> int:
    """Plan the surge, write it, print its summary; 0 if the plan breaks no rule, else 1."""
    from api.incident_worker import surge_section
    from roster.errors import ScenarioError
    from roster.io import load_incident, load_problem, read_roster, write_roster
    from roster.report import summary
    from solver.surge import plan_surge

    if not 0 < args.time_limit <= 86400:
        raise ScenarioError("give more than 0 and at most 86400 seconds", where="--time-limit")
    problem = load_problem(Path(args.scenario))
    published = read_roster(Path(args.roster), problem.scenario)
    incident = load_incident(Path(args.incident), problem.scenario)
    plan = plan_surge(problem, published, incident, time_limit=args.time_limit)
    from roster.surge_demand import booked_cover, surge_problem

    surged = surge_problem(problem, incident)
    data = summary(
        surged,
        plan.roster,
        status=plan.status,
        objective=plan.objective,
        lower_bound=plan.lower_bound,
        gap=plan.gap,
        solve_seconds=plan.seconds,
        penalties={},
        diagnosis=[],
        violations=plan.violations,
    )
    section = surge_section(plan, incident, problem.scenario)
    data["surge"] = section
    out = Path(args.out)
    # coverage.csv counts the outsourcers' advisers too, as the plan's shortfall does
    write_roster(out, surged, plan.roster, data, booked_cover(surged, plan.bookings, incident))
    for name, key in TABLES.items():
        rows = [
            {**r, "channels": "/".join(r["channels"])} if "channels" in r else r
            for r in section[key]
        ]
        pd.DataFrame(rows, columns=list(rows[0]) if rows else COLUMNS[key]).to_csv(
            out / name, index=False
        )
    (out / "surge.ics").write_bytes(_crisis_feed(problem, plan, section, incident))
    print(_text(data["surge"], incident.name), end="")
    print(f"surge plan written to {out}", file=sys.stderr)
    return 1 if plan.violations or plan.status == "NO_SOLUTION" else 0


def _text(data: dict[str, Any], name: str) -> str:
    lines = [
        f"Surge plan for {name}: {data['start']} to {data['end']} "
        f"(requested {data['requested_at']}, call-ups from {data['earliest_call_up']})",
        f"  status      {data['status']} in {data['seconds']:.1f} s",
        *(
            f"  not planned {part['from']} to {part['to']}: outside the week, plan that week too"
            for part in data["outside_week"]
        ),
        "  shortfall over the incident, adviser-hours (without -> with the surge):",
    ]
    for channel, before in data["shortfall_hours_without_surge"].items():
        after = data["shortfall_hours_with_surge"][channel]
        lines.append(f"    {channel:<10} {before:>9,.1f} -> {after:>9,.1f}")
    c = data["changes"]
    lines.append(
        f"  changes     {c.get('call_ups', 0)} new shifts, {c.get('extensions', 0)} longer, "
        f"{c.get('moves', 0)} taken away, {c.get('channel_changes', 0)} blocks on another channel"
    )
    rate = data["acceptance_rate"]
    invited = len(data["invitations"])
    lines.append(f"  invite      {invited} volunteers in order ({rate:.0%} expected yes)")
    if data["invitations_wanted"] > invited:
        lines.append(
            f"              the pool is short: {data['invitations_wanted']} invitations would "
            "be needed to expect every call-up filled"
        )
    if data["manager_duties"] or data["manager_hours_missing"]:
        lines.append(
            f"  managers    {len(data['manager_duties'])} duties, one for every "
            f"{data['advisers_per_manager']} advisers working; "
            f"{data['manager_hours_missing']:,.1f} manager-hours short of that"
        )
    if data["external"]:
        hours = sum(b["advisers"] * b["hours"] for b in data["external"])
        lines.append(f"  external    {len(data['external'])} bookings, {hours:,.1f} adviser-hours")
    if data["violations"]:
        lines.append(f"  BROKEN      {len(data['violations'])} rules: {data['violations'][0]}")
    return "\n".join(lines) + "\n"


def _crisis_feed(problem: Any, plan: Any, section: dict[str, Any], incident: Any) -> bytes:
    """The crisis cell's calendar, as the service serves it (`api.crisis_feed`): the shifts
    the plan adds or lengthens, the managers' duties and the outsourcers' bookings."""
    from api.crisis_feed import crisis_feed, in_roster, surge_duties

    feed = crisis_feed(
        in_roster(surge_duties(section), plan.roster.shifts),
        now=incident.requested_at,
        incident_id=incident.name,
        incident_name=incident.name,
        timezone=problem.scenario.week.timezone,
        titles={c.name: c.title for c in problem.scenario.channels},
    )
    return feed.body
