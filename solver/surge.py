"""Surge plans: volunteers called up, shifts extended, advisers on duty moved between channels.

The published roster stays as it is, except for what the crisis may change: volunteers may
get new shifts (no earlier than the mobilisation lead time), longer ones or lose a later one;
advisers on duty may move blocks that start after the request to another channel; managers
of the pool take duties so that one is on duty for every N advisers working; an outsourcer's
advisers may be booked by shifts. One CP-SAT model (`solver.surge_model`) chooses all of it
against the incident's demand, under every labour rule, keeping what people already accepted;
here it is started greedily, solved within the time limit and read into a plan.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from roster.demand import Key
from roster.incident import SUSPENDED_RULES, Booking, Duty, Incident
from roster.model import Adviser, Team
from roster.problem import Problem
from roster.rules import HARD_RULES, Violation
from roster.shifts import ShiftOption
from roster.solution import BREAK, Activity, Roster, Shift
from roster.surge_demand import booked_cover, surge_problem
from roster.surge_rules import managers_missing, surge_violations
from roster.timegrid import Grid
from roster.validation import validate
from solver.hints import Reader, Solution, complete_hint
from solver.surge_model import Option, Piece, SurgeModel, post_rules, stand_in

KEPT_RULES = [r for r in HARD_RULES if r not in SUSPENDED_RULES]
Extra = Mapping[Key, list[int]] | None  # advisers beside the roster's (outsourcers')


@dataclass(frozen=True)
class CallUp:
    """One change to a volunteer's week: a new shift, a longer one, or one taken away."""

    adviser_id: str
    kind: str  # "new", "extend" or "move" (a published shift taken away)
    start: datetime  # of the work added (or taken away), UTC
    end: datetime
    channels: tuple[str, ...]
    hours: float
    useful_hours: float  # hours of it on a channel and interval still short without it


@dataclass(frozen=True)
class Invitation:
    """Whom to ask, in order: the plan's call-ups first, then backups for those who decline."""

    rank: int
    adviser_id: str
    role: str  # "plan" or "backup"
    start: datetime
    end: datetime
    channels: tuple[str, ...]
    useful_hours: float


@dataclass
class SurgePlan:
    """A surge plan, its effect on the incident's shortfall and the changes it makes."""

    status: str
    roster: Roster
    call_ups: list[CallUp]
    invitations: list[Invitation]
    shortfall_before: dict[str, float]  # adviser-hours per channel over the incident window
    shortfall_after: dict[str, float]
    changes: dict[str, int]
    objective: float | None
    lower_bound: float
    seconds: float
    violations: list[Violation] = field(default_factory=list)
    invitations_wanted: int = 0  # volunteers to ask so that the acceptance rate fills the plan
    duties: list[Duty] = field(default_factory=list)  # managers on duty
    bookings: list[Booking] = field(default_factory=list)  # outsourcers' advisers
    manager_hours_missing: float = 0.0  # manager-hours short of the ratio over the incident

    @property
    def gap(self) -> float | None:
        if self.objective is None:
            return None
        return max(0.0, (self.objective - self.lower_bound) / max(1.0, abs(self.objective)))


def plan_surge(
    problem: Problem,
    published: Roster,
    incident: Incident,
    *,
    time_limit: float = 10.0,
    workers: int | None = None,
    seed: int | None = None,
) -> SurgePlan:
    """Plan the surge within `time_limit` seconds, starting from the published roster."""
    started = time.monotonic()
    surge = surge_problem(problem, incident)
    builder = SurgeModel(surge, published, incident).build()
    settings = problem.scenario.solver
    workers = workers or settings.workers
    seed = settings.seed if seed is None else seed
    _greedy_start(builder, surge, published)
    _greedy_duties(builder)
    # The published week with the greedy call-ups is a plan: complete it (weekly rests,
    # shortfalls) so that the search starts from a whole solution, not from a partial one.
    start = complete_hint(
        builder.model,
        {var.index: value for var, value in builder.hint.items()},
        seconds=max(0.5, 0.1 * time_limit),
        workers=workers,
        seed=seed,
    )
    solver = cp_model.CpSolver()
    # reading the plan, ranking backups and checking rules take a few seconds on large weeks
    finish_by = 0.7 * time_limit
    solver.parameters.max_time_in_seconds = max(0.1, finish_by - (time.monotonic() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # Presolving the whole week takes longer than a crisis cell waits (17 s at 750 advisers);
    # from a complete start, the search improves the plan without it.
    solver.parameters.cp_model_presolve = False
    status = solver.solve(builder.model)
    # the search's bound, or the shortfall no plan can avoid (every other cost is at least 0);
    # a start read as the plan knows no bound of its own
    bound = max(float(builder.floor), solver.best_objective_bound)
    found: Reader = solver
    if status == cp_model.UNKNOWN and start is not None:
        found, status = Solution(builder.model, start), cp_model.FEASIBLE  # the completed start
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        window = _shortfall(surge, published, incident)
        return SurgePlan(
            "NO_SOLUTION",
            published,
            [],
            [],
            window,
            window,
            {},
            None,
            0.0,
            round(time.monotonic() - started, 3),
        )
    roster = _roster(builder, found)
    duties = [
        Duty(manager_id, o.start, o.end)
        for manager_id, options in builder.duties.items()
        for o, lit in options
        if found.boolean_value(lit)
    ]
    booked = [
        replace(b, advisers=found.value(count))
        for b, count in builder.bookings
        if found.value(count)
    ]
    extra = booked_cover(surge, booked, incident)
    call_ups = _call_ups(builder, found, surge, roster, extra)
    invitations = _invitations(builder, surge, roster, call_ups, incident, extra)
    called = len({c.adviser_id for c in call_ups if c.kind != "move"})
    changes = {
        "call_ups": sum(1 for c in call_ups if c.kind == "new"),
        "extensions": sum(1 for c in call_ups if c.kind == "extend"),
        "moves": sum(1 for c in call_ups if c.kind == "move"),
        "channel_changes": sum(
            1
            for pieces in builder.changeable.values()
            for piece, was in pieces
            if not found.boolean_value(piece.channels[was])
        ),
        "withdrawn": sum(  # weeks whose published work was taken back
            builder.published.get(adviser_id) != shifts
            for adviser_id, shifts in published.by_adviser().items()
        ),
        "manager_duties": len(duties),
        "external_advisers": sum(b.advisers for b in booked),
    }
    violations = [
        *_validate(surge, roster, published),
        *surge_violations(published, roster, incident, problem.scenario, duties),
    ]
    missing = managers_missing(surge, roster, duties, incident) if incident.managers else []
    return SurgePlan(
        "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE",
        roster,
        call_ups,
        invitations,
        _shortfall(surge, published, incident),
        _shortfall(surge, roster, incident, extra),
        changes,
        round(found.objective_value / 60, 2),
        round(bound / 60, 2),
        round(time.monotonic() - started, 3),
        violations,
        math.ceil(called / incident.acceptance_rate - 1e-9),
        sorted(duties, key=lambda d: (d.start, d.manager_id)),
        sorted(booked, key=lambda b: (b.start, b.pool, b.channel)),
        round(sum(missing) * surge.grid.minutes / 60, 2),
    )


def _validate(problem: Problem, roster: Roster, published: Roster) -> list[Violation]:
    """The kept hard rules, checked on every adviser whose week the plan changed.

    Every rule is one adviser's, and the others' weeks are the published ones, checked when
    they were published; checking only the changed weeks keeps a 750-adviser plan fast.
    """
    before = set(published.shifts)
    changed = {s.adviser_id for s in roster.shifts if s not in before}
    changed |= {s.adviser_id for s in published.shifts} - {s.adviser_id for s in roster.shifts}
    mine = Roster([s for s in roster.shifts if s.adviser_id in changed])
    return validate(problem, mine, KEPT_RULES)


def _chosen(piece: Piece, solver: Reader) -> str:
    return next(c for c, lit in piece.channels.items() if solver.boolean_value(lit))


def _blocks(
    grid_start: datetime, step: timedelta, pieces: list[tuple[int, int, str]]
) -> list[Activity]:
    return [Activity(c, grid_start + f * step, grid_start + (f + n) * step) for f, n, c in pieces]


def _merged(activities: list[Activity]) -> tuple[Activity, ...]:
    """Blocks in time order, neighbours on the same channel joined into one."""
    out: list[Activity] = []
    for a in sorted(activities, key=lambda a: a.start):
        if out and out[-1].kind == a.kind and out[-1].end == a.start and a.kind != BREAK:
            out[-1] = Activity(a.kind, out[-1].start, a.end)
        else:
            out.append(a)
    return tuple(out)


def _roster(builder: SurgeModel, solver: Reader) -> Roster:
    """The plan as a roster: the chosen shifts of volunteers, the others with their channels."""
    grid = builder.grid
    shifts: list[Shift] = []
    for adviser in builder.scenario.advisers:
        if adviser.id in builder.offers:
            for c in builder.options[adviser.id]:
                if not solver.boolean_value(c.literal):
                    continue
                acts = [*c.fixed]
                if c.base is not None:
                    acts += [a for a in c.base.activities if a.kind == BREAK]
                if c.break_at is not None:
                    minutes = timedelta(minutes=c.option.break_minutes)
                    acts.append(Activity(BREAK, c.break_at, c.break_at + minutes))
                picked = [(p.first, p.length, _chosen(p, solver)) for p in c.pieces]
                acts += _blocks(grid.start, grid.step, picked)
                shifts.append(Shift(adviser.id, c.option.start, c.option.end, _merged(acts)))
            continue
        for shift in builder.published.get(adviser.id, []):
            pieces = builder.changeable.get((adviser.id, shift.start))
            if pieces is None:
                shifts.append(shift)
                continue
            kept = [
                a
                for a in shift.activities
                if a.kind == BREAK or a.start < builder.incident.requested_at
            ]
            picked = [(p.first, p.length, _chosen(p, solver)) for p, _ in pieces]
            acts = kept + _blocks(grid.start, grid.step, picked)
            shifts.append(Shift(adviser.id, shift.start, shift.end, _merged(acts)))
    return Roster(shifts)


def _coverage(problem: Problem, roster: Roster, extra: Extra = None) -> dict[str, list[int]]:
    """Advisers per channel and interval: the roster's and `extra` (outsourcers' advisers)."""
    scheduled = problem.scheduled(roster)
    have = {c.name: list(scheduled[(c.name, None)]) for c in problem.scenario.channels}
    for (channel, language), row in (extra or {}).items():
        if language is None:
            have[channel] = [a + b for a, b in zip(have[channel], row, strict=True)]
    return have


def _shortfall(
    problem: Problem, roster: Roster, incident: Incident, extra: Extra = None
) -> dict[str, float]:
    """Missing adviser-hours per channel over the incident's window."""
    grid = problem.grid
    have = _coverage(problem, roster, extra)
    hours = grid.minutes / 60
    window = [i for i, t in enumerate(grid.instants) if incident.start <= t < incident.end]
    out = {}
    for channel, row in have.items():
        need = problem.requirements.headcount(channel)
        out[channel] = round(sum(max(0, need[i] - row[i]) for i in window) * hours, 2)
    return out


def _useful(problem: Problem, have: dict[str, list[int]], blocks: list[Activity]) -> float:
    """Hours of these blocks on intervals where the channel is not over its requirement."""
    grid = problem.grid
    count = 0
    for block in blocks:
        if block.kind == BREAK:
            continue
        need = problem.requirements.headcount(block.kind)
        count += sum(1 for t in grid.span(block.start, block.end) if have[block.kind][t] <= need[t])
    return round(count * grid.minutes / 60, 2)


def _call_ups(
    builder: SurgeModel,
    solver: Reader,
    problem: Problem,
    roster: Roster,
    extra: Extra,
) -> list[CallUp]:
    """The plan's changes to volunteers' weeks, most useful first."""
    have = _coverage(problem, roster, extra)
    plan = roster.by_adviser()
    out = []
    for adviser_id, choices in builder.options.items():
        worked = {s.start: s for s in plan.get(adviser_id, [])}
        for c in choices:
            on = solver.boolean_value(c.literal)
            if c.kind == "keep" and not any(
                solver.boolean_value(d.literal) for d in choices if d.base is c.base
            ):
                assert c.base is not None
                out.append(_call_up(adviser_id, "move", list(c.base.activities), problem, have))
            elif on and c.kind in ("new", "extend"):
                shift = worked[c.option.start]
                added = list(shift.activities)
                if c.base is not None:
                    cut = c.base.end
                    added = [
                        Activity(a.kind, max(a.start, cut), a.end) for a in added if a.end > cut
                    ]
                out.append(_call_up(adviser_id, c.kind, added, problem, have))
    kinds = {"new": 0, "extend": 1, "move": 2}
    return sorted(out, key=lambda c: (kinds[c.kind], -c.useful_hours, c.start, c.adviser_id))


def _call_up(
    adviser_id: str,
    kind: str,
    blocks: list[Activity],
    problem: Problem,
    have: dict[str, list[int]],
) -> CallUp:
    work = [b for b in blocks if b.kind != BREAK]
    channels = tuple(dict.fromkeys(b.kind for b in work))
    hours = round(sum(b.minutes for b in work) / 60, 2)
    useful = 0.0 if kind == "move" else _useful(problem, have, work)
    return CallUp(adviser_id, kind, blocks[0].start, blocks[-1].end, channels, hours, useful)


def _invitations(
    builder: SurgeModel,
    problem: Problem,
    roster: Roster,
    call_ups: list[CallUp],
    incident: Incident,
    extra: Extra,
) -> list[Invitation]:
    """Invite enough volunteers, in order, that the expected acceptances fill the plan.

    With an acceptance rate r, filling the call-ups of n volunteers takes about n / r
    invitations: the plan's volunteers first (most useful hours first), then backups, each on
    the one shift of theirs that would cover most of what is still short. A pool smaller than
    that gives fewer invitations (`SurgePlan.invitations_wanted` says how many were needed).
    """
    asked: dict[str, list[CallUp]] = defaultdict(list)
    for c in call_ups:
        if c.kind in ("new", "extend"):
            asked[c.adviser_id].append(c)
    wanted = math.ceil(len(asked) / incident.acceptance_rate - 1e-9)
    people = sorted(asked.items(), key=lambda kv: (-sum(c.useful_hours for c in kv[1]), kv[0]))
    out = [
        Invitation(
            i + 1,
            adviser_id,
            "plan",
            min(c.start for c in theirs),
            max(c.end for c in theirs),
            tuple(dict.fromkeys(ch for c in theirs for ch in c.channels)),
            round(sum(c.useful_hours for c in theirs), 2),
        )
        for i, (adviser_id, theirs) in enumerate(people)
    ]
    called = set(asked)
    residual = _residual(problem, roster, extra)
    candidates = []
    for adviser_id, choices in builder.options.items():
        if adviser_id in called:
            continue
        adviser = problem.scenario.adviser(adviser_id)
        best = _best_new(problem, builder, adviser, choices, residual)
        if best is not None:
            candidates.append((adviser_id, *best))
    candidates.sort(key=lambda c: (-c[1], c[2].option.start, c[0]))
    for adviser_id, value, option, channel in candidates:
        if len(out) >= wanted:
            break
        start, end = option.option.start, option.option.end
        out.append(Invitation(len(out) + 1, adviser_id, "backup", start, end, (channel,), value))
    return out


def _residual(problem: Problem, roster: Roster, extra: Extra = None) -> dict[str, list[int]]:
    have = _coverage(problem, roster, extra)
    return {
        c: [max(0, n - h) for n, h in zip(problem.requirements.headcount(c), row, strict=True)]
        for c, row in have.items()
    }


def _best_new(
    problem: Problem,
    builder: SurgeModel,
    adviser: Adviser,
    choices: list[Option],
    residual: dict[str, list[int]],
) -> tuple[float, Option, str] | None:
    """A volunteer's most useful new shift that their labour rules allow beside their week."""
    grid = problem.grid
    kept = [c for c in choices if c.kind == "keep"]
    ranked = []
    for c in choices:
        if c.kind != "new":
            continue
        span = list(grid.span(c.option.start, c.option.end))
        value = {ch: sum(1 for t in span if residual[ch][t] > 0) for ch in adviser.channels}
        channel = max(adviser.channels, key=lambda ch: value[ch])
        if value[channel]:
            ranked.append((value[channel] * grid.minutes / 60, c, channel))
    ranked.sort(key=lambda r: (-r[0], r[1].option.start))
    team = problem.scenario.team(adviser.team)
    carried = builder.carried.get(adviser.id, [])
    extra = round(builder.offers[adviser.id].extra_hours * 60)
    ranked = [r for r in ranked if r[1].option.worked_minutes <= extra]
    for value, c, channel in ranked[:5]:
        known = builder.allowed.get(c.literal.index)
        if known is None:  # the first call-ups and the backups ask about the same shifts
            week = [k.option for k in kept] + [c.option]
            known = builder.allowed[c.literal.index] = _allowed(adviser, team, week, carried, grid)
        if known:
            return round(value, 2), c, channel
    return None


def _greedy_start(builder: SurgeModel, problem: Problem, published: Roster) -> None:
    """Hint one new shift per volunteer, each on what is still short after the ones before.

    The search alone, from the published week, adds call-ups a few at a time; hundreds of
    volunteers need a start that already calls them.
    """
    grid = problem.grid
    residual = _residual(problem, published)
    for adviser_id, choices in builder.options.items():
        if adviser_id in builder.confirmed:
            continue  # their accepted work is hinted already
        adviser = problem.scenario.adviser(adviser_id)
        best = _best_new(problem, builder, adviser, choices, residual)
        if best is None:
            continue
        _, option, channel = best
        builder.hint[option.literal] = 1
        for piece in option.pieces:
            for name, lit in piece.channels.items():
                builder.hint[lit] = int(name == channel)
        for t in grid.span(option.option.start, option.option.end):
            residual[channel][t] = max(0, residual[channel][t] - 1)


def _greedy_duties(builder: SurgeModel) -> None:
    """Hint managers' duties where the hinted plan needs them most, each manager in turn.

    Left to the start's completion, hundreds of duty options make it search for seconds.
    A manager's picks keep their hours, a day apart, and are hinted only if their labour
    rules hold (else the completion chooses theirs).
    """
    if not builder.duties:
        return
    grid, per = builder.grid, builder.incident.advisers_per_manager
    working = _hinted_working(builder)
    need = [0] * grid.count
    for t in builder.window:
        need[t] = math.ceil(working[t] / per)
    pinned = {var for var, value in builder.hint.items() if value}
    for manager in builder.incident.available_managers():
        duties = builder.duties[manager.id]
        if any(lit in pinned for _, lit in duties):
            continue  # accepted duties are hinted already
        left = round(manager.hours * 60)
        picked: list[tuple[ShiftOption, cp_model.IntVar]] = []
        while True:
            days = {o.day for o, _ in picked}
            best, value = None, 0
            for o, lit in duties:
                if o.day in days or o.minutes > left:
                    continue
                gain = sum(1 for t in grid.span(o.start, o.end) if need[t] > 0)
                if gain > value:
                    best, value = (o, lit), gain
            if best is None:
                break
            picked.append(best)
            left -= best[0].minutes
            for t in grid.span(best[0].start, best[0].end):
                need[t] -= 1
        team = builder.scenario.team(manager.team)
        week = [o for o, _ in picked]
        if picked and _allowed(stand_in(manager, builder), team, week, [], grid):
            for _, lit in duties:
                builder.hint[lit] = int(any(lit is p for _, p in picked))
        else:
            for o, _ in picked:
                for t in grid.span(o.start, o.end):
                    need[t] += 1


def _hinted_working(builder: SurgeModel) -> list[int]:
    """About how many advisers work each interval in the hinted plan: the published and
    carried-in blocks, and the new shifts hinted (their breaks counted as work)."""
    grid = builder.grid
    change = [0] * (grid.count + 1)

    def works(start: datetime, end: datetime) -> None:
        span = grid.span(start, end)
        change[span.start] += 1
        change[span.stop] -= 1

    for shifts in [*builder.published.values(), *builder.carried.values()]:
        for shift in shifts:
            for block in shift.activities:
                if block.kind != BREAK:
                    works(block.start, block.end)
    for choices in builder.options.values():
        for c in choices:
            if c.kind == "new" and builder.hint.get(c.literal):
                works(c.option.start, c.option.end)
    out, running = [], 0
    for step in change[:-1]:
        running += step
        out.append(running)
    return out


def _allowed(
    adviser: Adviser, team: Team, options: list[ShiftOption], carried: list[Shift], grid: Grid
) -> bool:
    """Whether the labour rules (but the contract) allow this week of shifts."""
    model = cp_model.CpModel()
    lits = [model.new_constant(1) for _ in options]
    post_rules(model, adviser, team, options, lits, carried, grid)
    check = cp_model.CpSolver()
    check.parameters.num_workers = 1
    check.parameters.max_time_in_seconds = 1.0
    return check.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
