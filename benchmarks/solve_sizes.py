"""Solve generated weeks of 30, 200 and 750 advisers and print time, quality and memory.

    python benchmarks/solve_sizes.py                 # the three sizes, their default limits
    python benchmarks/solve_sizes.py --sizes 30 --limit 10

Each size runs in its own process so that its peak memory (max RSS) is its own. The week is
the generator's (examples/generate.py: a Paris day team, a Sydney night team, 15-minute
intervals, social and phone); the roster is checked by the validator after the solve.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIMITS = {30: 10.0, 200: 60.0, 750: 120.0}  # seconds: the targets of the roster engine issue
COLUMNS = (
    ("advisers", 8),
    ("classes", 7),
    ("limit_s", 7),
    ("seconds", 7),
    ("status", 8),
    ("objective", 10),
    ("bound", 9),
    ("gap", 7),
    ("short_h", 7),
    ("peak_MiB", 8),
    ("broken", 6),
)


def one(advisers: int, limit: float, seed: int) -> dict[str, object]:
    """Generate, solve and validate one week in this process."""
    from examples.generate import generate
    from roster.validation import validate
    from solver.classes import classes_of
    from solver.solve import solve

    with tempfile.TemporaryDirectory() as folder:
        problem = generate(
            Path(folder), advisers, date(2026, 11, 23), seed, f"bench_{advisers}", "sydney"
        )
    weight = problem.scenario.weights.shortfall
    started = time.monotonic()
    result = solve(problem, time_limit=limit)
    seconds = time.monotonic() - started
    return {
        "advisers": advisers,
        "classes": len(classes_of(problem)),
        "limit_s": limit,
        "seconds": round(seconds, 1),
        "status": result.status,
        "objective": result.objective,
        "bound": result.lower_bound,
        "gap": None if result.gap is None else f"{result.gap:.1%}",
        "short_h": round(result.penalties.get("shortfall", 0) / weight, 1) if weight else None,
        "peak_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "broken": len(validate(problem, result.roster)),
    }


def row(values: dict[str, object]) -> str:
    return "  ".join(f"{values.get(k, '')!s:>{w}}" for k, w in COLUMNS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(LIMITS))
    parser.add_argument("--limit", type=float, help="seconds for every size (default: targets)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child run: print JSON
    args = parser.parse_args(argv)
    if args.one:
        limit = args.limit or LIMITS.get(args.one, 60.0)
        print(json.dumps(one(args.one, limit, args.seed)))
        return
    print(row({k: k for k, _ in COLUMNS}))
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{size:>8}  failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        print(row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
