"""Turn a week of 15-minute forecasts into demand and print the time and memory it takes.

    python benchmarks/staffing_speed.py
    python benchmarks/staffing_speed.py --repeat 5

Each size is a forecast file of one week (2026-11-23, Europe/Paris, 672 quarter-hours) for two
or four channels: phone and chat (real-time, Erlang C: 80% within 20 s and 30 s, 85% occupancy,
30% shrinkage), social media and e-mail (deferred: 95% within an hour and within 24 hours).
The timed step is what `roster solve` does with a forecast before it solves: read and check
the CSV, size every interval of every channel, and build the requirements. `crisis` multiplies
the volumes by 25, to hundreds of erlangs on the phone (the 2010 ash cloud). Each size runs in
its own process so that its peak memory (max RSS) is its own; `traced MiB` is the most the step
itself allocated (tracemalloc).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roster.demand import requirements  # noqa: E402 (after the path is set)
from roster.forecast import Forecast, forecast_frame, read_forecast_csv  # noqa: E402
from roster.io import parse_scenario, week_grid  # noqa: E402
from roster.model import Scenario  # noqa: E402
from roster.staffing import demand_frame, plan  # noqa: E402

# channel: (kind, goal, handling seconds, contacts a quarter-hour at the day's peak)
CHANNELS = {
    "phone": (
        "realtime",
        {"service_level": 0.8, "within_seconds": 20, "max_occupancy": 0.85, "shrinkage": 0.3},
        300.0,
        40.0,
    ),
    "social": ("deferred", {"service_level": 0.95, "within_minutes": 60}, 420.0, 12.0),
    "chat": (
        "realtime",
        {"service_level": 0.8, "within_seconds": 30, "max_occupancy": 0.85, "shrinkage": 0.3},
        600.0,
        15.0,
    ),
    "email": ("deferred", {"service_level": 0.95, "within_minutes": 1440}, 300.0, 20.0),
}
SIZES = {  # name: (channels, volume factor)
    "2 channels": (2, 1.0),
    "4 channels": (4, 1.0),
    "4 channels, crisis": (4, 25.0),
}
COLUMNS = (
    ("size", 18),
    ("channels", 8),
    ("intervals", 9),
    ("rows", 6),
    ("erlangs_peak", 12),
    ("seconds", 7),
    ("read_s", 6),
    ("size_s", 6),
    ("traced_MiB", 10),
    ("peak_MiB", 8),
)


def scenario(channels: list[str]) -> Scenario:
    """A week with the channels and their goals (teams and advisers do not enter the sizing)."""
    return parse_scenario(
        {
            "name": "staffing speed",
            "week": {"monday": "2026-11-23", "timezone": "Europe/Paris"},
            "channels": [
                {"name": name, "kind": CHANNELS[name][0], "service": CHANNELS[name][1]}
                for name in channels
            ],
            "teams": [{"name": "paris", "timezone": "Europe/Paris"}],
            "advisers": [],
            "demand": {"forecast": "forecast.csv"},
        }
    )


def forecast(model: Scenario, factor: float) -> Forecast:
    """Contacts by day with two peaks, fewer at weekends, a trickle at night."""
    grid = week_grid(model)
    hour = np.array([t.hour + t.minute / 60 for t in grid.local_instants])
    weekend = np.array([t.weekday() >= 5 for t in grid.local_instants])
    shape = np.where((hour >= 8) & (hour < 22), 0.6, 0.1)
    shape = np.where(((hour >= 11) & (hour < 14)) | ((hour >= 16) & (hour < 19)), 1.0, shape)
    shape = np.where(weekend, 0.7 * shape, shape)
    volume, aht = {}, {}
    for channel in model.channels:
        _, _, handling, peak = CHANNELS[channel.name]
        volume[(channel.name, None)] = np.round(shape * peak * factor, 1)
        aht[(channel.name, None)] = np.where(volume[(channel.name, None)] > 0, handling, 0.0)
    return Forecast(grid=grid, volume=volume, aht=aht)


def one(name: str, repeat: int) -> dict[str, object]:
    """Write the size's forecast, then time reading it and turning it into demand."""
    count, factor = SIZES[name]
    model = scenario(list(CHANNELS)[:count])
    contacts = forecast(model, factor)
    grid = contacts.grid
    peak = max(
        float((contacts.volume[k] * contacts.aht[k]).max()) / (grid.minutes * 60)
        for k in contacts.volume
    )

    def step(path: Path) -> tuple[float, float, float]:
        started = time.perf_counter()
        read = read_forecast_csv(path, model, grid)
        loaded = time.perf_counter()
        requirements(model, grid, demand_frame(plan(model, read, service=False)))
        done = time.perf_counter()
        return done - started, loaded - started, done - loaded

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "forecast.csv"
        rows = forecast_frame(contacts)
        rows.to_csv(path, index=False)
        runs = [step(path) for _ in range(repeat)]
        tracemalloc.start()  # a run of its own: tracing slows what it traces
        step(path)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    total, reading, sizing = (statistics.median(r[i] for r in runs) for i in range(3))
    return {
        "size": name,
        "channels": count,
        "intervals": grid.count,
        "rows": len(rows),
        "erlangs_peak": round(peak, 1),
        "seconds": round(total, 3),
        "read_s": round(reading, 3),
        "size_s": round(sizing, 3),
        "traced_MiB": round(traced / 2**20, 1),
        "peak_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def row(values: dict[str, object]) -> str:
    return "  ".join(f"{values.get(k, '')!s:>{w}}" for k, w in COLUMNS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=5, help="runs per size (the median shown)")
    parser.add_argument("--one", choices=list(SIZES), help=argparse.SUPPRESS)  # a child run
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, max(1, args.repeat))))
        return
    print(row({k: k for k, _ in COLUMNS}))
    for name in args.sizes:
        command = [sys.executable, __file__, "--one", name, "--repeat", str(args.repeat)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{name:>18}  failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        print(row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
