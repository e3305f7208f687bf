"""What a solved week amounts to: the summary written to summary.json and shown to a supervisor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from roster.model import Adviser
from roster.problem import Problem
from roster.solution import BREAK, Roster
from roster.timegrid import iso_utc

NO_ROSTER = ("NO_SOLUTION", "IMPOSSIBLE")  # statuses of a solve that found no roster
WORST_INTERVALS = 5  # shortfall intervals shown in the summary
ADVISER_LINES = 15  # advisers listed by name in the text summary before "and N more"


def summary(
    problem: Problem,
    roster: Roster,
    *,
    status: str,
    objective: float | None,
    lower_bound: float | None,
    gap: float | None,
    solve_seconds: float,
    penalties: Mapping[str, float],
    diagnosis: Iterable[str],
    violations: Iterable[object],
) -> dict[str, Any]:
    """The content of summary.json: solve figures, coverage per channel and hours per adviser.

    `objective` and `lower_bound` are penalty points, `gap` a fraction (0.01 is 1%),
    `solve_seconds` wall-clock seconds, `penalties` points per soft rule name; `violations`
    are the hard rules the roster breaks (shown with `str`), none for a trustworthy roster.
    Hours are adviser-hours: one adviser during one hour.
    """
    scenario = problem.scenario
    coverage = _coverage(problem, roster)
    return {
        "scenario": scenario.name,
        "week": {
            "monday": scenario.week.monday.isoformat(),
            "timezone": scenario.week.timezone,
            "interval_minutes": problem.grid.minutes,
            "intervals": problem.grid.count,
        },
        "status": status,
        "objective": objective,
        "lower_bound": lower_bound,
        "gap": gap,
        "solve_seconds": round(solve_seconds, 3),
        "penalties": {rule: points for rule, points in penalties.items()},
        "diagnosis": list(diagnosis),
        "violations": [str(v) for v in violations],
        **coverage,
        "advisers": [_adviser(problem, roster, a) for a in scenario.advisers],
    }


def _coverage(problem: Problem, roster: Roster) -> dict[str, Any]:
    """Required, scheduled and missing adviser-hours per channel, and the worst intervals."""
    grid = problem.grid
    hours = grid.minutes / 60
    scheduled = problem.scheduled(roster)
    required_hours: dict[str, float] = {}
    scheduled_hours: dict[str, float] = {}
    shortfall_hours: dict[str, float] = {}
    short: list[tuple[int, int, str, int, int]] = []
    for channel in (c.name for c in problem.scenario.channels):
        need = problem.requirements.headcount(channel)
        have = scheduled[(channel, None)]
        missing = [max(0, n - h) for n, h in zip(need, have, strict=True)]
        required_hours[channel] = round(sum(need) * hours, 2)
        scheduled_hours[channel] = round(sum(have) * hours, 2)
        shortfall_hours[channel] = round(sum(missing) * hours, 2)
        short += [(-m, i, channel, need[i], have[i]) for i, m in enumerate(missing) if m]
    worst = [
        {
            "interval_start": iso_utc(grid.instant(i)),
            "local_start": grid.local_instants[i].isoformat(),
            "channel": channel,
            "required": need,
            "scheduled": have,
            "shortfall": -negative,
        }
        for negative, i, channel, need, have in sorted(short)[:WORST_INTERVALS]
    ]
    return {
        "shortfall_hours": shortfall_hours,
        "required_hours": required_hours,
        "scheduled_hours": scheduled_hours,
        "worst_shortfall_intervals": worst,
    }


def _adviser(problem: Problem, roster: Roster, adviser: Adviser) -> dict[str, Any]:
    """One adviser's week: shifts, hours worked against contract, share per channel."""
    scenario = problem.scenario
    team = problem.teams[adviser.team]
    shifts = [s for s in roster.shifts if s.adviser_id == adviser.id]
    worked = 0
    on_channel: dict[str, int] = {}
    for shift in shifts:
        for activity in shift.activities:
            if activity.kind == BREAK:
                if team.rules.break_.paid:
                    worked += activity.minutes
                continue
            worked += activity.minutes
            on_channel[activity.kind] = on_channel.get(activity.kind, 0) + activity.minutes
    target = scenario.split_of(adviser)
    total = sum(on_channel.values())
    share = {}
    if total:
        for channel in [*target, *(c for c in on_channel if c not in target)]:
            share[channel] = round(100 * on_channel.get(channel, 0) / total, 1)
    split_off = max((abs(share.get(c, 0) - target.get(c, 0)) for c in share), default=0.0)
    contract = scenario.contract_hours_of(adviser)
    hours = worked / 60
    return {
        "id": adviser.id,
        "name": adviser.name,
        "team": adviser.team,
        "timezone": team.timezone,
        "shifts": len(shifts),
        "hours": round(hours, 2),
        "contract_hours": round(contract, 2),
        "contract_tolerance_hours": team.rules.contract_tolerance_hours,
        "channel_hours": {c: round(m / 60, 2) for c, m in on_channel.items()},
        "share": share,
        "split_target": {c: round(s, 1) for c, s in target.items()},
        "split_tolerance_points": scenario.split_tolerance_of(adviser),
        "split_deviation_points": round(split_off, 1),
        "contract_deviation_hours": round(hours - contract, 2),
    }


def format_summary(data: Mapping[str, Any]) -> str:
    """A summary for a supervisor, as text, from the dict `summary` returns (or summary.json)."""
    lines = [_title(data), *_solve_lines(data)]
    if data.get("status") in NO_ROSTER:
        lines.append("  no roster found")
        advisers = []
    else:
        lines += _coverage_lines(data)
        advisers = data.get("advisers", [])
    if advisers:
        lines += ["", "Teams", *_team_lines(advisers)]
    off = [a for a in advisers if _off_target(a)]
    if off:
        lines += ["", "Advisers off their split target or contract hours"]
        lines += [f"  {_adviser_line(a)}" for a in off[:ADVISER_LINES]]
        if len(off) > ADVISER_LINES:
            lines.append(f"  ... and {len(off) - ADVISER_LINES} more (see summary.json)")
    if data.get("diagnosis"):
        lines += ["", "Diagnosis", *(f"  {s}" for s in data["diagnosis"])]
    if data.get("violations"):
        lines += ["", f"Hard rules broken: {len(data['violations'])} (there should be none)"]
        lines += [f"  {v}" for v in data["violations"]]
    return "\n".join(lines) + "\n"


def _title(data: Mapping[str, Any]) -> str:
    week = data.get("week") or {}
    title = f"Roster {data.get('scenario', '')}".rstrip()
    if week:
        title += f", week of {week['monday']} ({week['timezone']})"
    return title


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _solve_lines(data: Mapping[str, Any]) -> list[str]:
    gap = data.get("gap")
    lines = [
        f"  status      {data.get('status')}",
        f"  objective   {_points(data.get('objective'))} points"
        f" (lower bound {_points(data.get('lower_bound'))},"
        f" gap {'-' if gap is None else f'{100 * gap:.2f}%'})",
        f"  solved in   {data.get('solve_seconds', 0):.1f} s",
    ]
    penalties = {k: v for k, v in (data.get("penalties") or {}).items() if v}
    if penalties:
        lines.append(
            "  penalties   " + ", ".join(f"{k} {_points(v)}" for k, v in penalties.items())
        )
    return lines


def _coverage_lines(data: Mapping[str, Any]) -> list[str]:
    required = data.get("required_hours") or {}
    if not required:
        return []
    scheduled = data.get("scheduled_hours") or {}
    shortfall = data.get("shortfall_hours") or {}
    width = max(len("channel"), *(len(c) for c in required))
    lines = [
        "",
        f"Coverage in adviser-hours\n  {'channel':<{width}}  {'required':>9}  {'scheduled':>9}"
        f"  {'shortfall':>9}",
    ]
    for channel, need in required.items():
        lines.append(
            f"  {channel:<{width}}  {need:>9.1f}  {scheduled.get(channel, 0):>9.1f}"
            f"  {shortfall.get(channel, 0):>9.1f}"
        )
    worst = data.get("worst_shortfall_intervals") or []
    if worst:
        lines.append("Worst shortfall intervals (reference time)")
        for w in worst:
            local = datetime.fromisoformat(w["local_start"])
            lines.append(
                f"  {local:%a %d %b %H:%M} ({w['interval_start']}) {w['channel']}: "
                f"{w['scheduled']} of {w['required']} required, {w['shortfall']} missing"
            )
    else:
        lines.append("No interval short of advisers.")
    return lines


def _team_lines(advisers: list[Mapping[str, Any]]) -> list[str]:
    teams: dict[str, list[Mapping[str, Any]]] = {}
    for a in advisers:
        teams.setdefault(a["team"], []).append(a)
    lines = []
    for name, members in teams.items():
        hours = sum(a["hours"] for a in members)
        working = [a for a in members if a["share"]]
        count = f"{len(members)} adviser{'s' if len(members) != 1 else ''}"
        line = f"  {name}: {count} ({len(working)} working), {hours:.1f} h"
        channels: list[str] = []
        for a in working:
            channels += [c for c in a["share"] if c not in channels]
        spans = []
        for channel in channels:
            shares = [a["share"].get(channel, 0.0) for a in working]
            spans.append(f"{channel} {min(shares):.1f}-{max(shares):.1f}%")
        if spans:
            line += "; share " + ", ".join(spans)
        lines.append(line)
    return lines


def _off_split(a: Mapping[str, Any]) -> bool:
    return bool(a["share"]) and a["split_deviation_points"] >= 0.1


def _off_contract(a: Mapping[str, Any]) -> bool:
    return abs(a["contract_deviation_hours"]) >= 0.01


def _off_target(a: Mapping[str, Any]) -> bool:
    return _off_split(a) or _off_contract(a)


def _adviser_line(a: Mapping[str, Any]) -> str:
    parts = []
    if _off_split(a):
        share = " / ".join(f"{c} {v:.1f}%" for c, v in a["share"].items())
        target = " / ".join(f"{v:g}" for v in a["split_target"].values())
        outside = a["split_deviation_points"] > a["split_tolerance_points"]
        parts.append(
            f"{share} against a target of {target} (off by {a['split_deviation_points']:.1f} points"
            f"{', outside the tolerance' if outside else ''})"
        )
    if _off_contract(a):
        outside = abs(a["contract_deviation_hours"]) > a["contract_tolerance_hours"]
        parts.append(
            f"{a['hours']:.2f} h against a contract of {a['contract_hours']:g} h"
            f"{' (outside the tolerance)' if outside else ''}"
        )
    name = f" {a['name']}" if a.get("name") else ""
    return f"{a['id']}{name} ({a['team']}): " + "; ".join(parts)
