"""What a solved week amounts to: the summary written to summary.json and shown to a supervisor."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from roster.erlang import Figures
from roster.model import Adviser, Scenario, ServiceGoal
from roster.problem import Problem
from roster.solution import BREAK, Roster
from roster.staffing import project
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
    Hours are adviser-hours: one adviser during one hour. With a forecast, `projected_service`
    gives per channel the share of contacts answered within the goal's wait, for the week and
    per day of the reference clock.
    """
    scenario = problem.scenario
    coverage = _coverage(problem, roster)
    projected = (
        {"projected_service": _projected_service(problem, roster)} if problem.forecast else {}
    )
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
        **projected,
        "advisers": [_adviser(problem, roster, a) for a in scenario.advisers],
    }


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _projected_service(problem: Problem, roster: Roster) -> dict[str, Any]:
    """Per channel of the forecast: the share of its contacts answered within its goal's wait
    with the roster's advisers, for the week and per day, and the intervals below the goal."""
    assert problem.forecast is not None
    services = project(problem.scenario, problem.forecast, problem.scheduled(roster))
    out: dict[str, Any] = {}
    for name, service in services.items():
        entry = {
            "kind": service.channel.kind,
            "measure": service.measure,
            "goal": service.goal.service_level,
            "within_seconds": service.goal.wait_seconds,
            "contacts": round(float(service.volume.sum()), 1),
            "week": _share(service.share()),
            "days": {d.isoformat(): _share(v) for d, v in service.by_day(problem.grid).items()},
            "intervals_with_contacts": int((service.volume > 0).sum()),
            "intervals_below_goal": service.below_goal(),
        }
        if service.channel.kind == "deferred":
            entry["backlog_grows"] = not service.stable
        out[name] = entry
    return out


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
        lines += _service_lines(data.get("projected_service") or {})
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


def wait_text(seconds: float) -> str:
    """'20 s', '60 min', '3 h': a wait as a supervisor says it."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200 or seconds % 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def percent(share: float | None) -> str:
    """'88.8%', '80%' (one decimal at most), '-' for no share (None or NaN)."""
    if share is None or math.isnan(share):
        return "-"
    return f"{round(100 * share, 1):g}%"


def _service_lines(projected: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not projected:
        return []
    lines = ["", "Projected service from the forecast"]
    width = max(len(c) for c in projected)
    for channel, s in projected.items():
        line = (
            f"  {channel:<{width}}  {percent(s['week'])} answered within "
            f"{wait_text(s['within_seconds'])} (goal {percent(s['goal'])}), "
            f"{s['intervals_below_goal']} of {s['intervals_with_contacts']} intervals below it"
        )
        days = {d: v for d, v in s["days"].items() if v is not None}
        low = min(days, key=lambda d: days[d], default=None)
        if low is not None and days[low] < s["goal"]:
            line += f"; lowest day {datetime.fromisoformat(low):%a %d %b} {percent(days[low])}"
        if s.get("backlog_grows"):
            line += "; the backlog grows week on week"
        lines.append(line)
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


def goal_text(goal: ServiceGoal, kind: str) -> str:
    """'80% answered within 20 s, max occupancy 85%, shrinkage 30%'."""
    parts = [f"{percent(goal.service_level)} answered within {wait_text(goal.wait_seconds)}"]
    if goal.asa_seconds is not None:
        parts.append(f"average speed of answer {goal.asa_seconds:g} s")
    if kind == "realtime" and goal.max_occupancy < 1:
        parts.append(f"max occupancy {percent(goal.max_occupancy)}")
    if goal.shrinkage:
        parts.append(f"shrinkage {percent(goal.shrinkage)}")
    return ", ".join(parts)


def format_staffing(scenario: Scenario, table: pd.DataFrame, source: str) -> str:
    """The staffing a forecast needs, as text: the goals, then per day and channel the
    contacts, handling hours, required adviser-hours, the peak and the share answered in time
    (`table` is `roster.staffing.staffing_table`)."""
    lines = [
        f"Staffing for {scenario.name}, week of {scenario.week.monday} "
        f"({scenario.week.timezone}), from {source}"
    ]
    channels = list(dict.fromkeys(table["channel"]))
    width = max([len("channel"), *(len(c) for c in channels)])
    for name in channels:
        channel = scenario.channel(name)
        if channel.service is not None:
            lines.append(
                f"  {name:<{width}}  {channel.kind}: {goal_text(channel.service, channel.kind)}"
            )
    lines += [
        "",
        f"  {'day':<10}  {'channel':<{width}}  {'contacts':>9}  {'handling h':>10}"
        f"  {'advisers h':>10}  {'peak':>4}  {'at':<5}  in time",
    ]
    for row in table.to_dict("records"):
        day = "week" if row["day"] == "week" else f"{date.fromisoformat(row['day']):%a %d %b}"
        at = ""
        if isinstance(row["peak_at"], str) and row["day"] != "week":  # pandas: NaN for none
            at = f"{datetime.fromisoformat(row['peak_at']):%H:%M}"
        lines.append(
            f"  {day:<10}  {row['channel']:<{width}}  {row['contacts']:>9,.0f}"
            f"  {row['handling_hours']:>10,.1f}  {row['adviser_hours']:>10,.1f}"
            f"  {row['peak']:>4}  {at:<5}  {percent(row['service'])}"
        )
    return "\n".join(lines) + "\n"


def format_erlang(given: Mapping[str, Any], figures: Figures) -> str:
    """The figures of the Erlang C calculator, as text (`given`: its arguments)."""
    shrinkage = given.get("shrinkage") or 0.0
    advisers = f"{figures.agents} taking calls"
    if shrinkage:
        advisers += f", {figures.scheduled} to schedule with {percent(shrinkage)} shrinkage"
    lines = [
        f"{given['calls']:g} calls in {given['interval_seconds']:g} s, "
        f"{given['aht_seconds']:g} s each: {figures.load:.2f} erlangs",
        f"advisers                 {advisers}",
    ]
    if figures.service_level is not None:
        target = given.get("target")
        goal = f" (goal {percent(target)})" if target is not None else ""
        lines.append(
            f"service level            {percent(figures.service_level)} answered within "
            f"{wait_text(figures.within_seconds or 0)}{goal}"
        )
    if figures.stable:
        lines.append(f"average speed of answer  {figures.asa_seconds:.1f} s")
    else:
        lines.append(
            f"average speed of answer  none: {figures.agents} advisers cannot keep up with "
            f"{figures.load:.2f} erlangs, the queue grows without end"
        )
    lines += [
        f"occupancy                {percent(figures.occupancy)}",
        f"probability of waiting   {percent(figures.wait_probability)}",
    ]
    top = given.get("max_occupancy") or 1.0
    if figures.occupancy > top + 1e-9:
        lines.append(f"occupancy is above the maximum of {percent(top)}")
    return "\n".join(lines) + "\n"
