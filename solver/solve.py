"""Solve a week: stage 1 (shifts, bound), stage 2 (breaks and channel blocks), then score."""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ortools.sat.python import cp_model

from roster.penalties import penalties
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Roster, Shift
from roster.validation import validate
from solver.activities_model import ActivityModel, place_breaks
from solver.branch_and_cut import MAX_ADVISERS, BranchAndCut
from solver.classes import AdviserClass
from solver.days import DaySearch
from solver.disaggregate import EXACT_SPLIT, assign, missed, missing
from solver.explain import explain
from solver.floor import Floor, shortfall_floor
from solver.greedy import greedy_weeks
from solver.hints import (
    Reader,
    Solution,
    best_within,
    complete_hint,
    hint,
    round_relaxation,
)
from solver.parts import settle_parts
from solver.relaxation import LinearRelaxation, Relaxation
from solver.result import Progress, SolveResult
from solver.shifts_model import SCALE, Costs, ShiftModel
from solver.threads import Background

log = logging.getLogger(__name__)
OnProgress = Callable[[Progress], None]
Weeks = dict[str, list[ShiftOption]]  # per adviser id, the shifts they work
# Shares of the time limit: on small weeks the independent parts but the largest at most 20%,
# the relaxation at most 20% (2 s at least), its dive until 50%, the start it gives completed
# until 60%, shifts until 70%, persons until 78%, blocks after that; if the persons cannot
# work a small class's counts, shifts again and the split of the classes they change until
# 84% (2% of the limit for that split). On small weeks the steps from the shifts' end on
# come SMALL_LATER later (see DAYS_UNTIL).
PARTS_SHARE, RELAXATION_SHARE, DIVE_UNTIL, ROUNDED_UNTIL = 0.20, 0.20, 0.50, 0.60
# The dive has this share at least, wherever the steps before it ended: on a 2-core Intel
# Xeon they took until 4.2-4.7 s of 10 on one 30-adviser week, the dive's 0.3-0.8 s found
# nothing, and the roster from the fallbacks ended 60-66% from its bound (23% with 1.5 s,
# 10.4% with 2.5 s); the service's example week needed 1.1-1.7 s there.
DIVE_MIN_SHARE = 0.25
SHIFTS_UNTIL, PERSONS_UNTIL, AGAIN_UNTIL, PERSONS_AGAIN_SHARE = 0.70, 0.78, 0.84, 0.02
# On small weeks the shifts are first searched two days at a time (solver.days) until this
# share of the limit, then the whole week from the point found until SHIFTS_UNTIL, and every
# step after the shifts comes SMALL_LATER later than on large weeks. Their blocks reach
# nearly all they will within a second (airline_week in 10 s: 17,393 points 0.1 s after the
# blocks began, 17,328 at the limit 2.4 s later) where a pair of days that gains takes
# 1.3-2.6 s: with 66% and no shift later, a 2-core Intel Xeon searched no pair in 10 s.
DAYS_UNTIL, SMALL_LATER = 0.74, 0.08
# On weeks of at most MAX_ADVISERS advisers SCIP searches the shifts beside the dive, until
# this share of the limit: on six generated 30-adviser weeks in 10 s the gaps averaged 11.6%
# with 68% and 15.7% with 55%, where SCIP's first point came too late on two of them. Once
# GLOP has solved the relaxation, SCIP is stopped if it has less than BRANCH_AND_CUT_PACE
# times GLOP's time left: its first point came about 8 times as late (9.0 s against 1.2 s on
# one machine, 3.3 s against 0.4 s on a faster one), and a SCIP with no time to find one only
# slows the dive beside it.
BRANCH_AND_CUT_UNTIL, BRANCH_AND_CUT_PACE = 0.68, 8.0
# On those weeks the completion of the dive's shifts stops once it has not improved for this
# share of the limit (it found its last point by 2 s and searched on until 6 s on the week of
# seed 0), and the time it leaves goes to the shortfall floor (solver.floor) beside SCIP,
# FLOOR_LIFT_SHARE of it kept for the relaxation held to the floor. On six generated
# 30-adviser weeks in 10 s the gaps averaged 2.2% with the floor against 3.9% without.
COMPLETION_STALL_SHARE, FLOOR_LIFT_SHARE = 0.10, 0.10
# A completion of shifts (the dive's, the greedy's) has this share at least, wherever the step
# before it ended: on airline_week in 10 s with the cores shared by two other processes, the
# dive ended at 7.5 s, 0.5 s of completion found nothing and the greedy start gave a roster of
# 46,574 points. So has the relaxation with those shifts fixed, whose rounding hints it: when
# the dive ended at 6.1 s that relaxation had no time left, and the completion without its
# hint found 140,015 points (the roster: 41,577) where with it it finds about 17,900.
COMPLETION_MIN_SHARE = 0.10
# The floor's root takes 8-11 times GLOP's solve of the relaxation (6-8 s against 0.5-1.0 s
# on six 30-adviser weeks, 2-core Intel Xeon): with less time than this it proves nothing,
# and on one such week it had taken 3.2 s from the search to prove nothing.
FLOOR_PACE = 8.0
# Of the time left for the blocks once their relaxation is rounded, this share goes to the
# blocks it left fractional, the rest to the whole model.
RINS_SHARE = 0.6
# The shifts' search stops when it has not improved for 10% of the limit (2 s at least).
STALL_SHARE, STALL_MIN_SECONDS = 0.10, 2.0
# A quick split of a stage-1 point into persons, to judge whether its counts can be worked.
CHECK_SHARE = 0.02


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution with the bound at that moment."""

    def __init__(
        self,
        started: float,
        stage: str,
        offset: float,
        sink: list[Progress],
        on_progress: OnProgress | None,
    ) -> None:
        super().__init__()
        self.started, self.stage, self.offset = started, stage, offset
        self.sink, self.on_progress = sink, on_progress
        self.bound: float | None = None  # fixed: the bound of an earlier stage
        self.floor = 0.0  # known from elsewhere: the search's own bound may start lower
        # how far parts fixed apart without proof may lie above their optimum: a bound of the
        # model they narrowed, less this, holds for the whole problem
        self.slack = 0.0
        self.last = time.monotonic()  # of the last improving solution
        self.solutions = 0  # heard so far

    def on_solution_callback(self) -> None:
        # stage 2 fixes the shifts, so only stage 1's bound holds for the whole problem
        own = self.proven(self.best_objective_bound / SCALE)
        self.heard(self.objective_value, self.bound if self.bound is not None else own)

    def proven(self, found: float = 0.0) -> float:
        """The bound for the whole problem, given one `found` for the model searched."""
        return max(self.floor, found) - self.slack

    def heard(self, objective: float, bound: float) -> None:
        """Report a better point (objective in model units), found by this search or another."""
        event = Progress(
            seconds=round(time.monotonic() - self.started, 2),
            objective=objective / SCALE + self.offset,
            bound=bound,
            stage=self.stage,
        )
        self.sink.append(event)
        self.last = time.monotonic()
        self.solutions += 1
        if self.on_progress:
            self.on_progress(event)


@contextmanager
def _stop_on_stall(solver: cp_model.CpSolver, watcher: _Watcher, seconds: float) -> Iterator[None]:
    """Stop the search once it has found a solution and `seconds` pass without a better one.

    The time it leaves goes to the stages after it: on the 750-adviser week stage 1 found its
    last improvement 25 s before its share of the limit ran out.
    """
    done = threading.Event()
    before = watcher.solutions

    def watch() -> None:
        while not done.wait(0.2):
            if watcher.solutions > before and time.monotonic() - watcher.last > seconds:
                solver.stop_search()
                return

    watcher.last = time.monotonic()
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _solver(
    problem: Problem, seconds: float, workers: int | None, seed: int | None
) -> cp_model.CpSolver:
    settings = problem.scenario.solver
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers or settings.workers
    solver.parameters.random_seed = settings.seed if seed is None else seed
    solver.parameters.log_search_progress = log.isEnabledFor(logging.DEBUG)
    solver.log_callback = log.debug
    return solver


def _no_roster(
    status: str,
    diagnosis: list[str],
    started: float,
    progress: list[Progress],
    bound: float = 0.0,
) -> SolveResult:
    """A solve that ends without a roster: its status and, in words, why."""
    return SolveResult(
        status,
        Roster(),
        None,
        bound,
        time.monotonic() - started,
        diagnosis=diagnosis,
        progress=progress,
    )


def _unsettled(stage1: ShiftModel, values: dict[int, int]) -> dict[int, int]:
    """The values of variables not fixed yet: a part settled apart keeps its own values."""
    domains = stage1.model.proto.variables
    return {
        i: v
        for i, v in values.items()
        if len(domains[i].domain) > 2 or domains[i].domain[0] != domains[i].domain[1]
    }


def _completed(
    stage1: ShiftModel,
    relaxation: LinearRelaxation,
    shifts: dict[int, int],
    until: float,
    least: float,
    workers: int,
    seed: int,
    watcher: _Watcher | None = None,
    solver: cp_model.CpSolver | None = None,
) -> list[int] | None:
    """The best breaks and channels for these shift counts, searched until `until` (an instant)
    and for `least` seconds at least.

    With the shifts whole the rest of the relaxation is nearly whole too (1 to 21 values
    fractional on 30-adviser weeks): rounded, it hints the search, which found 38,545 points
    at once on one such week and 170,512 without it. That relaxation is small (0.06 s where
    the whole one took 1.4 s, on a busy machine), so it is tried even where GLOP ran out of
    time on the whole.
    """
    fixed = relaxation.fixed(shifts, max(until, time.monotonic() + least))
    return complete_hint(
        stage1.model,
        shifts,
        seconds=max(least, until - time.monotonic()),
        workers=workers,
        seed=seed,
        watcher=watcher,
        start=fixed.rounded() if fixed else None,
        solver=solver,
    )


def _greedy_start(
    stage1: ShiftModel,
    relaxation: LinearRelaxation,
    splits: _Splits,
    until: float,
    limit: float,
    workers: int,
    seed: int,
) -> list[int] | None:
    """A cover-aware greedy week, its breaks and channels completed: the start of last resort.

    Its weeks are kept as the split of its counts: on airline_week in 10 s with the cores
    shared by two other processes, the persons step had 0.2 s for that split where the greedy
    was the only start, and lost 15,000 points of cover the greedy's own weeks did not. Its
    completion ends at `until` (COMPLETION_MIN_SHARE of the limit at least): searched for a
    fixed 2 s from 8 s on, it ended the week of 2026-10-19 at 12.1 s of 10.
    """
    weeks = greedy_weeks(stage1.problem)
    least = COMPLETION_MIN_SHARE * limit
    point = _completed(
        stage1, relaxation, _unsettled(stage1, stage1.fixing(weeks)), until, least, workers, seed
    )
    if point is not None:
        splits.remember(point, weeks, CHECK_SHARE * limit)
    return point


def _take_branch_and_cut(
    scip: BranchAndCut,
    stage1: ShiftModel,
    start_from: list[int] | None,
    watcher: _Watcher,
    splits: _Splits,
    limit: float,
    workers: int,
    seed: int,
) -> list[int] | None:
    """SCIP's bound if higher, and its point if better than CP-SAT's search beside it."""
    if start_from is not None and (beside := scip.deadline - time.monotonic()) > 0.5:
        # CP-SAT improves its own start meanwhile: on airline_week in 30 s, waiting idle for
        # SCIP's 16 s cost more than SCIP's point gained
        solver = _solver(stage1.problem, beside, workers, seed)
        if solver.solve(stage1.model, watcher) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            start_from = hint(stage1.model, list(solver.response_proto.solution))
    found = scip.result()
    if found is None:
        return start_from
    watcher.floor = max(watcher.floor, found.bound / SCALE)
    watcher.bound = watcher.proven()
    shifts = stage1.shift_variables()
    before = Solution(stage1.model, start_from).objective_value if start_from else math.inf
    if found.values is None or found.objective is None or found.objective >= before:
        return start_from
    # SCIP's whole point, checked by CP-SAT (its tolerances could round a value off), else
    # only its shifts, with breaks and channels searched again
    for fixed in (dict(enumerate(found.values)), {i: found.values[i] for i in shifts}):
        completed = complete_hint(
            stage1.model,
            fixed,
            seconds=max(0.5, 0.05 * limit),
            workers=workers,
            seed=seed,
            watcher=watcher,
        )
        if completed:
            break
    else:
        return start_from
    # a MIP optimum leans on the class model's summed rules: on airline_week in 30 s SCIP's
    # counts left one shift no member could work, and the roster lost 4,000 points to it
    if start_from and not _keeps(splits, stage1.model, completed, start_from, limit):
        return hint(stage1.model, start_from)
    return completed


def _keeps(
    splits: _Splits, model: cp_model.CpModel, point: list[int], other: list[int], limit: float
) -> bool:
    """Whether `point` scores better than `other` once split into persons (each shift the
    persons miss counted as all shortfall), or misses nothing.

    A quick split first; where it misses, both again with the time the persons step will
    have: on the 30-adviser week of seed 1 the quick split (0.2 s) of SCIP's point missed 2-3
    counts of a class of 13 and kept a start 200 points worse, where 0.6 s missed none.
    """
    if splits.loses(point, CHECK_SHARE * limit) == 0:
        return True
    seconds = (PERSONS_UNTIL - SHIFTS_UNTIL) * limit
    lost = splits.loses(point, seconds)
    if lost == 0:
        return True
    ours = Solution(model, point).objective_value + lost
    return ours < Solution(model, other).objective_value + splits.loses(other, seconds)


def _scip_pace(relaxed: Relaxation | None, took: float, cap: float) -> float:
    """The seconds SCIP needs for a first point, judged by GLOP's solve of the relaxation
    (`relaxed`, or None after `took` seconds of the `cap` it had)."""
    if relaxed:
        return BRANCH_AND_CUT_PACE * relaxed.seconds
    if took >= 0.9 * cap:
        # GLOP out of time: SCIP's root, slower still, cannot end either (airline_week in
        # 10 s with the cores shared by two other processes: SCIP found nothing by 6.8 s)
        return math.inf
    return 0.0  # GLOP failed at once: no pace to judge by, and SCIP may be the only search left


def _floor_time(limit: float, elapsed: float, relaxed: Relaxation | None) -> float | None:
    """The seconds the shortfall floor has, or None if at the pace GLOP solved the
    relaxation (`relaxed`) its root cannot be done in them."""
    seconds = limit * BRANCH_AND_CUT_UNTIL - elapsed
    needs = FLOOR_PACE * relaxed.seconds if relaxed else 0.0
    if seconds - FLOOR_LIFT_SHARE * limit < needs:
        log.info("no shortfall floor: at this pace its root needs %.1f s", needs)
        return None
    return seconds


def _hold(stage1: ShiftModel, found: Floor | None, watcher: _Watcher) -> None:
    """The shortfall floor as a row of the shift model, and its bound if higher."""
    if found is None:
        return
    log.info("shortfall floor: %d adviser-intervals, bound %s", found.count, found.bound)
    stage1.model.add(sum(stage1.shortfall) >= found.count)
    if found.bound is not None:
        watcher.floor = max(watcher.floor, found.bound / SCALE)
        watcher.bound = watcher.proven()


def _members_again(
    stage1: ShiftModel,
    splits: _Splits,
    found: Reader,
    chosen: Weeks,
    until: float,
    limit: float,
    seed: int,
) -> tuple[Solution, Weeks] | None:
    """If the persons' weeks miss counts of a small class, those classes modelled member by
    member and stage 1 searched again around `found` (every other class's counts held), and
    the classes whose counts change split again; the new point and weeks, or None if not
    needed, not in time or no better.

    A small class (solver.disaggregate splits all its members at once) that misses counts
    misses them for good: on the 750-adviser week of seed 0 a class of six missed 3 of its
    counts with 2, 30 or 90 s for the split, and on that of seed 1 classes of 8 and 9 missed
    6 shifts that no split can work (the column split's program proves it). Searched whole
    from `found`, that week's stage 1 found nothing better than 647,650 points in 15 s
    against 549,980 for the point it had (the search lost the point as it changed the
    counts); held, it found 522,000. A point is scored by its objective plus the cover of
    the shifts its persons miss, each as if it were all shortfall.
    """
    problem = stage1.problem
    counts = stage1.counts(found)
    lost = [
        i
        for i, (cls, n) in enumerate(zip(stage1.classes, counts, strict=True))
        if 1 < cls.size <= EXACT_SPLIT and missed([cls], [n], chosen)
    ]
    reserve = PERSONS_AGAIN_SHARE * limit  # for the split of the classes that change
    seconds = until - time.monotonic() - reserve
    if not lost or seconds < 1.0:
        return None

    def score(objective: float, counts: list[dict[ShiftOption, int]], weeks: Weeks) -> float:
        return objective + splits.lost(counts, weeks)

    worth = score(found.objective_value, counts, chosen)
    log.info("the persons miss counts of %d small classes: stage 1 again", len(lost))
    values = _values(found)
    start = dict(enumerate(values))
    for i in lost:
        stage1.add_members(i)
        cls = stage1.classes[i]
        # the members' weeks as split: each breaks none of their rules
        for member, week in zip(cls.members, stage1.member_weeks[-cls.size :], strict=True):
            works = set(chosen[member.id])
            start.update(
                {lit.index: int(o in works) for o, lit in zip(cls.options, week, strict=True)}
            )
    held = {
        lit.index: values[lit.index]
        for i, c in enumerate(stage1.choices)
        if i not in lost
        for lit in c.literals
    }
    solver = _solver(problem, seconds, None, seed)
    # heard by no one: its first points may score worse than the progress reported so far
    watcher = _Watcher(time.monotonic(), "shifts", 0.0, [], None)
    with _stop_on_stall(solver, watcher, max(STALL_MIN_SECONDS, STALL_SHARE * limit)):
        point = complete_hint(
            stage1.model,
            held,
            seconds,
            workers=problem.scenario.solver.workers,
            seed=seed,
            watcher=watcher,
            start=start,
            solver=solver,
        )
    if point is None:
        return None
    again = Solution(stage1.model, point)
    if again.objective_value >= worth:
        return None
    after = stage1.counts(again)
    moved = [
        (cls, n) for cls, n, was in zip(stage1.classes, after, counts, strict=True) if n != was
    ]
    weeks = chosen | assign(
        problem,
        [cls for cls, _ in moved],
        [n for _, n in moved],
        seconds=max(0.2, until - time.monotonic()),
        seed=seed,
    )
    new = score(again.objective_value, after, weeks)
    log.info(
        "stage 1 again: %d points with its persons' misses, against %d", new / SCALE, worth / SCALE
    )
    if new >= worth:
        return None
    return again, weeks


def _values(found: Reader) -> list[int]:
    """Every variable's value in a solver's last solution or in a Solution."""
    if isinstance(found, Solution):
        return found.values
    return list(found.response_proto.solution)


class _Splits:
    """Stage-1 points split into persons, kept so that a split made to judge a point serves
    the persons step if the search keeps that point: at 10 s on the 30-adviser week of seed
    1, judging SCIP's point took the persons step's time, which then missed 2 of its counts
    (8,000 points of shortfall)."""

    def __init__(self, stage1: ShiftModel, seed: int) -> None:
        self.stage1, self.seed = stage1, seed
        self.per_minute = Costs.of(stage1.problem).shortfall // stage1.problem.grid.minutes
        self._made: dict[tuple[object, ...], tuple[int, float, Weeks]] = {}

    def lost(
        self,
        counts: list[dict[ShiftOption, int]],
        weeks: Weeks,
        classes: list[AdviserClass] | None = None,
    ) -> int:
        """The cover of the counted shifts the weeks miss, each as if it were all shortfall
        (model units)."""
        short = missing(classes or self.stage1.classes, counts, weeks)
        return self.per_minute * sum(o.minutes * k for o, k in short.items())

    def split(
        self, classes: list[AdviserClass], counts: list[dict[ShiftOption, int]], seconds: float
    ) -> tuple[int, Weeks]:
        """The cover lost and the weeks of the best split of `counts` within `seconds`: one
        made before with as much time that lost nothing, else a new one if it loses less."""
        key = self._key(classes, counts)
        made = self._made.get(key)
        if made is None or made[0] > 0 or made[1] < seconds:
            chosen = assign(self.stage1.problem, classes, counts, seconds=seconds, seed=self.seed)
            new = (self.lost(counts, chosen, classes), seconds, chosen)
            if made is None or new[0] <= made[0]:
                made = self._made[key] = new
        return made[0], made[2]

    def remember(self, values: list[int], weeks: Weeks, seconds: float) -> None:
        """`weeks` as the split of the point `values`, which was made from them; the classes
        whose counts they do not give (a part settled apart) split within `seconds`."""
        classes = self.stage1.classes
        counts = self.stage1.counts(Solution(self.stage1.model, values))
        other = [i for i, n in enumerate(counts) if missed([classes[i]], [n], weeks)]
        if other:
            split = [classes[i] for i in other], [counts[i] for i in other]
            weeks = weeks | assign(self.stage1.problem, *split, seconds=seconds, seed=self.seed)
        self._made[self._key(classes, counts)] = (self.lost(counts, weeks), math.inf, weeks)

    @staticmethod
    def _key(
        classes: list[AdviserClass], counts: list[dict[ShiftOption, int]]
    ) -> tuple[object, ...]:
        return tuple(
            (cls.members[0].id, frozenset(n.items()))
            for cls, n in zip(classes, counts, strict=True)
        )

    def loses(self, values: list[int] | dict[int, int], seconds: float) -> int:
        """The cover a split of `seconds` loses of a stage-1 point's counts (model units).

        `values` by variable index; given only in part, the classes whose counts it holds.
        """
        known = values if isinstance(values, dict) else dict(enumerate(values))
        return self.split(*self.stage1.known_counts(known), seconds)[0]


def solve(
    problem: Problem,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: OnProgress | None = None,
) -> SolveResult:
    """Build the week's roster within `time_limit` seconds (default: the scenario's)."""
    started = time.monotonic()
    limit = time_limit or problem.scenario.solver.time_limit_seconds
    progress: list[Progress] = []

    stage1 = ShiftModel(problem).build()
    settings = problem.scenario.solver
    seed = settings.seed if seed is None else seed
    workers = workers or settings.workers
    small = len(problem.scenario.advisers) <= MAX_ADVISERS
    late = SMALL_LATER if small else 0.0
    slack = 0.0  # of the parts fixed apart without proof
    splits = _Splits(stage1, seed)
    if small:
        # the parts of the week that share no interval (a night team's) are solved apart first:
        # their best points are fixed, which raises the relaxation's bound by their own gap
        # (less the slack of those not proven) and leaves the search to the rest. Only on small
        # weeks: on three 750-adviser weeks the rosters ended 2.1-14.5% from their bounds
        # (1.1-1.8% without); on one of them, two runs found stage-1 points within 0.1% in 6 s
        # that the persons step missed 17 and 27 counts of
        slack = settle_parts(
            stage1.model,
            PARTS_SHARE * limit,
            workers,
            seed,
            # a point is fixed only if the part's classes' members can work all its counts
            accept=lambda values: splits.loses(values, CHECK_SHARE * limit) == 0,
        ).slack
    relaxation = LinearRelaxation(stage1.model)
    scip = None
    if small:
        seconds = limit * BRANCH_AND_CUT_UNTIL - (time.monotonic() - started)
        try:
            scip = BranchAndCut(relaxation, seconds).start()
        except ValueError as error:  # SCIP is a help here, never a reason to fail
            log.warning("%s", error)
    cap = max(2.0, RELAXATION_SHARE * limit)
    began = time.monotonic()
    relaxed = relaxation.solve(seconds=cap)
    pace = _scip_pace(relaxed, time.monotonic() - began, cap)
    if scip is not None and scip.deadline - time.monotonic() < pace:
        log.info("SCIP stopped: at this pace its first point needs %.1f s, more than it has", pace)
        scip.stop()
        scip = None
    watcher = _Watcher(started, "shifts", 0.0, progress, on_progress)
    watcher.floor = relaxed.bound() / SCALE if relaxed else 0.0
    watcher.slack = slack / SCALE
    # the starts below are searched with some variables fixed: their bounds hold only there
    watcher.bound = watcher.proven()
    # while SCIP searches, the dive's completions leave it a core (the search beside it, in
    # _take_branch_and_cut, has the scenario's workers)
    beside_scip = 1 if scip is not None else workers
    start_from, dived = None, None
    if relaxed:
        dive_until = max(started + limit * DIVE_UNTIL, time.monotonic() + limit * DIVE_MIN_SHARE)
        dived = relaxation.dive(stage1.shift_groups(), seconds=dive_until - time.monotonic())
        if dived is None and time.monotonic() < dive_until:
            relaxation.reset()  # a dead end, not the clock: dive again, keeping options open
            dived = relaxation.dive(
                stage1.shift_groups(),
                seconds=max(0.5, dive_until - time.monotonic()),
                zeros_free=True,
            )
        if dived is not None:
            completion = cp_model.CpSolver()
            with _stop_on_stall(
                completion, watcher, COMPLETION_STALL_SHARE * limit if small else math.inf
            ):
                start_from = _completed(
                    stage1,
                    relaxation,
                    dived,
                    started + limit * ROUNDED_UNTIL,
                    COMPLETION_MIN_SHARE * limit,
                    beside_scip,
                    seed,
                    watcher,
                    completion,
                )
    if relaxed and start_from is None:
        # a dive out of time is rounded from its last point, most of its counts whole (the week
        # of 2026-10-19 in 10 s on cores shared with two other processes: rounded from the
        # root's point, 1 s found nothing and the greedy start scored 41,996 points)
        start_from = round_relaxation(
            stage1.model,
            relaxed if dived is not None else relaxation.last or relaxed,
            stage1.shift_variables(),
            seconds=max(
                COMPLETION_MIN_SHARE * limit, limit * ROUNDED_UNTIL - (time.monotonic() - started)
            ),
            workers=beside_scip,
            seed=seed,
            watcher=watcher,
        )
    floor_seconds = None
    if small and pace < math.inf:  # a GLOP out of time: the floor's root cannot end either
        floor_seconds = _floor_time(limit, time.monotonic() - started, relaxed)
    floor = None
    if floor_seconds is not None:
        # SCIP's root releases the interpreter: the floor is proven on one core meanwhile
        floor = Background(
            lambda: shortfall_floor(
                relaxation,
                [v.index for v in stage1.shortfall],
                seconds=floor_seconds,
                lift_seconds=FLOOR_LIFT_SHARE * limit,
            )
        )
    if small and start_from is not None:
        # CP-SAT's search of the whole week stalls where a better week moves shifts between
        # two days (solver.days): those moves first, one pair of days per core left free
        busy = (floor is not None) + (scip is not None)
        days = DaySearch(
            stage1,
            max(1, workers - busy),
            seed,
            on_better=lambda value: watcher.heard(value, watcher.proven()),
        )
        better = days.improve(start_from, started + limit * DAYS_UNTIL)
        log.info("days: %d pairs searched, %s", days.solved, "better" if better else "no gain")
        if better is not None:
            start_from = hint(stage1.model, better)
    if floor is not None:
        _hold(stage1, floor.result(), watcher)
    if scip is not None:
        start_from = _take_branch_and_cut(
            scip, stage1, start_from, watcher, splits, limit, workers, seed
        )
    shifts_until = started + limit * (SHIFTS_UNTIL + late)
    last_resort = functools.partial(
        _greedy_start, stage1, relaxation, splits, limit=limit, workers=workers, seed=seed
    )
    if start_from is None:
        start_from = last_resort(until=min(time.monotonic() + 0.2 * limit, shifts_until))
    solver = _solver(problem, shifts_until - time.monotonic(), workers, seed)
    watcher.bound = None  # the whole model now: its bound (less the slack) holds for every roster
    with _stop_on_stall(solver, watcher, max(STALL_MIN_SECONDS, STALL_SHARE * limit)):
        status = solver.solve(stage1.model, watcher)
    bound = watcher.proven(solver.best_objective_bound / SCALE)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
        # out of time before the search reported anything: keep the start it was given, or
        # make one now (a slow machine may use up a short limit before any start is found)
        start_from = start_from or last_resort(until=time.monotonic())
    found: Reader = solver
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE) and start_from:
        found, status = Solution(stage1.model, start_from), cp_model.FEASIBLE
    if status == cp_model.INFEASIBLE:
        return _no_roster(
            "IMPOSSIBLE",
            explain(problem)
            or [
                "the scenario's rules cannot all hold together; no single adviser's rules "
                "conflict, so look at the channel split targets of the teams"
            ],
            started,
            progress,
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _no_roster(
            "NO_SOLUTION", [f"no roster found in {limit:g} s; allow more time"], started, progress
        )
    lost, chosen = splits.split(
        stage1.classes,
        stage1.counts(found),
        seconds=max(0.2, limit * (PERSONS_UNTIL + late) - (time.monotonic() - started)),
    )
    log.info("persons: %d points of cover lost", lost / SCALE)
    again = _members_again(
        stage1, splits, found, chosen, started + limit * (AGAIN_UNTIL + late), limit, seed
    )
    if again is not None:
        # a point of a search with the other classes held: its bound holds for it alone
        (found, chosen), status = again, cp_model.FEASIBLE
    stage1_optimal = status == cp_model.OPTIMAL
    contracted = [a.id for cls in stage1.classes if cls.contract_minutes > 0 for a in cls.members]
    if any(not chosen[a] for a in contracted) and (diagnosis := explain(problem)):
        # a class's summed rules held, but some member's own rules cannot
        return _no_roster("IMPOSSIBLE", diagnosis, started, progress)
    break_at = place_breaks(problem, chosen, stage1.break_counts(found))
    # what the persons' weeks score on the rules stage 2 cannot change (counted per class,
    # stage 1 scores fairness lower than the persons may get)
    weeks = Roster([Shift(a, o.start, o.end, ()) for a, w in chosen.items() for o in w])
    scored = penalties(problem, weeks)
    fixed_terms = {
        rule: scored[rule] for rule in ("fairness_nights", "fairness_weekends", "preferences")
    }
    offset = sum(fixed_terms.values())

    stage2 = ActivityModel(problem, chosen, break_at, stage1.channel_targets(found))
    watcher = _Watcher(started, "blocks", offset, progress, on_progress)
    watcher.bound = bound
    # the relaxation of the blocks is nearly whole: rounded, it starts the search far nearer
    # the optimum than the stage-1 counts do
    if stage2.follow_relaxation(seconds=max(1.0, 0.5 * (limit - (time.monotonic() - started)))):
        # first decide only what the relaxation left fractional (a twentieth of the blocks):
        # on the 750-adviser week 6 s of this gained more than 25 s on the whole model
        best_within(
            stage2.model,
            {i: (1, 1) for i in stage2.whole},
            seconds=max(0.5, RINS_SHARE * (limit - (time.monotonic() - started))),
            workers=workers,
            seed=seed,
            watcher=watcher,
        )
    remaining = limit - (time.monotonic() - started)
    solver2 = _solver(problem, max(1.0, remaining), workers, seed)
    status2 = solver2.solve(stage2.model, watcher)
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        roster = stage2.roster(solver2)
    elif status2 == cp_model.UNKNOWN and not validate(problem, stage2.roster(None)):
        roster = stage2.roster(None)  # out of time: the hint already breaks no rule
    else:
        log.warning("block placement found no solution (%s)", solver2.status_name(status2))
        return _no_roster(
            "NO_SOLUTION",
            ["channel blocks could not meet every adviser's split; allow more time"],
            started,
            progress,
            bound,
        )
    points = penalties(problem, roster)
    objective = sum(points.values())
    exact = stage1_optimal and status2 == cp_model.OPTIMAL and objective <= bound + 1e-6
    return SolveResult(
        "OPTIMAL" if exact else "FEASIBLE",
        roster,
        round(objective, 4),
        round(min(bound, objective), 4),
        round(time.monotonic() - started, 3),
        penalties={k: round(v, 4) for k, v in points.items()},
        progress=progress,
    )
