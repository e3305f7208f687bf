"""The `roster` command: solve, check, staffing from a forecast, an Erlang C calculator, schema."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from api import cli_service, cli_surge
from roster import erlang as queue
from roster.errors import ScenarioError
from roster.forecast import read_forecast_csv
from roster.io import load_problem, load_scenario, read_roster, week_grid, write_roster
from roster.model import Scenario
from roster.report import NO_ROSTER, format_erlang, format_staffing, format_summary, summary
from roster.staffing import demand_csv, figures_frame, plan, staffing_table
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


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of {what}")
    return value


def _quantity(unit: str, *, positive: bool = False, whole: bool = False) -> Any:
    """An argparse type: a number of `unit`, 0 or more (above 0 if `positive`)."""

    def parse(text: str) -> float:
        value = _number(text, unit)
        if whole and value != int(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {unit}")
        if value < 0 or (positive and value == 0):
            raise argparse.ArgumentTypeError(
                f"{text} {unit}: give {'more than 0' if positive else '0 or more'}"
            )
        return int(value) if whole else value

    return parse


def _fraction(low: float, high: float, low_in: bool, high_in: bool) -> Any:
    def parse(text: str) -> float:
        value = _number(text, "a fraction")
        above = value >= low if low_in else value > low
        below = value <= high if high_in else value < high
        if not (above and below):
            span = f"{'from' if low_in else 'above'} {low:g} {'to' if high_in else 'and below'}"
            raise argparse.ArgumentTypeError(
                f"{text}: give a fraction {span} {high:g} (0.8 for 80%)"
            )
        return value

    return parse


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

    staffing = commands.add_parser(
        "staffing",
        help="turn a forecast into required advisers",
        description="Size the advisers each interval needs to meet the service goals of "
        "SCENARIO's channels for the contacts in FORECAST (Erlang C for real-time channels, the "
        "carry-over model for deferred ones), print a summary per day, and write the demand "
        "CSV a scenario reads with --out.",
    )
    staffing.add_argument(
        "forecast",
        metavar="FORECAST",
        help="CSV: interval_start,channel,volume,aht_seconds[,language]",
    )
    staffing.add_argument(
        "scenario", metavar="SCENARIO", help="scenario.json or a folder holding one"
    )
    staffing.add_argument(
        "--out",
        metavar="FILE",
        help="write the demand CSV (interval_start,channel,required,language) to FILE",
    )
    staffing.add_argument(
        "--figures",
        metavar="FILE",
        help="write every interval's figures to FILE: erlangs, advisers answering and to "
        "schedule, service, and for real-time channels speed of answer, occupancy and "
        "probability of waiting",
    )

    calculator = commands.add_parser(
        "erlang",
        help="Erlang C for one interval",
        description="Erlang C for one interval: the advisers a service level (or an average "
        "speed of answer) needs, or the service N advisers give.",
    )
    seconds = _quantity("seconds", positive=True)
    for flag, kind, metavar, text in (
        ("--calls", _quantity("calls"), "N", "calls arriving in the interval"),
        ("--interval", seconds, "SECONDS", "length of the interval (1800 for half an hour)"),
        ("--aht", seconds, "SECONDS", "average handling time"),
    ):
        calculator.add_argument(flag, type=kind, required=True, metavar=metavar, help=text)
    goal = calculator.add_mutually_exclusive_group(required=True)
    goal.add_argument(
        "--target",
        type=_fraction(0, 1, False, False),
        metavar="SHARE",
        help="service level to reach, a fraction (0.8 for 80%%), with --within",
    )
    goal.add_argument(
        "--target-asa",
        type=seconds,
        metavar="SECONDS",
        help="average speed of answer to reach instead",
    )
    goal.add_argument(
        "--agents",
        type=_quantity("advisers", whole=True),
        metavar="N",
        help="the figures of N advisers taking calls",
    )
    calculator.add_argument(
        "--within",
        type=_quantity("seconds"),
        metavar="SECONDS",
        help="the wait the service level allows (20 for 80%% within 20 s)",
    )
    calculator.add_argument(
        "--shrinkage",
        type=_fraction(0, 1, True, False),
        default=0.0,
        metavar="SHARE",
        help="share of scheduled time not taking calls (0.3): gives the advisers to schedule",
    )
    calculator.add_argument(
        "--max-occupancy",
        type=_fraction(0, 1, False, True),
        default=1.0,
        metavar="SHARE",
        help="highest share of their time advisers may spend on calls (0.85)",
    )
    calculator.add_argument("--json", action="store_true", help="print the figures as JSON")

    from api.cli_ical import add_ical_command  # imports this module: loaded once it is whole

    add_ical_command(commands)
    commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario.json",
        description="Print the JSON Schema that scenario files follow.",
    )
    cli_service.add_commands(commands)
    cli_surge.add_commands(commands)
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
        if args.command in cli_service.COMMANDS:
            return cli_service.run(args)
        if args.command in cli_surge.COMMANDS:
            return cli_surge.run(args)
        if args.command == "staffing":
            out = None if args.out is None else Path(args.out)
            figures = None if args.figures is None else Path(args.figures)
            return staffing(Path(args.forecast), Path(args.scenario), out, figures)
        if args.command == "erlang":
            return erlang(args)
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


def staffing(forecast: Path, scenario: Path, out: Path | None, figures: Path | None = None) -> int:
    """Size the forecast's advisers, print the summary, write the demand CSV to `out` and
    every interval's figures to `figures`."""
    for flag, path in (("--out", out), ("--figures", figures)):
        if path is not None and path.is_dir():
            raise BadInput(f"{path}: {flag} is a folder, not a file")
    model = load_scenario(scenario)
    grid = week_grid(model)
    plans = plan(model, read_forecast_csv(forecast, model, grid))
    written = []
    if out is not None:
        demand = demand_csv(plans, grid)
        demand.to_csv(out, index=False, lineterminator="\n")
        written.append(f"demand written to {out} ({len(demand)} rows)")
    if figures is not None:
        table = figures_frame(plans, grid)
        table.to_csv(figures, index=False, lineterminator="\n")
        written.append(f"figures written to {figures} ({len(table)} rows)")
    print(format_staffing(model, staffing_table(plans, grid), str(forecast)), end="")
    for line in written:
        print(line, file=sys.stderr)
    return 0


def erlang(args: argparse.Namespace) -> int:
    """The Erlang C figures of one interval, as text or JSON."""
    if args.target is not None and args.within is None:
        raise BadInput("--target needs --within SECONDS: the wait the service level allows")
    load = queue.traffic(args.calls, args.interval, args.aht)
    try:
        if args.agents is not None:
            figures = queue.figures(args.agents, load, args.aht, args.within, args.shrinkage)
        else:
            figures = queue.required(
                load,
                args.aht,
                service_level=args.target,
                within_seconds=args.within,
                asa_seconds=args.target_asa,
                max_occupancy=args.max_occupancy,
                shrinkage=args.shrinkage,
            )
    except ValueError as err:  # figures no interval can have, told as the calculator's
        raise BadInput(str(err)) from None
    given = {
        "calls": args.calls,
        "interval_seconds": args.interval,
        "aht_seconds": args.aht,
        "target": args.target,
        "target_asa_seconds": args.target_asa,
        "max_occupancy": args.max_occupancy,
        "shrinkage": args.shrinkage,
    }
    if args.json:
        print(json.dumps(given | figures.as_dict(), indent=2))
    else:
        print(format_erlang(given, figures), end="")
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
