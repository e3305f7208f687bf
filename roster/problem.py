"""A scenario made concrete: its week grid, its requirements and what was worked before it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from roster.demand import Key, Requirements
from roster.forecast import Forecast
from roster.model import Adviser, Scenario, Team
from roster.shifts import ShiftOption, adviser_options, team_options
from roster.solution import BREAK, Roster
from roster.timegrid import Grid


@dataclass
class Problem:
    """Everything a solver or the validator needs about one planning week."""

    scenario: Scenario
    grid: Grid
    requirements: Requirements
    carry_in: Roster = field(default_factory=Roster)
    source: str = ""
    forecast: Forecast | None = None  # when the scenario gives one: the service a roster gives

    @cached_property
    def teams(self) -> dict[str, Team]:
        return {t.name: t for t in self.scenario.teams}

    @cached_property
    def team_options(self) -> dict[str, list[ShiftOption]]:
        return {t.name: team_options(self.scenario, self.grid, t) for t in self.scenario.teams}

    def options_for(self, adviser: Adviser) -> list[ShiftOption]:
        team = self.teams[adviser.team]
        return adviser_options(self.team_options[team.name], adviser, team)

    def scheduled(self, roster: Roster) -> dict[Key, list[int]]:
        """Advisers on each channel (and on it speaking each language) per interval.

        Shifts carried in from the week before count where they run into this week.
        """
        keys = self.requirements.ordered_keys()
        channels = {c.name for c in self.scenario.channels}
        out: dict[Key, list[int]] = {(c, None): [0] * self.grid.count for c in channels}
        for key in keys:
            out.setdefault(key, [0] * self.grid.count)
        languages: dict[str, set[str]] = {}
        for channel, language in keys:
            if language:
                languages.setdefault(channel, set()).add(language)
        speaks = {a.id: set(a.languages) for a in self.scenario.advisers}
        for shift in [*self.carry_in.shifts, *roster.shifts]:
            spoken = speaks.get(shift.adviser_id, set())
            for activity in shift.activities:
                if activity.kind == BREAK or activity.kind not in channels:
                    continue
                span = self.grid.span(activity.start, activity.end)
                rows = [out[(activity.kind, None)]]
                rows += [
                    out[(activity.kind, lang)]
                    for lang in languages.get(activity.kind, ())
                    if lang in spoken
                ]
                for row in rows:
                    for i in span:
                        row[i] += 1
        return out
