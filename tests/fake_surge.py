"""A stand-in for the surge plan in a job's child process (week solves go to `fake_solve.quick`).

It calls up the first volunteer the incident still offers (as `Incident.offers` reads them: the
incident's volunteers or the advisers marked so, less `declined`) for four hours on Tuesday at
10:00 on their first channel. Plain dicts only: importing the domain's models would cost the
child process a second or two.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import pytz

from roster.timegrid import iso_utc
from tests import fake_solve


def _person(adviser: dict[str, Any], start: datetime, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        **extra,
        "adviser_id": adviser["id"],
        "name": adviser.get("name", ""),
        "team": adviser["team"],
        "start": iso_utc(start),
        "end": iso_utc(start + timedelta(hours=4)),
        "local_start": start.isoformat(),
        "local_end": (start + timedelta(hours=4)).isoformat(),
        "channels": adviser["channels"][:1],
        "hours": 4.0,
        "useful_hours": 4.0,
    }


def plan(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    if "incident" not in snapshot:
        fake_solve.quick(snapshot, time_limit, conn)
        return
    data = snapshot["scenario"]
    incident = snapshot["incident"]
    advisers = {a["id"]: a for a in data["advisers"]}
    given = incident.get("volunteers")
    pool = (
        [v["adviser"] for v in given]
        if given is not None
        else [a for a, adviser in advisers.items() if adviser.get("volunteer")]
    )
    offers = sorted(set(pool) - set(incident.get("declined", [])))
    zones = {t["name"]: t["timezone"] for t in data["teams"]}
    shifts = list(snapshot["published"])
    call_ups, invitations = [], []
    tuesday = date.fromisoformat(data["week"]["monday"]) + timedelta(days=1)
    for rank, adviser_id in enumerate(offers, 1):
        adviser = advisers[adviser_id]
        tz = pytz.timezone(zones[adviser["team"]])
        start = tz.localize(datetime.combine(tuesday, datetime.min.time()).replace(hour=10))
        role = "plan" if rank == 1 else "backup"
        invitations.append(_person(adviser, start, {"rank": rank, "role": role}))
        if rank == 1:
            call_ups.append(_person(adviser, start, {"kind": "new"}))
            end = iso_utc(start + timedelta(hours=4))
            channel = adviser["channels"][0]
            shifts.append([adviser_id, iso_utc(start), end, [[channel, iso_utc(start), end]]])
    external = []
    for pool in incident.get("external", [])[:1]:  # three of its advisers, Monday 09:00-10:00
        tz = pytz.timezone(data["week"]["timezone"])
        monday = date.fromisoformat(data["week"]["monday"])
        start = tz.localize(datetime.combine(monday, datetime.min.time()).replace(hour=9))
        end = start + timedelta(hours=1)
        external.append(
            {
                "pool": pool["name"],
                "channel": pool["channels"][0],
                "advisers": 3,
                "start": iso_utc(start),
                "end": iso_utc(end),
                "local_start": start.isoformat(),
                "local_end": end.isoformat(),
                "hours": 1.0,
            }
        )
    surge = {
        "status": "OPTIMAL",
        "objective": 40.0,
        "lower_bound": 40.0,
        "gap": 0.0,
        "seconds": 0.1,
        "shortfall_hours_without_surge": {"social": 3.0},
        "shortfall_hours_with_surge": {"social": 3.0 - len(call_ups)},
        "changes": {"call_ups": len(call_ups), "extensions": 0, "moves": 0, "channel_changes": 0},
        "call_ups": call_ups,
        "invitations": invitations,
        "invitations_wanted": 3,
        "confirmed": incident.get("confirmed", []),  # what the service asked to keep
        "withdrawn": incident.get("withdrawn", []),  # and to take back
        "external": external,
        "violations": [],
    }
    result = {
        "status": "OPTIMAL",
        "objective": 40.0,
        "lower_bound": 40.0,
        "gap": 0.0,
        "solve_seconds": 0.1,
        "penalties": {},
        "diagnosis": [],
        "violations": [],
        "shifts": shifts,
        "surge": surge,
    }
    conn.send(("done", result))
    conn.close()
