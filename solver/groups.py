"""Advisers who are interchangeable for channel cover: same team, skills and split target."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from roster.model import Adviser, Scenario


@dataclass(frozen=True)
class Group:
    """Advisers sharing team, channels, languages and split target (and its tolerance)."""

    team: str
    channels: tuple[str, ...]
    languages: tuple[str, ...]
    split: tuple[tuple[str, float], ...]
    tolerance: float

    @property
    def target(self) -> dict[str, float]:
        return dict(self.split)


def group_of(scenario: Scenario, adviser: Adviser) -> Group:
    split = scenario.split_of(adviser)
    return Group(
        team=adviser.team,
        channels=tuple(sorted(adviser.channels)),
        languages=tuple(sorted(adviser.languages)),
        split=tuple(sorted((c, round(p, 6)) for c, p in split.items())),
        tolerance=scenario.split_tolerance_of(adviser),
    )


def groups(scenario: Scenario) -> dict[Group, list[Adviser]]:
    out: dict[Group, list[Adviser]] = defaultdict(list)
    for adviser in scenario.advisers:
        out[group_of(scenario, adviser)].append(adviser)
    return dict(out)
