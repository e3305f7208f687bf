"""A stand-in surge plan that calls up every volunteer the incident still offers.

`fake_surge.plan` calls up the first only; this one turns each of its invitations (the offers,
four hours on Tuesday at 10:00 on their own clock, first channel) into a call-up, so that a
re-plan with one volunteer declined drops one call-up and keeps the others as they were.
(A dropped call-up's shift stays in the roster: the stand-in does not undo a published plan.)
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import Any

from tests import fake_surge


class _Kept:
    """Keeps what `fake_surge.plan` sends instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, message: Any) -> None:
        self.sent.append(message)

    def close(self) -> None:
        pass


def plan(snapshot: dict[str, Any], time_limit: float | None, conn: Connection) -> None:
    if "incident" not in snapshot:
        fake_surge.plan(snapshot, time_limit, conn)  # a week's solve
        return
    kept = _Kept()
    fake_surge.plan(snapshot, time_limit, kept)  # type: ignore[arg-type]
    ((_, result),) = kept.sent
    surge = result["surge"]
    called = {c["adviser_id"] for c in surge["call_ups"]}
    for invitation in surge["invitations"]:
        if invitation["adviser_id"] in called:
            continue
        call_up = {k: v for k, v in invitation.items() if k not in ("rank", "role")}
        surge["call_ups"].append({"kind": "new", **call_up})
        start, end, channel = call_up["start"], call_up["end"], call_up["channels"][0]
        result["shifts"].append([call_up["adviser_id"], start, end, [[channel, start, end]]])
    surge["changes"]["call_ups"] = len(surge["call_ups"])
    # a re-plan starts from a roster that has the call-ups already: keep each shift once
    unique = {(s[0], s[1], s[2]): s for s in result["shifts"]}
    result["shifts"] = list(unique.values())
    conn.send(("done", result))
    conn.close()
