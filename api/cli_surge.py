"""The crisis cell's command: `roster surge`, a surge plan from a published roster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

COMMANDS = ("surge",)


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `surge` on the `roster` command's subparsers."""
    surge = commands.add_parser(
        "surge",
        help="plan a surge from volunteers on a published roster",
        description="Read the roster in DIR (as `roster solve` wrote it) and an incident file, "
        "and write into --out the revised roster, the call-ups, the ranked invitations, "
        "the surge shifts as a calendar (surge.ics) and the shortfall over the incident "
        "with and without the surge.",
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
    from roster.incident import surge_problem

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
    data["surge"] = _surge_section(plan, incident)
    out = Path(args.out)
    write_roster(out, surged, plan.roster, data)
    names = {a.id: (a.name, a.team) for a in problem.scenario.advisers}
    zones = {t.name: t.timezone for t in problem.scenario.teams}
    _frame(plan.call_ups, names, zones, ("kind",)).to_csv(out / "callups.csv", index=False)
    _frame(plan.invitations, names, zones, ("rank", "role")).to_csv(
        out / "invitations.csv", index=False
    )
    (out / "surge.ics").write_bytes(_crisis_feed(problem, published, plan.roster, incident))
    print(_text(data["surge"], incident.name), end="")
    print(f"surge plan written to {out}", file=sys.stderr)
    return 1 if plan.violations or plan.status == "NO_SOLUTION" else 0


def _surge_section(plan: Any, incident: Any) -> dict[str, Any]:
    from roster.timegrid import iso_utc

    return {
        "incident": incident.name,
        "requested_at": iso_utc(incident.requested_at),
        "start": iso_utc(incident.start),
        "end": iso_utc(incident.end),
        "earliest_call_up": iso_utc(incident.earliest_call_up),
        "factors": incident.channel_factors(),
        "acceptance_rate": incident.acceptance_rate,
        "status": plan.status,
        "objective": plan.objective,
        "lower_bound": plan.lower_bound,
        "gap": plan.gap,
        "seconds": plan.seconds,
        "shortfall_hours_without_surge": plan.shortfall_before,
        "shortfall_hours_with_surge": plan.shortfall_after,
        "changes": plan.changes,
        "invitations": len(plan.invitations),
        "invitations_wanted": plan.invitations_wanted,
        "violations": [str(v) for v in plan.violations],
    }


def _frame(
    rows: list[Any],
    names: dict[str, tuple[str, str]],
    zones: dict[str, str],
    first: tuple[str, ...],
) -> pd.DataFrame:
    from roster.timegrid import iso_utc, to_local

    records = []
    for r in rows:
        name, team = names[r.adviser_id]
        zone = zones[team]
        records.append(
            {
                **{k: getattr(r, k) for k in first},
                "adviser_id": r.adviser_id,
                "name": name,
                "team": team,
                "start": iso_utc(r.start),
                "end": iso_utc(r.end),
                "local_start": to_local(r.start, zone).isoformat(),
                "local_end": to_local(r.end, zone).isoformat(),
                "channels": "/".join(r.channels),
                "hours": getattr(r, "hours", None),
                "useful_hours": r.useful_hours,
            }
        )
    columns = [*first, "adviser_id", "name", "team", "start", "end", "local_start", "local_end"]
    columns += ["channels", "hours", "useful_hours"]
    return pd.DataFrame.from_records(records, columns=columns)


def _text(data: dict[str, Any], name: str) -> str:
    lines = [
        f"Surge plan for {name}: {data['start']} to {data['end']} "
        f"(requested {data['requested_at']}, call-ups from {data['earliest_call_up']})",
        f"  status      {data['status']} in {data['seconds']:.1f} s",
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
    lines.append(
        f"  invite      {data['invitations']} volunteers in order ({rate:.0%} expected yes)"
    )
    if data["invitations_wanted"] > data["invitations"]:
        lines.append(
            f"              the pool is short: {data['invitations_wanted']} invitations would "
            "be needed to expect every call-up filled"
        )
    if data["violations"]:
        lines.append(f"  BROKEN      {len(data['violations'])} rules: {data['violations'][0]}")
    return "\n".join(lines) + "\n"


def _crisis_feed(problem: Any, published: Any, plan: Any, incident: Any) -> bytes:
    """The crisis cell's calendar: the shifts the plan adds or lengthens, one event each."""
    from api.ical import shifts_feed

    before = {(s.adviser_id, s.start, s.end) for s in published.shifts}
    surge = [s for s in plan.shifts if (s.adviser_id, s.start, s.end) not in before]
    surge = [s for s in surge if s.adviser_id in incident.offers(problem.scenario)]
    feed = shifts_feed(
        problem.scenario,
        surge,
        now=incident.requested_at,
        name=f"Roster - {incident.name}",
        timezone=problem.scenario.week.timezone,
    )
    return feed.body
