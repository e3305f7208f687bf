"""The solver-independent checker: a roster and its problem in, the hard rules it breaks out.

Each hard rule of `roster.rules.HARD_RULES` is one function below, named after the rule, whose
docstring is the rule's exact definition; `RULES` maps names to functions. Only shifts of the
roster are judged: shifts carried in from the week before (`problem.carry_in`) count as past work
for the rules that look back (overlap, rest, consecutive days, weekly rest) but are never
reported on their own.

>>> from roster.rules import HARD_RULES
>>> list(RULES) == list(HARD_RULES)
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import pairwise

from roster.model import Adviser, LabourRules, StartRange, Team, Unavailability
from roster.problem import Problem
from roster.rules import HARD_RULES, Violation
from roster.shifts import in_window, unavailable_spans
from roster.solution import BREAK, Activity, Roster, Shift
from roster.timegrid import to_local

EPSILON = 1e-6  # minutes; absorbs float error in hours * 60
MINUTE = timedelta(minutes=1)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Run:
    """Back-to-back blocks of one kind inside a shift, merged: [start, end) in UTC."""

    kind: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / MINUTE


@dataclass(frozen=True)
class Context:
    """A roster read against its problem: shifts grouped by adviser, sorted by start."""

    problem: Problem
    roster: Roster

    @cached_property
    def advisers(self) -> dict[str, Adviser]:
        return {a.id: a for a in self.problem.scenario.advisers}

    @cached_property
    def shifts(self) -> dict[str, list[Shift]]:
        """Roster shifts of known advisers, by adviser id, sorted by start."""
        return _group(s for s in self.roster.shifts if s.adviser_id in self.advisers)

    @cached_property
    def carry_in(self) -> dict[str, list[Shift]]:
        """Shifts worked before the week, by adviser id, sorted by start."""
        return _group(s for s in self.problem.carry_in.shifts if s.adviser_id in self.advisers)

    def team(self, adviser: Adviser) -> Team:
        return self.problem.teams[adviser.team]

    def each(self) -> Iterator[tuple[Adviser, Team, list[Shift]]]:
        """Every adviser of the scenario with their team and roster shifts (maybe none)."""
        for adviser in self.problem.scenario.advisers:
            yield adviser, self.team(adviser), self.shifts.get(adviser.id, [])

    def each_shift(self) -> Iterator[tuple[Adviser, Team, Shift]]:
        for adviser, team, shifts in self.each():
            for s in shifts:
                yield adviser, team, s

    def with_carry_in(self, adviser: Adviser) -> list[tuple[Shift, bool]]:
        """The adviser's shifts, carry-in included, sorted by start; True marks a roster shift."""
        tagged = [(s, False) for s in self.carry_in.get(adviser.id, [])]
        tagged += [(s, True) for s in self.shifts.get(adviser.id, [])]
        return sorted(tagged, key=lambda t: (t[0].start, t[0].end))


Check = Callable[[Context], Iterable[Violation]]


def validate(
    problem: Problem, roster: Roster, rules: Iterable[str] | None = None
) -> list[Violation]:
    """The hard rules the roster breaks, sorted by (start, adviser id, rule).

    `rules` limits the check to some rule names (all of them by default). An empty list means
    the roster is valid.
    """
    names = list(RULES) if rules is None else list(rules)
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise ValueError(f"unknown rule(s) {', '.join(map(repr, unknown))}")
    context = Context(problem, roster)
    found = [v for name in names for v in RULES[name](context)]
    return sorted(found, key=lambda v: (v.start, v.adviser_id, v.rule, v.end, v.detail))


# --- the rules -------------------------------------------------------------------------------


def shift_structure(context: Context) -> Iterator[Violation]:
    """A shift belongs to a known adviser and is filled end to end by its blocks.

    Broken when: the adviser id is not in the scenario; the blocks do not tile [start, end)
    exactly (a gap, an overlap, an empty block, a block outside the shift); a block starts or
    ends off the week's interval grid; the shift does not start inside the week
    [grid.start, grid.end); two shifts of an adviser overlap (carry-in shifts included, as long
    as one of the two is a roster shift; shifts that touch do not overlap); two roster shifts of
    an adviser start on the same local date (team zone).
    """
    grid = context.problem.grid
    reference = grid.timezone
    for s in sorted(context.roster.shifts, key=lambda s: (s.adviser_id, s.start, s.end)):
        if s.adviser_id not in context.advisers:
            yield _violation(
                "shift_structure",
                s,
                f"shift of {s.adviser_id!r}, who is not an adviser of the scenario",
            )
    for adviser, team, shifts in context.each():
        tz = team.timezone
        for s in shifts:
            problems = _tiling_problems(s, grid.minutes, grid.on_grid, tz)
            if not grid.start <= s.start < grid.end:
                problems.append(
                    f"starts {_when(s.start, tz)}, outside the week "
                    f"{_when(grid.start, reference)} - {_when(grid.end, reference)} ({reference})"
                )
            if problems:
                detail = f"shift {_span(s.start, s.end, tz)}: " + "; ".join(problems)
                yield _violation("shift_structure", s, detail)
        tagged = context.with_carry_in(adviser)
        for i, (a, a_roster) in enumerate(tagged):
            for b, b_roster in tagged[i + 1 :]:
                if b.start >= a.end:
                    break
                if a_roster or b_roster:
                    yield _found(
                        "shift_structure",
                        adviser.id,
                        b.start,
                        min(a.end, b.end),
                        f"shift {_span(b.start, b.end, tz)} overlaps "
                        f"{'' if a_roster else 'the carried-in '}shift {_span(a.start, a.end, tz)}",
                    )
        by_date: dict[date, list[Shift]] = defaultdict(list)
        for s in shifts:
            by_date[to_local(s.start, tz).date()].append(s)
        for local_date, same in sorted(by_date.items()):
            if len(same) > 1:
                yield _found(
                    "shift_structure",
                    adviser.id,
                    same[0].start,
                    max(s.end for s in same),
                    f"{len(same)} shifts start on {_date(local_date)} ({tz}), "
                    "at most one a day is allowed",
                )


def shift_start(context: Context) -> Iterator[Violation]:
    """A roster shift starts, on the team's local wall clock, at one of `rules.start_clocks()`."""
    for _adviser, team, s in context.each_shift():
        local = to_local(s.start, team.timezone)
        if local.time() not in set(team.rules.start_clocks()):
            yield _violation(
                "shift_start",
                s,
                f"shift starts at {local:%H:%M} on {_date(local.date())} ({team.timezone}), "
                f"team {team.name} starts shifts {_starts(team.rules)}",
            )


def shift_length(context: Context) -> Iterator[Violation]:
    """A roster shift lasts exactly round(h * 60) minutes for one of `rules.shift_lengths_hours`."""
    for _adviser, team, s in context.each_shift():
        minutes = (s.end - s.start) / MINUTE
        allowed = [round(h * 60) for h in team.rules.shift_lengths_hours]
        if minutes not in allowed:
            yield _violation(
                "shift_length",
                s,
                f"shift of {_when(s.start, team.timezone)} lasts {_duration(minutes)}, "
                f"team {team.name} allows {_or(_duration(m) for m in allowed)}",
            )


def team_window(context: Context) -> Iterator[Violation]:
    """Every interval of a roster shift, read on the reference wall clock, lies in `team.window`.

    Intervals are the grid steps from the shift start (`roster.shifts.in_window`).
    """
    grid = context.problem.grid
    for _adviser, team, s in context.each_shift():
        if in_window(grid, team, s.start, s.minutes):
            continue
        outside = [
            k
            for k in range(0, s.minutes, grid.minutes)
            if not team.window.contains(to_local(s.start + k * MINUTE, grid.timezone).time())
        ]
        stretches = _stretches(outside, grid.minutes)
        spans = ", ".join(
            f"{to_local(s.start + a * MINUTE, grid.timezone):%H:%M}-"
            f"{to_local(s.start + b * MINUTE, grid.timezone):%H:%M}"
            for a, b in stretches
        )
        yield _violation(
            "team_window",
            s,
            f"shift {_span(s.start, s.end, grid.timezone)} ({grid.timezone}) works {spans}, "
            f"outside team {team.name}'s window {team.window.start}-{team.window.end}",
        )


def availability(context: Context) -> Iterator[Violation]:
    """A roster shift overlaps none of the adviser's unavailable spans.

    A whole-day unavailability is the adviser's local day (team zone); spans that only touch the
    shift do not overlap it. One violation per unavailability met.
    """
    for adviser, team, s in context.each_shift():
        spans = unavailable_spans(adviser, team)
        for item, (a, b) in zip(adviser.unavailable, spans, strict=True):
            if a < s.end and s.start < b:
                yield _violation(
                    "availability",
                    s,
                    f"shift {_span(s.start, s.end, team.timezone)} meets "
                    f"{_unavailability(item, a, b, team.timezone)}",
                )


def skills(context: Context) -> Iterator[Violation]:
    """Every block of a roster shift is a break or a channel in `adviser.channels`.

    One violation per shift and unskilled channel, spanning its first to its last block.
    """
    for adviser, team, s in context.each_shift():
        wrong: dict[str, list[Activity]] = defaultdict(list)
        for act in s.activities:
            if act.kind != BREAK and act.kind not in adviser.channels:
                wrong[act.kind].append(act)
        for kind, acts in wrong.items():
            minutes = sum((a.end - a.start) / MINUTE for a in acts)
            yield _found(
                "skills",
                adviser.id,
                min(a.start for a in acts),
                max(a.end for a in acts),
                f"{_duration(minutes)} on {kind} in the shift of {_when(s.start, team.timezone)}, "
                f"a channel adviser {adviser.id} is not skilled for "
                f"(skills: {', '.join(adviser.channels)})",
            )


def break_placement(context: Context) -> Iterator[Violation]:
    """A roster shift holds the break its length requires, in the break window.

    required = rules.break_minutes(shift.minutes). If required > 0: exactly one break, of
    exactly `required` minutes, starting between earliest_after_minutes and latest_after_minutes
    after the shift start (both included). If required == 0: no break at all. Break blocks that
    touch count as one break.
    """
    for _adviser, team, s in context.each_shift():
        rule = team.rules.break_
        required = team.rules.break_minutes(s.minutes)
        breaks = [r for r in _runs(s.activities) if r.kind == BREAK]
        length = _duration(s.minutes)
        problems = []
        if required == 0:
            if breaks:
                taken = _duration(sum(r.minutes for r in breaks))
                problems.append(
                    f"holds {taken} of break, but a shift of {length} takes none (team "
                    f"{team.name} requires one over {_duration(rule.required_over_hours * 60)})"
                )
        elif not breaks:
            problems.append(f"holds no break, team {team.name} requires {_duration(required)}")
        elif len(breaks) > 1:
            problems.append(
                f"holds {len(breaks)} breaks, team {team.name} requires exactly one of "
                f"{_duration(required)}"
            )
        else:
            pause = breaks[0]
            if pause.minutes != required:
                problems.append(
                    f"break of {_duration(pause.minutes)}, team {team.name} requires "
                    f"{_duration(required)}"
                )
            offset = (pause.start - s.start) / MINUTE
            if not rule.earliest_after_minutes <= offset <= rule.latest_after_minutes:
                problems.append(
                    f"break starts {_duration(offset)} after the shift start, team {team.name} "
                    f"starts it between {_duration(rule.earliest_after_minutes)} and "
                    f"{_duration(rule.latest_after_minutes)} after"
                )
        if problems:
            detail = f"shift {_span(s.start, s.end, team.timezone)} ({length}): "
            yield _violation("break_placement", s, detail + "; ".join(problems))


def min_block_length(context: Context) -> Iterator[Violation]:
    """Each stretch on one channel lasts at least `rules.min_block_minutes`.

    Touching blocks of the same channel merge into a run. The shift splits at its breaks into
    working segments; a run that is alone in its segment (it fills the whole part of the shift
    before or after the break, or the whole shift) is allowed to be shorter than the minimum.
    """
    for adviser, team, s in context.each_shift():
        minimum = team.rules.min_block_minutes
        for segment in _segments(_runs(s.activities)):
            if len(segment) == 1:
                continue
            for run in segment:
                if run.minutes < minimum:
                    yield _found(
                        "min_block_length",
                        adviser.id,
                        run.start,
                        run.end,
                        f"{_duration(run.minutes)} on {run.kind} "
                        f"({_span(run.start, run.end, team.timezone)}), team {team.name} "
                        f"requires stretches of at least {_duration(minimum)} on one channel",
                    )


def max_hours_per_day(context: Context) -> Iterator[Violation]:
    """Worked minutes of a roster shift stay within `rules.max_hours_per_day` * 60.

    Worked minutes: minutes of the shift's non-break blocks, plus its break minutes if the
    team's break is paid.
    """
    for _adviser, team, s in context.each_shift():
        worked = _worked(s, team.rules)
        limit = team.rules.max_hours_per_day * 60
        if worked > limit + EPSILON:
            yield _violation(
                "max_hours_per_day",
                s,
                f"{_duration(worked)} worked on the shift of {_when(s.start, team.timezone)}, "
                f"team {team.name} allows at most {_duration(limit)} a day",
            )


def max_hours_per_week(context: Context) -> Iterator[Violation]:
    """Worked minutes of the week stay within `rules.max_hours_per_week` * 60.

    Worked minutes are summed over the adviser's roster shifts (carry-in excluded), as in
    `max_hours_per_day`. The violation spans the week.
    """
    grid = context.problem.grid
    for adviser, team, shifts in context.each():
        worked = sum(_worked(s, team.rules) for s in shifts)
        limit = team.rules.max_hours_per_week * 60
        if worked > limit + EPSILON:
            yield _found(
                "max_hours_per_week",
                adviser.id,
                grid.start,
                grid.end,
                f"{_duration(worked)} worked in the week, team {team.name} allows at most "
                f"{_duration(limit)}",
            )


def contract_hours(context: Context) -> Iterator[Violation]:
    """Worked minutes of the week are the contract within the tolerance.

    Broken when |worked - scenario.contract_hours_of(adviser) * 60| exceeds
    rules.contract_tolerance_hours * 60; an adviser without shifts has worked 0 minutes.
    The violation spans the week.
    """
    grid = context.problem.grid
    scenario = context.problem.scenario
    for adviser, team, shifts in context.each():
        worked = sum(_worked(s, team.rules) for s in shifts)
        contract = scenario.contract_hours_of(adviser) * 60
        tolerance = team.rules.contract_tolerance_hours * 60
        if abs(worked - contract) > tolerance + EPSILON:
            yield _found(
                "contract_hours",
                adviser.id,
                grid.start,
                grid.end,
                f"{_duration(worked)} worked in the week against a contract of "
                f"{_duration(contract)} (team {team.name} tolerates {_duration(tolerance)} "
                "either way)",
            )


def min_rest_between_shifts(context: Context) -> Iterator[Violation]:
    """Consecutive shifts of an adviser are at least `rules.min_rest_between_shifts_hours` apart.

    Shifts are taken in order of start, carry-in included; a pair is judged when one of the two
    is a roster shift. The violation spans the rest. Overlapping shifts are left to
    `shift_structure`.
    """
    for adviser, team, _ in context.each():
        limit = team.rules.min_rest_between_shifts_hours * 60
        tagged = context.with_carry_in(adviser)
        for (a, a_roster), (b, b_roster) in pairwise(tagged):
            rest = (b.start - a.end) / MINUTE
            if (a_roster or b_roster) and 0 <= rest < limit - EPSILON:
                yield _found(
                    "min_rest_between_shifts",
                    adviser.id,
                    a.end,
                    b.start,
                    f"rest of {_duration(rest)} between shifts "
                    f"({_span(a.end, b.start, team.timezone)}), team {team.name} requires "
                    f"{_duration(limit)}",
                )


def max_consecutive_days(context: Context) -> Iterator[Violation]:
    """No run of consecutive working dates is longer than `rules.max_consecutive_days`.

    Working dates are the local dates (team zone) on which the adviser's shifts start, carry-in
    included; a run is reported if it holds a roster shift, spanning its shifts.
    """
    for adviser, team, _ in context.each():
        limit = team.rules.max_consecutive_days
        by_date: dict[date, list[tuple[Shift, bool]]] = defaultdict(list)
        for s, in_roster in context.with_carry_in(adviser):
            by_date[to_local(s.start, team.timezone).date()].append((s, in_roster))
        for run in _consecutive(sorted(by_date)):
            tagged = [t for d in run for t in by_date[d]]
            if len(run) > limit and any(in_roster for _, in_roster in tagged):
                yield _found(
                    "max_consecutive_days",
                    adviser.id,
                    min(s.start for s, _ in tagged),
                    max(s.end for s, _ in tagged),
                    f"works {len(run)} consecutive days ({_date(run[0])} - {_date(run[-1])}), "
                    f"team {team.name} allows at most {limit}",
                )


def min_weekly_rest(context: Context) -> Iterator[Violation]:
    """The week [grid.start, grid.end] holds a rest of at least `rules.min_weekly_rest_hours`.

    Work is every shift of the adviser (carry-in included, breaks included) clipped to the week;
    rests are the stretches without work, the first from grid.start, the last to grid.end. An
    adviser who does not work in the week is not checked. The violation spans the week.
    """
    grid = context.problem.grid
    for adviser, team, _ in context.each():
        limit = team.rules.min_weekly_rest_hours * 60
        work = sorted(
            (max(s.start, grid.start), min(s.end, grid.end))
            for s, _ in context.with_carry_in(adviser)
            if s.start < grid.end and s.end > grid.start
        )
        if not work:
            continue
        rests = []
        cursor = grid.start
        for a, b in work:
            if a > cursor:
                rests.append((cursor, a))
            cursor = max(cursor, b)
        if grid.end > cursor:
            rests.append((cursor, grid.end))
        longest = max(rests, key=lambda r: r[1] - r[0], default=None)
        minutes = 0.0 if longest is None else (longest[1] - longest[0]) / MINUTE
        if minutes < limit - EPSILON:
            where = "" if longest is None else f" ({_span(*longest, team.timezone)})"
            yield _found(
                "min_weekly_rest",
                adviser.id,
                grid.start,
                grid.end,
                f"longest rest in the week is {_duration(minutes)}{where}, team {team.name} "
                f"requires {_duration(limit)} in one stretch",
            )


def channel_split(context: Context) -> Iterator[Violation]:
    """Each channel's share of the adviser's week is within tolerance of the target.

    Over the roster shifts, share(c) = minutes on c / minutes on all channels (breaks are not
    channels). For every channel of scenario.split_of(adviser) and every channel worked:
    |100 * share(c) - target(c)| <= scenario.split_tolerance_of(adviser) (target 0 for a channel
    outside the split). No minute on any channel, no violation. One violation per adviser,
    naming every channel off target; it spans the week.
    """
    grid = context.problem.grid
    scenario = context.problem.scenario
    for adviser, _team, shifts in context.each():
        minutes: dict[str, float] = defaultdict(float)
        for s in shifts:
            for act in s.activities:
                if act.kind != BREAK:
                    minutes[act.kind] += (act.end - act.start) / MINUTE
        total = sum(minutes.values())
        if total <= 0:
            continue
        target = scenario.split_of(adviser)
        tolerance = scenario.split_tolerance_of(adviser)
        off = []
        for channel in sorted(set(target) | set(minutes)):
            share = 100 * minutes.get(channel, 0.0) / total
            goal = target.get(channel, 0.0)
            if abs(share - goal) > tolerance + 1e-9:
                off.append(f"{channel} {share:.1f}% (target {goal:g}%)")
        if off:
            yield _found(
                "channel_split",
                adviser.id,
                grid.start,
                grid.end,
                f"share of the {_duration(total)} on channels: {', '.join(off)}; "
                f"adviser {adviser.id} may be {tolerance:g} points off either way",
            )


RULES: dict[str, Check] = {
    "shift_structure": shift_structure,
    "shift_start": shift_start,
    "shift_length": shift_length,
    "team_window": team_window,
    "availability": availability,
    "skills": skills,
    "break_placement": break_placement,
    "min_block_length": min_block_length,
    "max_hours_per_day": max_hours_per_day,
    "max_hours_per_week": max_hours_per_week,
    "contract_hours": contract_hours,
    "min_rest_between_shifts": min_rest_between_shifts,
    "max_consecutive_days": max_consecutive_days,
    "min_weekly_rest": min_weekly_rest,
    "channel_split": channel_split,
}
assert RULES.keys() == HARD_RULES.keys(), "every hard rule has exactly one check"


# --- helpers ---------------------------------------------------------------------------------


def _group(shifts: Iterable[Shift]) -> dict[str, list[Shift]]:
    grouped: dict[str, list[Shift]] = defaultdict(list)
    for s in sorted(shifts, key=lambda s: (s.adviser_id, s.start, s.end)):
        grouped[s.adviser_id].append(s)
    return dict(grouped)


def _found(rule: str, adviser_id: str, start: datetime, end: datetime, detail: str) -> Violation:
    """A violation over [start, end), the two put in order (a reversed shift is still shown)."""
    return Violation(rule, adviser_id, min(start, end), max(start, end), detail)


def _violation(rule: str, s: Shift, detail: str) -> Violation:
    return _found(rule, s.adviser_id, s.start, s.end, detail)


def _worked(s: Shift, rules: LabourRules) -> float:
    """Worked minutes of a shift: its non-break blocks, plus breaks if they are paid."""
    return sum(
        (a.end - a.start) / MINUTE for a in s.activities if rules.break_.paid or a.kind != BREAK
    )


def _tiling_problems(
    s: Shift, step: int, on_grid: Callable[[datetime], bool], tz: str
) -> list[str]:
    """Why the blocks of a shift do not tile [start, end) on the grid (empty if they do)."""
    problems = []
    if s.end <= s.start:
        problems.append("ends before it starts")
    if not s.activities:
        problems.append("has no blocks")
    cursor = s.start
    for act in sorted(s.activities, key=lambda a: (a.start, a.end)):
        what = f"{act.kind} block {_span(act.start, act.end, tz)}"
        if act.end <= act.start:
            problems.append(f"{what} is empty")
        if act.start < s.start or act.end > s.end:
            problems.append(f"{what} lies outside the shift")
        elif act.start > cursor:
            problems.append(f"gap {_span(cursor, act.start, tz)} before the {what}")
        elif act.start < cursor:
            problems.append(f"{what} overlaps the block before it")
        cursor = max(cursor, act.end)
    if s.activities and cursor < s.end:
        problems.append(f"gap {_span(cursor, s.end, tz)} at the end")
    bounds = {s.start, s.end} | {t for a in s.activities for t in (a.start, a.end)}
    off = sorted(t for t in bounds if not on_grid(t))
    if off:
        clocks = ", ".join(f"{to_local(t, tz):%H:%M}" for t in off)
        problems.append(f"{clocks} off the {step}-minute grid")
    return problems


def _runs(activities: Iterable[Activity]) -> list[Run]:
    """Blocks sorted by start, touching blocks of the same kind merged."""
    runs: list[Run] = []
    for act in sorted(activities, key=lambda a: (a.start, a.end)):
        if runs and runs[-1].kind == act.kind and runs[-1].end == act.start:
            runs[-1] = Run(act.kind, runs[-1].start, act.end)
        else:
            runs.append(Run(act.kind, act.start, act.end))
    return runs


def _segments(runs: list[Run]) -> list[list[Run]]:
    """The working runs between breaks: before the first break, between breaks, after the last."""
    segments: list[list[Run]] = [[]]
    for run in runs:
        if run.kind == BREAK:
            segments.append([])
        else:
            segments[-1].append(run)
    return [seg for seg in segments if seg]


def _consecutive(days: list[date]) -> list[list[date]]:
    """Sorted distinct dates cut into runs of consecutive dates."""
    runs: list[list[date]] = []
    for d in days:
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


def _stretches(offsets: list[int], step: int) -> list[tuple[int, int]]:
    """Minute offsets of grid steps merged into [first, last + step) stretches."""
    out: list[tuple[int, int]] = []
    for k in offsets:
        if out and out[-1][1] == k:
            out[-1] = (out[-1][0], k + step)
        else:
            out.append((k, k + step))
    return out


def _duration(minutes: float) -> str:
    """570 -> '9 h 30 min', 660 -> '11 h', 45 -> '45 min', -15 -> '-15 min'."""
    total = round(minutes)
    if total < 0:
        return "-" + _duration(-total)
    hours, rest = divmod(total, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def _date(day: date) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _when(instant: datetime, tz: str) -> str:
    """'Tue 24 Nov 09:00' on the wall clock of a zone."""
    local = to_local(instant, tz)
    return f"{_date(local.date())} {local:%H:%M}"


def _span(start: datetime, end: datetime, tz: str) -> str:
    """'Tue 24 Nov 09:00-16:30', or with both dates when it crosses midnight."""
    a, b = to_local(start, tz), to_local(end, tz)
    if a.date() == b.date():
        return f"{_when(start, tz)}-{b:%H:%M}"
    return f"{_when(start, tz)} - {_when(end, tz)}"


def _or(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _starts(rules: LabourRules) -> str:
    if isinstance(rules.shift_starts, StartRange):
        r = rules.shift_starts
        return f"from {r.start} to {r.end} every {_duration(r.every_minutes)}"
    return "at " + _or(f"{c:%H:%M}" for c in rules.start_clocks())


def _unavailability(item: Unavailability, start: datetime, end: datetime, tz: str) -> str:
    why = f" ({item.reason})" if item.reason else ""
    if item.date is not None:
        return f"the adviser's day off {_date(item.date)}{why}"
    return f"the adviser's unavailability {_span(start, end, tz)}{why}"
