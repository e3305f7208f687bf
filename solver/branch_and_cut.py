"""The shift model as a mixed-integer program, searched by SCIP beside CP-SAT on small weeks.

On the 30-adviser week SCIP's root cuts raise the relaxation's bound by 2% (30,285 to 30,982
points) and its diving finds 31,490 points in 3.3 s, where CP-SAT, started from the
relaxation's dive, stays at 35,890 (on a 2-core AMD EPYC; on a 2-core Intel Xeon SCIP's first
point comes at 9 s, too late: there it is stopped). SCIP's solve releases the interpreter, so
it runs in a thread while the relaxation's dive and CP-SAT use the other core; the better
start and the higher bound of the two are kept.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from ortools.linear_solver import linear_solver_pb2, pywraplp

from solver.relaxation import LinearRelaxation, round_up

# Above this many advisers the relaxation's dive does better alone: with SCIP beside it, the
# 200-adviser week ended 4.2% from its bound in 60 s (3.6% without), the 750-adviser week 4.9%
# in 120 s (2.2% without), and SCIP improved neither start nor bound.
MAX_ADVISERS = 50
ROOT_CUT_ROUNDS = "separating/maxroundsroot = 5"


@dataclass(frozen=True)
class Found:
    """SCIP's best whole point (None if it found none) and its proven bound, in model units."""

    values: list[int] | None
    objective: float | None
    bound: float


class BranchAndCut:
    """SCIP on a copy of a relaxation's model with every variable integral, in a thread."""

    def __init__(self, relaxation: LinearRelaxation, seconds: float) -> None:
        proto = linear_solver_pb2.MPModelProto()
        proto.CopyFrom(relaxation.proto)  # the program as built, without the dive's fixings
        for variable in proto.variable:
            variable.is_integer = True  # every CP-SAT variable is
        self.mip = pywraplp.Solver.CreateSolver("SCIP")
        error = self.mip.LoadModelFromProto(proto)
        if error:
            raise ValueError(f"SCIP refused the shift model: {error}")
        self.mip.SetTimeLimit(max(1, round(seconds * 1000)))
        self.deadline = time.monotonic() + seconds
        # past five rounds of root cuts the bound gains little (30,982 against 30,990 points
        # on the 30-adviser week) and the first dive comes 2.5 s later (3.3 s against 5.8 s)
        self.mip.SetSolverSpecificParametersAsString(ROOT_CUT_ROUNDS)
        self.offset, self.scale = relaxation.offset, relaxation.scale
        self.status: int | None = None
        self._thread = threading.Thread(target=self._run, name="scip", daemon=True)

    def _run(self) -> None:
        self.status = self.mip.Solve()

    def start(self) -> BranchAndCut:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the search to end, its result unread, without waiting for it.

        SCIP reads the request between steps of its root: on a 2-core Intel Xeon its thread
        ran on for 1.4-2.9 s, which a caller waiting for it lost (the 30-adviser week's dive
        then had 0.5 s and found nothing). The thread winds down on its own core meanwhile.
        """
        self.mip.InterruptSolve()

    def result(self) -> Found | None:
        """Wait for the search to end; its best point and bound (None if it ended with neither)."""
        self._thread.join()
        if self.status in (pywraplp.Solver.INFEASIBLE, pywraplp.Solver.ABNORMAL, None):
            return None
        objective = self.mip.Objective()
        raw = (objective.BestBound() + self.offset) * self.scale
        # SCIP's feasibility tolerance (a millionth) is wider than GLOP's
        bound = round_up(raw, 1e-6) if math.isfinite(raw) else -math.inf
        if self.status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return Found(None, None, bound)
        values = [round(x.solution_value()) for x in self.mip.variables()]
        return Found(values, (objective.Value() + self.offset) * self.scale, bound)
