"""The surge plan's CP-SAT model: what may change in the published week, its cover and costs.

Volunteers' options (keep, extend, new shifts) under their labour rules and offer, advisers on
duty whose later blocks may change channel, managers' duties for the ratio, outsourcers'
bookings; the demand of the incident's week, with each change's cost. `solver.surge` hints,
solves and reads it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from roster.demand import Key
from roster.errors import ScenarioError
from roster.incident import Booking, External, Incident, Manager, Span, incident_window, withdraw
from roster.model import Adviser, Team
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import BREAK, Activity, Roster, Shift
from roster.timegrid import Grid, to_local
from solver.activities_model import cut_blocks
from solver.labour import AdviserChoices, add_labour_rules, add_weekly_rest


@dataclass
class Piece:
    """Intervals [first, first + length) of one shift that work one channel to be chosen."""

    first: int
    length: int
    channels: dict[str, cp_model.IntVar]


@dataclass
class Option:
    """A shift a volunteer may work in the plan, with what it adds to their published week."""

    kind: str  # keep, extend, new
    option: ShiftOption
    literal: cp_model.IntVar
    base: Shift | None
    fixed: list[Activity]  # published blocks it keeps as they are
    break_at: datetime | None  # a break placed by the plan
    pieces: list[Piece]


class SurgeModel:
    """The surge model: its variables, the cover they give, and the penalties."""

    def __init__(self, problem: Problem, published: Roster, incident: Incident) -> None:
        self.problem = problem
        self.incident = incident
        self.grid = problem.grid
        self.model = cp_model.CpModel()
        self.scenario = problem.scenario
        self.offers = incident.offers(self.scenario)
        # the published week, less the work taken back from those who declined since
        self.published = {
            adviser_id: withdraw(shifts, incident.withdrawals(adviser_id))
            for adviser_id, shifts in published.by_adviser().items()
        }
        self.carried = problem.carry_in.by_adviser()
        self.since = self._ceil(incident.requested_at)
        self.keys = self._keys()
        self.fixed: dict[Key, list[int]] = {k: [0] * self.grid.count for k in self.keys}
        self.cover: dict[tuple[Key, int], list[cp_model.IntVar]] = defaultdict(list)
        self.cost: list[cp_model.LinearExprT] = []
        self.options: dict[str, list[Option]] = {}
        self.changeable: dict[tuple[str, datetime], list[tuple[Piece, str]]] = {}
        self.hint: dict[cp_model.IntVar, int] = {}
        self.floor = 0  # a lower bound of the objective: shortfall no choice can cover
        self.allowed: dict[int, bool] = {}  # new shift's literal -> rules allow it beside the week
        # who may cover each key and interval: an adviser works one channel at a time
        self.people: dict[tuple[Key, int], set[str]] = defaultdict(set)
        # the intervals of the incident the plan can still change, for the managers' ratio
        window = incident_window(self.grid, incident)
        self.window = range(max(window.start, self.since), window.stop)
        self.staffed: dict[tuple[str, int], cp_model.IntVar] = {}  # advisers on a channel
        self.booked: dict[int, list[cp_model.IntVar]] = defaultdict(list)  # outsourcers'
        self.duties: dict[str, list[tuple[ShiftOption, cp_model.IntVar]]] = {}
        self.bookings: list[tuple[Booking, cp_model.IntVar]] = []
        self.extra_cover: dict[tuple[Key, int], int] = defaultdict(int)  # bookings' upper bounds
        self.confirmed: dict[str, list[Span]] = defaultdict(list)
        for work in incident.confirmed:
            self.confirmed[work.person].append((work.start, work.end))

    def _ceil(self, instant: datetime) -> int:
        steps = (instant - self.grid.start) / self.grid.step
        return max(0, min(self.grid.count, math.ceil(steps)))

    def _index(self, instant: datetime) -> int:
        return int((instant - self.grid.start) / self.grid.step)

    def _keys(self) -> list[Key]:
        keys: list[Key] = [(c.name, None) for c in self.scenario.channels]
        return keys + [k for k in self.problem.requirements.ordered_keys() if k[1] is not None]

    def _keys_of(self, adviser: Adviser, channel: str) -> list[Key]:
        spoken = set(adviser.languages)
        return [k for k in self.keys if k[0] == channel and (k[1] is None or k[1] in spoken)]

    def build(self) -> SurgeModel:
        carried = self.problem.scheduled(Roster())
        for key in self.keys:
            self.fixed[key] = list(carried.get(key, [0] * self.grid.count))
        for adviser in self.scenario.advisers:
            if adviser.id in self.offers:
                self._volunteer(adviser)
            else:
                self._on_duty(adviser)
        for pool in self.incident.external:
            self._external(pool)
        self._demand()
        if self.incident.managers:
            for manager in self.incident.available_managers():
                self._manager(manager)
            self._ratio()
        self.model.minimize(sum(self.cost))
        for var, value in self.hint.items():
            self.model.add_hint(var, value)
        return self

    # --- advisers who did not volunteer: shifts fixed, later blocks may change channel

    def _on_duty(self, adviser: Adviser) -> None:
        team = self.scenario.team(adviser.team)
        for shift in self.published.get(adviser.id, []):
            chosen: list[tuple[Piece, str]] = []
            for activity in shift.activities:
                if activity.kind == BREAK:
                    continue
                if activity.start < self.incident.requested_at or len(adviser.channels) == 1:
                    self._add_fixed(adviser, activity.kind, activity.start, activity.end)
                    continue
                first, length = self._index(activity.start), activity.minutes // self.grid.minutes
                for lo, n in cut_blocks(first, length, self._min_block(team)):
                    piece = self._piece(adviser, lo, n, None)
                    chosen.append((piece, activity.kind))
                    for channel, lit in piece.channels.items():
                        self.hint[lit] = int(channel == activity.kind)
                        if channel != activity.kind:
                            self.cost.append(lit * self.incident.costs.channel_change * 60)
            if chosen:
                self.changeable[(adviser.id, shift.start)] = chosen

    def _min_block(self, team: Team) -> int:
        return max(1, team.rules.min_block_minutes // self.grid.minutes)

    def _add_fixed(self, adviser: Adviser, channel: str, start: datetime, end: datetime) -> None:
        for key in self._keys_of(adviser, channel):
            row = self.fixed[key]
            for t in self.grid.span(start, end):
                row[t] += 1

    def _piece(
        self, adviser: Adviser, first: int, length: int, on: cp_model.IntVar | None
    ) -> Piece:
        """A stretch whose channel the model picks; it works only if `on` (always if None)."""
        lits = {c: self.model.new_bool_var("") for c in adviser.channels}
        if on is None:
            self.model.add_exactly_one(lits.values())
        else:
            self.model.add(sum(lits.values()) == on)
        for channel, lit in lits.items():
            for key in self._keys_of(adviser, channel):
                for t in range(max(first, self.since), min(self.grid.count, first + length)):
                    self.cover[(key, t)].append(lit)
                    self.people[(key, t)].add(adviser.id)
        return Piece(first, length, lits)

    # --- volunteers: keep, extend, add or drop shifts under their labour rules

    def _volunteer(self, adviser: Adviser) -> None:
        team = self.scenario.team(adviser.team)
        offer = self.offers[adviser.id]
        earliest = self.incident.earliest_call_up
        if offer.available_from is not None:
            earliest = max(earliest, offer.available_from)
        published = self.published.get(adviser.id, [])
        choices: list[Option] = []
        for shift in published:
            choices.append(self._keep(adviser, team, shift))
            choices += self._extensions(adviser, team, shift, earliest)
        days = {to_local(s.start, team.timezone).date() for s in published}
        for o in self.problem.options_for(adviser):
            if o.day in days or o.start < earliest:
                continue
            if not (o.start < self.incident.end and self.incident.start < o.end):
                continue
            choices.append(self._new(adviser, team, o))
        self.options[adviser.id] = choices
        self._pin(adviser.id, lambda span: [c.literal for c in choices if satisfies(c, span)])
        for shift in published:
            mine = [c.literal for c in choices if c.base is shift]
            if shift.start < earliest:
                self.model.add(sum(mine) == 1)  # under way, or too soon to change
            else:
                self.model.add(sum(mine) <= 1)
                dropped = 1 - sum(mine)
                self.cost.append(dropped * self.incident.costs.move * 60)
        options, lits = [c.option for c in choices], [c.literal for c in choices]
        carried = self.carried.get(adviser.id, [])
        post_rules(self.model, adviser, team, options, lits, carried, self.grid)
        before = sum(team.rules.worked_minutes(s.minutes) for s in published)
        worked = sum(c.option.worked_minutes * c.literal for c in choices)
        self.model.add(worked <= before + round(offer.extra_hours * 60))
        pins = self.confirmed.get(adviser.id, [])
        pinned = [c for c in choices if any(satisfies(c, span) for span in pins)]
        for c in choices:
            # the published week, but for the accepted work that replaces a published shift
            replaced = any(d.base is c.base for d in pinned) and c.base is not None
            self.hint[c.literal] = int(c in pinned or (c.kind == "keep" and not replaced))
            for piece in c.pieces:
                for n, lit in enumerate(piece.channels.values()):
                    self.hint[lit] = int(c in pinned and n == 0)

    def _pin(self, person: str, matches: Callable[[Span], list[cp_model.IntVar]]) -> None:
        """Work `person` accepted stays: one option that works it as accepted is chosen."""
        for i, work in enumerate(self.incident.confirmed):
            if work.person != person:
                continue
            lits = matches((work.start, work.end))
            if not lits:
                raise ScenarioError(
                    "accepted work that no shift of theirs allowed by the rules makes any more",
                    source="incident",
                    where=f"confirmed[{i}]",
                )
            self.model.add_exactly_one(lits)

    # --- managers: duties for the ratio; the outsourcers' advisers

    def _manager(self, manager: Manager) -> None:
        """A manager's possible duties in the incident, under their team's labour rules."""
        team = self.scenario.team(manager.team)
        person = stand_in(manager, self)
        earliest = self.incident.earliest_call_up
        if manager.available_from is not None:
            earliest = max(earliest, manager.available_from)
        options = [
            o
            for o in self.problem.options_for(person)
            if o.start >= earliest and o.start < self.incident.end and self.incident.start < o.end
        ]
        lits = [self.model.new_bool_var("") for _ in options]
        post_rules(self.model, person, team, options, lits, [], self.grid)
        # a manager is on duty from start to end, their break included
        on_duty = sum(o.minutes * lit for o, lit in zip(options, lits, strict=True))
        self.model.add(on_duty <= round(manager.hours * 60))
        duties = list(zip(options, lits, strict=True))
        self._pin(manager.id, lambda span: [lit for o, lit in duties if (o.start, o.end) == span])
        pinned = set(self.confirmed.get(manager.id, []))
        for o, lit in duties:
            self.cost.append(lit * self.incident.costs.manager_duty * 60)
            if (o.start, o.end) in pinned:
                self.hint[lit] = 1  # the others are left to the start's completion
        self.duties[manager.id] = duties

    def _ratio(self) -> None:
        """One manager on duty for every N advisers working, or the missing ones paid for."""
        per = self.incident.advisers_per_manager
        on_duty: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for duties in self.duties.values():
            for o, lit in duties:
                for t in self.grid.span(o.start, o.end):
                    on_duty[t].append(lit)
        step = self.grid.minutes
        channels = [c.name for c in self.scenario.channels]
        for t in self.window:
            # each adviser works one channel at a time: the channels' staff less outsourcers'
            fixed = sum(self.fixed[(c, None)][t] for c in channels)
            staffed = [self.staffed[(c, t)] for c in channels if (c, t) in self.staffed]
            most = fixed + sum(len(self.cover.get(((c, None), t), [])) for c in channels)
            if most == 0:
                continue
            missing = self.model.new_int_var(0, math.ceil(most / per), "")
            working = fixed + sum(staffed) - sum(self.booked[t])
            self.model.add(per * (sum(on_duty[t]) + missing) >= working)
            self.cost.append(missing * self.incident.costs.manager_shortfall * step)

    def _external(self, pool: External) -> None:
        """Shifts of the outsourcer's advisers: how many start on each channel each hour."""
        earliest = self.incident.earliest_call_up
        if pool.available_from is not None:
            earliest = max(earliest, pool.available_from)
        step = self.grid.minutes
        length = round(pool.shift_hours * 60) // step
        hourly = max(1, 60 // step)
        first = self._ceil(earliest)
        first += (-first) % hourly  # on the hour of the grid
        active: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for start in range(first, self.window.stop, hourly):
            if start + length <= self.window.start:
                continue
            begin = self.grid.start + start * self.grid.step
            end = min(self.grid.end, begin + length * self.grid.step)
            for channel in pool.channels:
                count = self.model.new_int_var(0, pool.capacity, "")
                keys = [
                    k
                    for k in self.keys
                    if k[0] == channel and (k[1] is None or k[1] in pool.languages)
                ]
                for t in self.grid.span(begin, end):
                    active[t].append(count)
                    self.booked[t].append(count)
                    for key in keys:
                        self.cover[(key, t)].append(count)
                        self.extra_cover[(key, t)] += pool.capacity
                self.cost.append(
                    count * pool.cost_per_hour * len(self.grid.span(begin, end)) * step
                )
                self.bookings.append((Booking(pool.name, channel, begin, end, 0), count))
        for counts in active.values():
            self.model.add(sum(counts) <= pool.capacity)

    def _as_option(self, team: Team, shift: Shift) -> ShiftOption:
        rules = team.rules
        pause = [a for a in shift.activities if a.kind == BREAK]
        offsets = tuple(int((a.start - shift.start).total_seconds() // 60) for a in pause) or (0,)
        return ShiftOption(
            team.name,
            to_local(shift.start, team.timezone).date(),
            shift.start,
            shift.minutes,
            shift.break_minutes,
            rules.worked_minutes(shift.minutes),
            offsets,
        )

    def _keep(self, adviser: Adviser, team: Team, shift: Shift) -> Option:
        lit = self.model.new_bool_var("")
        fixed = [a for a in shift.activities if a.kind != BREAK]
        self._cover_fixed(adviser, fixed, lit)
        return Option("keep", self._as_option(team, shift), lit, shift, fixed, None, [])

    def _cover_fixed(self, adviser: Adviser, blocks: list[Activity], lit: cp_model.IntVar) -> None:
        for block in blocks:
            for key in self._keys_of(adviser, block.kind):
                for t in self.grid.span(block.start, block.end):
                    if t < self.since:
                        self.fixed[key][t] += 1  # worked already, whatever the plan
                    else:
                        self.cover[(key, t)].append(lit)
                        self.people[(key, t)].add(adviser.id)

    def _extensions(
        self, adviser: Adviser, team: Team, shift: Shift, earliest: datetime
    ) -> list[Option]:
        """Longer shifts from the same start, the added part after the lead time."""
        if shift.end < earliest:
            return []
        out = []
        step = self.grid.minutes
        for o in self.problem.options_for(adviser):
            if o.start != shift.start or o.minutes <= shift.minutes:
                continue
            if o.break_minutes != shift.break_minutes:
                continue  # a break to add or lengthen would cut the published blocks
            lit = self.model.new_bool_var("")
            fixed = [a for a in shift.activities if a.kind != BREAK]
            self._cover_fixed(adviser, fixed, lit)
            first = self._index(shift.end)
            length = (o.minutes - shift.minutes) // step
            last = fixed[-1].kind if fixed else adviser.channels[0]
            piece = self._piece(adviser, first, length, lit)
            if length < self._min_block(team) and last in piece.channels:
                self.model.add(piece.channels[last] == lit)  # too short to stand alone
            self.cost.append(lit * self.incident.costs.extension * 60)
            out.append(Option("extend", o, lit, shift, fixed, None, [piece]))
        return out

    def _new(self, adviser: Adviser, team: Team, o: ShiftOption) -> Option:
        lit = self.model.new_bool_var("")
        step = self.grid.minutes
        first = self._index(o.start)
        length = o.minutes // step
        stretches = [(first, length)]
        break_at = None
        if o.break_minutes:
            offset = max(o.break_offsets, key=lambda j: min(j, o.minutes - j - o.break_minutes))
            break_at = o.start + timedelta(minutes=offset)
            b = first + offset // step
            e = b + o.break_minutes // step
            stretches = [(first, b - first), (e, first + length - e)]
        # one channel per stretch (before and after the break): finer pieces would multiply
        # the variables of every option of every volunteer for little more cover
        pieces = [self._piece(adviser, lo, n, lit) for lo, n in stretches]
        self.cost.append(lit * self.incident.costs.call_up * 60)
        return Option("new", o, lit, None, [], break_at, pieces)

    # --- demand

    def _demand(self) -> None:
        weights = self.scenario.weights
        step = self.grid.minutes
        req = self.problem.requirements
        for key in self.keys:
            channel, language = key
            need = req.headcount(channel) if language is None else req.required.get(key)
            if need is None:
                continue
            for t in range(self.since, self.grid.count):
                gap = need[t] - self.fixed[key][t]
                lits = self.cover.get((key, t), [])
                most = len(self.people[(key, t)]) + self.extra_cover[(key, t)]
                if language is None and lits and t in self.window:
                    # one sum that the demand and the managers' ratio share
                    staffed = self.model.new_int_var(0, most, "")
                    self.model.add(staffed == sum(lits))
                    self.staffed[(channel, t)] = staffed
                    lits = [staffed]
                if gap > 0:
                    short = self.model.new_int_var(0, gap, "")
                    self.model.add(sum(lits) + short >= gap)
                    self.cost.append(short * weights.shortfall * step)
                    # what no choice can cover, a bound even where the search proves none
                    self.floor += max(0, gap - most) * weights.shortfall * step
                if language is None and lits and weights.overstaffing:
                    over = self.model.new_int_var(0, most, "")
                    self.model.add(over >= sum(lits) - max(0, gap))
                    self.cost.append(over * weights.overstaffing * step)


def stand_in(manager: Manager, builder: SurgeModel) -> Adviser:
    """A manager as an adviser of their team, for the shift options and the labour rules."""
    return Adviser(
        id=manager.id, name=manager.name, team=manager.team, channels=[builder.keys[0][0]]
    )


def added_span(option: Option) -> Span | None:
    """What an option adds to the published week: a new shift, or the part an extension adds."""
    if option.kind == "new":
        return option.option.start, option.option.end
    if option.kind == "extend":
        assert option.base is not None
        return option.base.end, option.option.end
    return None


def satisfies(option: Option, span: Span) -> bool:
    """Whether choosing `option` works `span` as it was accepted (published since, or added)."""
    start, end = span
    if option.option.end != end:
        return False
    if option.kind == "keep":
        return option.option.start <= start
    return added_span(option) == span


def post_rules(
    model: cp_model.CpModel,
    adviser: Adviser,
    team: Team,
    options: list[ShiftOption],
    literals: list[cp_model.IntVar],
    carried: list[Shift],
    grid: Grid,
) -> None:
    """Every labour rule of a volunteer's week but the contract: their offer caps the hours."""
    off = model.new_bool_var("contract off")
    model.add(off == 0)

    def enforce(rule: str) -> list[cp_model.IntVar]:
        return [off] if rule == "contract_hours" else []

    week = AdviserChoices(adviser, team, options, literals, carried, 0)
    add_labour_rules(model, week, enforce)
    add_weekly_rest(model, week, grid.start, grid.end, enforce)
