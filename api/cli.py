"""The `roster` command: solve a scenario, check a roster, print the scenario's JSON Schema."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from roster.errors import ScenarioError
from roster.io import load_problem, read_roster, write_roster
from roster.model import Scenario
from roster.report import NO_ROSTER, format_summary, summary
from roster.validation import validate

PROG = "roster"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class BadInput(Exception):
    """Input the command cannot use; shown as one line and exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see '{self.prog} --help')")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text} s: give more than 0 and at most 86400 seconds")
    return value


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Weekly rosters for multichannel customer-contact teams.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    solve = commands.add_parser(
        "solve",
        help="build the roster of a week",
        description="Build the roster of a scenario's week and write it to a folder: "
        "shifts.csv, activities.csv, coverage.csv and summary.json.",
    )
    solve.add_argument("scenario", metavar="SCENARIO", help="scenario.json or a folder holding one")
    solve.add_argument("--out", required=True, metavar="DIR", help="folder to write the roster to")
    solve.add_argument(
        "--time-limit",
        type=_seconds,
        metavar="SECONDS",
        help="stop the search after this many seconds (default: the scenario's solver settings)",
    )
    solve.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    check = commands.add_parser(
        "check",
        help="list the hard rules a roster breaks",
        description="Read the roster in DIR (shifts.csv, activities.csv) and list every hard "
        "rule of SCENARIO it breaks.",
    )
    check.add_argument("scenario", metavar="SCENARIO", help="scenario.json or a folder holding one")
    check.add_argument("roster", metavar="DIR", help="folder holding shifts.csv and activities.csv")

    from api.cli_ical import add_ical_command  # imports this module: loaded once it is whole

    add_ical_command(commands)
    commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario.json",
        description="Print the JSON Schema that scenario files follow.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `roster` command with `argv` (default: the process arguments); the exit code.

    0: done (a roster written, or a clean check); 1: no roster found, or hard rules broken;
    2: bad input, told in one line on stderr.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help prints and stops: not an error
        return done.code if isinstance(done.code, int) else 0
    except BadInput as err:
        return _error(str(err))
    try:
        if args.command == "solve":
            return solve(Path(args.scenario), Path(args.out), args.time_limit, quiet=args.quiet)
        if args.command == "check":
            return check(Path(args.scenario), Path(args.roster))
        if args.command == "ical":
            from api.cli_ical import ical

            return ical(args)
        return schema()
    except (BadInput, ScenarioError) as err:
        return _error(str(err))
    except BrokenPipeError:  # the reader stopped early (`roster schema | head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the final flush does not fail again
        return 1
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        return _error(f"{where}{err.strerror or err}")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _error(message: str) -> int:
    first_line = " ".join(message.split())
    print(f"{PROG}: error: {first_line}", file=sys.stderr)
    return 2


def solve(scenario: Path, out: Path, time_limit: float | None, *, quiet: bool = False) -> int:
    """Solve a scenario, write its roster to `out`, print the summary; the exit code."""
    problem = load_problem(scenario)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: --out is a file, not a folder")
    from solver.result import Progress
    from solver.solve import solve as run_solver  # loads OR-Tools: only once the input is good

    limit = time_limit or problem.scenario.solver.time_limit_seconds

    def progress(step: Progress) -> None:
        gap = max(0.0, step.objective - step.bound) / max(1.0, abs(step.objective))
        print(
            f"{step.seconds:7.1f} s  {step.stage:<10} best {step.objective:>14,.0f}"
            f"  bound {step.bound:>14,.0f}  gap {100 * gap:6.2f}%",
            file=sys.stderr,
            flush=True,
        )

    if not quiet:
        print(
            f"solving {problem.source or scenario}: "
            f"{_count(problem.scenario.advisers, 'adviser')}, "
            f"{problem.grid.count} intervals, time limit {limit:g} s",
            file=sys.stderr,
            flush=True,
        )
    result = run_solver(problem, time_limit=time_limit, on_progress=None if quiet else progress)
    found = result.status not in NO_ROSTER
    violations = validate(problem, result.roster) if found else []
    data = summary(
        problem,
        result.roster,
        status=result.status,
        objective=result.objective,
        lower_bound=result.lower_bound,
        gap=result.gap,
        solve_seconds=result.solve_seconds,
        penalties=result.penalties,
        diagnosis=result.diagnosis,
        violations=violations,
    )
    if not found:
        print(format_summary(data), end="")
        print(
            f"{PROG}: no roster written: the solver found none ({result.status})", file=sys.stderr
        )
        return 1
    write_roster(out, problem, result.roster, data)
    print(format_summary(data), end="")
    if not quiet:
        print(f"roster written to {out}", file=sys.stderr)
    return 0


def check(scenario: Path, folder: Path) -> int:
    """List the hard rules the roster in `folder` breaks; the exit code."""
    problem = load_problem(scenario)
    if not folder.is_dir():
        raise BadInput(f"{folder}: not a folder holding shifts.csv and activities.csv")
    roster = read_roster(folder, problem.scenario)
    violations = validate(problem, roster)
    for violation in violations:
        print(violation)
    if violations:
        print(_count(violations, "hard rule violation"), file=sys.stderr)
        return 1
    print("no hard rule broken")
    return 0


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (field names as written in the files)."""
    body = Scenario.model_json_schema(by_alias=True)
    body["properties"] = {
        "$schema": {"type": "string", "description": "Where this schema lives; ignored"},
        **body["properties"],
    }
    return {"$schema": SCHEMA_DIALECT, **body, "title": "Roster scenario"}


def schema() -> int:
    print(json.dumps(scenario_schema(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
