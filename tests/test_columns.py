"""A large class split into persons by column generation: weeks as columns, then whole counts."""

from __future__ import annotations

import random
import time
from collections import Counter

from roster.penalties import is_weekend
from roster.solution import Roster
from roster.timegrid import to_local
from roster.validation import validate
from solver import disaggregate
from solver.classes import AdviserClass, classes_of
from solver.columns import weeks_by_columns
from solver.disaggregate import MISS, assign
from tests.factories import adviser, make_problem, scenario_dict
from tests.test_classes import _plain, _weeks_of_five


def forty_alike():
    problem = make_problem(scenario_dict(advisers=[adviser(f"P{i:02d}") for i in range(40)]))
    (cls,) = classes_of(problem)
    return problem, cls


def weekends(cls: AdviserClass, week: list) -> int:
    return sum(is_weekend(o.start, cls.team.timezone) for o in week)


def fairness(cls: AdviserClass, weekend_share: int) -> list[tuple[list[bool], int, int]]:
    """Weekends above the share cost 50 points a shift; nights are not counted."""
    marks = [is_weekend(o.start, cls.team.timezone) for o in cls.options]
    return [(marks, weekend_share, 50)]


def broken(problem, weeks: dict[str, list]) -> list:
    roster = Roster([s for a, w in weeks.items() for s in _plain(a, w)])
    return [v for v in validate(problem, roster) if v.rule != "channel_split"]


def test_counts_forty_members_can_work_are_split_exactly_from_no_start_at_all():
    problem, cls = forty_alike()
    counts = _weeks_of_five(cls, random.Random(11))

    split = weeks_by_columns(problem, cls, counts, [], [], time.monotonic() + 10, MISS)

    assert split is not None and len(split) == cls.size
    assert Counter(o for week in split for o in week) == counts
    weeks = {a.id: week for a, week in zip(cls.members, split, strict=True)}
    assert broken(problem, weeks) == []


def test_counts_beyond_the_members_rules_are_missed_no_more_than_the_rules_force():
    # a shift every day for every member: each can work five of the seven
    problem, cls = forty_alike()
    first = {o.day: o for o in sorted(cls.options, key=lambda o: o.start, reverse=True)}
    every_day = Counter({o: cls.size for o in first.values()})

    split = weeks_by_columns(problem, cls, every_day, [], [], time.monotonic() + 10, MISS)

    assert split is not None
    assert sorted(len(week) for week in split) == [5] * cls.size
    worked = Counter(o for week in split for o in week)
    assert sum((every_day - worked).values()) == 2 * cls.size
    assert not worked - every_day  # nothing worked that was not counted


def test_weekends_are_spread_where_the_counts_allow():
    # twenty members Monday to Friday, twenty Wednesday to Sunday: forty weekend shifts, one
    # each at best; the seeds give them all to twenty members, two each
    problem, cls = forty_alike()
    tz = cls.team.timezone
    nine = {o.day.weekday(): o for o in cls.options if f"{to_local(o.start, tz):%H:%M}" == "09:00"}
    early, late = [nine[d] for d in range(5)], [nine[d] for d in range(2, 7)]
    seeds = [early] * 20 + [late] * 20
    counts = Counter(o for week in seeds for o in week)

    split = weeks_by_columns(
        problem, cls, counts, fairness(cls, 1), seeds, time.monotonic() + 10, MISS
    )

    assert split is not None
    assert Counter(o for week in split for o in week) == counts
    assert sorted(weekends(cls, week) for week in split) == [1] * cls.size
    weeks = {a.id: week for a, week in zip(cls.members, split, strict=True)}
    assert broken(problem, weeks) == []


def test_the_split_is_never_worse_than_its_seeds_when_time_runs_out():
    problem, cls = forty_alike()
    counts = _weeks_of_five(cls, random.Random(5))
    # the seeds: a split of these counts, found by the greedy before any repair
    greedy = disaggregate._greedy(problem, cls, dict(counts), (7, 2), seed=0)
    seeds = list(greedy.values())
    missed_by_seeds = sum((counts - Counter(o for w in seeds for o in w)).values())

    split = weeks_by_columns(problem, cls, counts, [], seeds, time.monotonic() + 0.05, MISS)

    assert split is not None
    assert sum((counts - Counter(o for w in split for o in w)).values()) <= missed_by_seeds


def test_a_class_above_the_exact_split_goes_by_columns_and_meets_its_counts(monkeypatch):
    problem, cls = forty_alike()
    counts = _weeks_of_five(cls, random.Random(2))
    used = []
    real = disaggregate.weeks_by_columns

    def counted(*args, **kwargs):
        used.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(disaggregate, "weeks_by_columns", counted)

    weeks = assign(problem, [cls], [dict(counts)], seconds=5)

    assert used
    assert Counter(o for week in weeks.values() for o in week) == counts
    assert broken(problem, weeks) == []
