"""Classes of identical advisers: same group, shift options, contract, carry-in and wishes.

Members of a class are interchangeable in every rule and every penalty, so the shift model
counts how many of them work each shift instead of choosing per person; that removes the
symmetry between them, which is what makes large weeks solvable and their bounds tight.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from roster.model import Adviser, Team
from roster.penalties import wish_broken
from roster.problem import Problem
from roster.shifts import ShiftOption
from roster.solution import Shift
from roster.timegrid import Grid
from solver.groups import Group, group_of
from solver.labour import (
    AdviserChoices,
    Enforce,
    add_labour_rules,
    add_weekly_rest,
    always,
    usable_options,
)


@dataclass
class AdviserClass:
    """Advisers who may be swapped for one another without changing any rule or penalty."""

    group: Group
    team: Team
    options: list[ShiftOption]
    contract_minutes: int
    carry_in: list[Shift]  # the first member's; the others' have the same times
    wishes: tuple[bool, ...]  # per option: does it go against the members' wishes
    members: list[Adviser]

    @property
    def size(self) -> int:
        return len(self.members)

    def post_rules(
        self,
        model: cp_model.CpModel,
        literals: list[cp_model.IntVar],
        grid: Grid,
        enforce: Enforce = always,
        *,
        members: int = 1,
        adviser: Adviser | None = None,
        cliques: bool = True,
    ) -> AdviserChoices:
        """Post every labour rule on variables per option: one member's, or `members` summed
        (with the weekly rest's cliques of solver.labour.add_weekly_rest if `cliques`)."""
        c = AdviserChoices(
            adviser or self.members[0],
            self.team,
            self.options,
            literals,
            self.carry_in,
            self.contract_minutes,
            members,
        )
        add_labour_rules(model, c, enforce)
        add_weekly_rest(model, c, grid.start, grid.end, enforce, cliques)
        return c


def classes_of(problem: Problem) -> list[AdviserClass]:
    """The advisers of the scenario, partitioned into classes, in the scenario's order."""
    carry = problem.carry_in.by_adviser()
    found: dict[tuple[object, ...], AdviserClass] = {}
    for adviser in problem.scenario.advisers:
        team = problem.teams[adviser.team]
        previous = carry.get(adviser.id, [])
        options = usable_options(problem, adviser, previous)
        contract = round(problem.scenario.contract_hours_of(adviser) * 60)
        wishes = tuple(wish_broken(adviser, o.start, o.minutes, team.timezone) for o in options)
        group = group_of(problem.scenario, adviser)
        worked_before = tuple((s.start, s.end) for s in previous)
        key = (group, tuple(options), contract, worked_before, wishes)
        if key in found:
            found[key].members.append(adviser)
        else:
            found[key] = AdviserClass(
                group, team, options, contract, list(previous), wishes, [adviser]
            )
    return list(found.values())
