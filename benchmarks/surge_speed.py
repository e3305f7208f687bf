"""Plan the volcano surge on a generated week and print time, quality, changes and memory.

    python benchmarks/surge_speed.py                      # 750 advisers, 300 volunteers, 10 s
    python benchmarks/surge_speed.py --advisers 200 --volunteers 80

The week comes from examples/generate.py and is first solved (--solve-limit seconds) to stand
for the published roster; the incident is the example's volcano (social x5, phone x3 for 72 h
from Friday 18:00, asked on Friday at 08:00), its volunteers every k-th adviser, managers as
in the domain brief (8 for every 70 volunteers, a quarter of them in Sydney, one on duty for
every 10 advisers working) and an outsourcer's pool. Only the surge plan is timed; the peak
memory (max RSS) is the planning process's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roster.solution import Roster  # noqa: E402

COLUMNS = ("advisers", "volunteers", "limit_s", "seconds", "status", "objective", "bound", "gap")
COLUMNS += ("short_before_h", "short_after_h", "new", "longer", "channel", "duties")
COLUMNS += ("mgr_short_h", "external_h", "peak_MiB", "broken")


def _published(advisers: int, limit: float) -> Roster:
    """The generated week solved: the roster the surge starts from."""
    from examples.generate import generate
    from solver.solve import solve

    with tempfile.TemporaryDirectory() as folder:
        problem = generate(Path(folder), advisers, date(2026, 11, 23), 0, "surge_bench", "sydney")
    return solve(problem, time_limit=limit).roster


def main(argv: list[str] | None = None) -> None:
    from examples.generate import generate
    from roster.incident import Incident
    from solver.surge import plan_surge

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisers", type=int, default=750)
    parser.add_argument("--volunteers", type=int, default=300)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds for the surge plan")
    parser.add_argument("--solve-limit", type=float, default=60.0, help="seconds for the week")
    parser.add_argument("--managers", type=int, default=None, help="default: 8 per 70 volunteers")
    parser.add_argument("--external", type=int, default=20, help="outsourcer's capacity (0: none)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        problem = generate(
            Path(folder), args.advisers, date(2026, 11, 23), 0, "surge_bench", "sydney"
        )
    # the week is solved in a process of its own, as the service plans in a job's process
    # that never solved the week: its memory and threads do not weigh on the plan timed here
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        published = pool.submit(_published, args.advisers, args.solve_limit).result()
    every = max(1, len(problem.scenario.advisers) // max(1, args.volunteers))
    chosen = problem.scenario.advisers[::every][: args.volunteers]
    count = round(len(chosen) * 8 / 70) if args.managers is None else args.managers
    managers = [
        {"id": f"M{n:03d}", "team": "sydney" if n % 4 == 3 else "paris", "hours": 24}
        for n in range(count)
    ]
    pool = {"name": "outsourcer", "channels": ["social"], "capacity": args.external}
    incident = Incident.model_validate(
        {
            "name": "volcano",
            "requested_at": "2026-11-27T08:00:00+01:00",
            "start": "2026-11-27T18:00:00+01:00",
            "end": "2026-11-30T18:00:00+01:00",
            "factors": {"social": 5, "phone": 3},
            "extra_shift_lengths_hours": [9.5],
            "volunteers": [{"adviser": a.id} for a in chosen],
            "managers": managers,
            "external": [pool] if args.external else [],
        }
    )
    started = time.monotonic()
    plan = plan_surge(problem, published, incident, time_limit=args.limit)
    seconds = time.monotonic() - started
    values = {
        "advisers": args.advisers,
        "volunteers": len(chosen),
        "limit_s": args.limit,
        "seconds": round(seconds, 1),
        "status": plan.status,
        "objective": plan.objective,
        "bound": plan.lower_bound,
        "gap": None if plan.gap is None else f"{plan.gap:.1%}",
        "short_before_h": round(sum(plan.shortfall_before.values()), 1),
        "short_after_h": round(sum(plan.shortfall_after.values()), 1),
        "new": plan.changes.get("call_ups"),
        "longer": plan.changes.get("extensions"),
        "channel": plan.changes.get("channel_changes"),
        "duties": len(plan.duties),
        "mgr_short_h": plan.manager_hours_missing,
        "external_h": sum(
            b.advisers * (b.end - b.start).total_seconds() / 3600 for b in plan.bookings
        ),
        "peak_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "broken": len(plan.violations),
    }
    widths = {k: max(len(k), len(str(v))) for k, v in values.items()}
    print("  ".join(f"{k:>{widths[k]}}" for k in COLUMNS))
    print("  ".join(f"{values[k]!s:>{widths[k]}}" for k in COLUMNS))


if __name__ == "__main__":
    main()
