"""What a solve returns: the roster, its status, objective, bound, gap and penalty breakdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from roster.solution import Roster


@dataclass
class Progress:
    """One improvement seen during the search."""

    seconds: float
    objective: float
    bound: float
    stage: str = "shifts"


@dataclass
class SolveResult:
    """The outcome of a solve.

    `status` is OPTIMAL (proven), FEASIBLE (a roster, bound not met within the time limit),
    IMPOSSIBLE (the scenario's own rules cannot be met: see `diagnosis`) or NO_SOLUTION
    (no roster found within the time limit). `objective` and `lower_bound` are in penalty
    points (see `roster.model.Weights`); the bound is valid for the whole problem, so
    `gap = (objective - lower_bound) / max(1, objective)`.
    """

    status: str
    roster: Roster
    objective: float | None
    lower_bound: float
    solve_seconds: float
    penalties: dict[str, float] = field(default_factory=dict)
    diagnosis: list[str] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        if self.objective is None:
            return None
        return max(0.0, (self.objective - self.lower_bound) / max(1.0, abs(self.objective)))
