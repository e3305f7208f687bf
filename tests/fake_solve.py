"""Stand-ins for the solver in a job's child process, so service tests run in well under 1 s."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import pytz

from roster.timegrid import iso_utc


def _shifts(snapshot: dict[str, Any], hour: int) -> list[list[Any]]:
    """One 4-hour shift per adviser on Monday at `hour` (their team's clock), on one channel."""
    scenario = snapshot["scenario"]
    zones = {t["name"]: t["timezone"] for t in scenario["teams"]}
    monday = date.fromisoformat(scenario["week"]["monday"])
    out = []
    for a in scenario["advisers"]:
        tz = pytz.timezone(zones[a["team"]])
        start = tz.localize(datetime.combine(monday, datetime.min.time()).replace(hour=hour))
        end = start + timedelta(hours=4)
        out.append(
            [
                a["id"],
                iso_utc(start),
                iso_utc(end),
                [[a["channels"][0], iso_utc(start), iso_utc(end)]],
            ]
        )
    return out


def quick(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    """Two improvements, then a roster whose start hour is 8 + time limit (to tell solves apart)."""
    conn.send(("progress", {"seconds": 0.1, "objective": 900.0, "bound": 100.0, "stage": "shifts"}))
    conn.send(("progress", {"seconds": 0.2, "objective": 500.0, "bound": 400.0, "stage": "blocks"}))
    conn.send(
        (
            "done",
            {
                "status": "FEASIBLE",
                "objective": 500.0,
                "lower_bound": 400.0,
                "gap": 0.2,
                "solve_seconds": 0.2,
                "penalties": {"shortfall": 500.0},
                "diagnosis": [],
                "violations": [],
                "shifts": _shifts(snapshot, 8 + int(time_limit or 0)),
            },
        )
    )
    conn.close()


def slow(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    """One improvement, then a search that goes on for a minute unless stopped."""
    conn.send(("progress", {"seconds": 0.1, "objective": 900.0, "bound": 100.0, "stage": "shifts"}))
    time.sleep(60)


def impossible(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    conn.send(
        (
            "done",
            {
                "status": "IMPOSSIBLE",
                "objective": None,
                "lower_bound": 0.0,
                "gap": None,
                "solve_seconds": 0.1,
                "penalties": {},
                "diagnosis": ["adviser A1: contract hours cannot be met"],
                "violations": [],
                "shifts": [],
            },
        )
    )
    conn.close()


def crash(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    os._exit(3)


def republished(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    """Time limit 1: everyone's Monday shift at 09:00. Otherwise P1's at 10:00, P2 off the
    roster, the others' as before (a roster published again with a change and a removal)."""
    if time_limit == 1:
        quick(snapshot, 1, conn)
        return
    at_nine = [s for s in _shifts(snapshot, 9) if s[0] not in ("P1", "P2")]
    at_ten = [s for s in _shifts(snapshot, 10) if s[0] == "P1"]
    result = {
        "status": "FEASIBLE",
        "objective": 1.0,
        "lower_bound": 1.0,
        "gap": 0.0,
        "solve_seconds": 0.1,
        "penalties": {},
        "diagnosis": [],
        "violations": [],
        "shifts": at_ten + at_nine,
    }
    conn.send(("done", result))
    conn.close()
