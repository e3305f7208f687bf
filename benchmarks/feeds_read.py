"""Calendar apps polling advisers' feeds over HTTP, each feed holding a year of shifts.

    python benchmarks/feeds_read.py                       # 50 advisers, 52 weeks, 200 clients
    python benchmarks/feeds_read.py --advisers 20 --weeks 10 --clients 50 --seconds 5

A team of `--advisers` (Europe/Paris) is made in a new SQLite database (or `--database URL`),
each adviser given a feed address first (as `POST /advisers/{id}/feed` does), then `--weeks`
weekly rosters, starting 4 weeks before this week, are generated (Monday to Friday, 09:00-17:00
with a half-hour break, social in the morning and phone after) and published one by one with
`api.versions.publish`, the service's own publication, which rebuilds every feed each time: the
time per publication is printed. Then `roster serve` runs as its own process on a free loopback
port and `--clients` concurrent httpx clients (asyncio, keep-alive), each polling one adviser's
feed (client i the feed of adviser i modulo the team), run two rounds of `--seconds`:

- revalidating, as calendar apps do: the first fetch is a full one, then every request sends
  the ETag back in If-None-Match; nothing is published meanwhile, so all but the first are 304;
- full downloads: no validators, every answer is the whole feed.

Printed per round: requests, answers 200 and 304, the share of 304, errors (any other status, or
a transport error), requests per second, p50 and p99 latency (ms), and the feed's size. Client and
server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api_read import percentile, serving  # noqa: E402

ZONE = "Europe/Paris"


async def poll(
    base: str, paths: list[str], clients: int, seconds: float, revalidate: bool
) -> dict[str, Any]:
    """`clients` loops, client i fetching `paths[i % len(paths)]` until `seconds` have passed;
    with `revalidate`, each sends back the ETag of its last full answer in If-None-Match."""
    latencies: list[float] = []
    counts = {200: 0, 304: 0}
    errors: Counter[str] = Counter()  # by status or transport error
    size = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one(client: httpx.AsyncClient, path: str) -> None:
        nonlocal size
        etag = ""
        while time.perf_counter() < deadline:
            headers = {"If-None-Match": etag} if revalidate and etag else {}
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                status = response.status_code
                if status == 200:
                    etag, size = response.headers.get("etag", ""), len(response.content)
            except httpx.HTTPError as err:
                status = 0
                errors[type(err).__name__] += 1
            latencies.append(time.perf_counter() - started)
            if status in counts:
                counts[status] += 1
            elif status:
                errors[str(status)] += 1

    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(one(client, paths[i % len(paths)]) for i in range(clients)))
    elapsed = time.perf_counter() - began
    out: dict[str, Any] = {
        "requests": len(latencies),
        "ok": counts[200],
        "not_modified": counts[304],
        "errors": sum(errors.values()),
        "kinds": ", ".join(f"{k} x{n}" for k, n in errors.most_common()),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "kib": size / 1024,
    }
    return out


def build_year(url: str, advisers: int, weeks: int) -> tuple[list[str], list[float]]:
    """The team, its feed addresses and `weeks` published rosters; the feeds' paths and the
    seconds each publication took (feeds rebuilt included)."""
    from sqlmodel import Session

    from api import crud, feeds, versions
    from api.convert import scenario_data, store_roster
    from api.db import make_engine, migrate
    from api.models import (
        AdviserCreate,
        ChannelCreate,
        TeamCreate,
        VersionRow,
        WeekCreate,
    )

    engine = make_engine(url)
    migrate(engine)
    ids = [f"A{n:03d}" for n in range(1, advisers + 1)]
    paths = []
    with Session(engine) as session:
        crud.create_channel(session, data=ChannelCreate(name="social", label="Social media"))
        crud.create_channel(session, data=ChannelCreate(name="phone", kind="realtime"))
        crud.create_team(session, data=TeamCreate(name="paris", timezone=ZONE))
        for adviser in ids:
            data = AdviserCreate(id=adviser, team="paris", channels=["social", "phone"])
            crud.create_adviser(session, data=data)
            _, secret = feeds.make_address(session, adviser_id=adviser)
            paths.append(f"/feeds/{secret}.ics")
        today = datetime.now(UTC).date()
        first = today - timedelta(days=today.weekday(), weeks=4)
        seconds = []
        for w in range(weeks):
            monday = first + timedelta(weeks=w)
            week = crud.create_week(session, data=WeekCreate(monday=monday, timezone=ZONE))
            version = VersionRow(
                week_id=week.id,
                number=1,
                status="FEASIBLE",
                penalties={},
                violations=[],
                snapshot={"scenario": scenario_data(session, week), "demand": []},
            )
            session.add(version)
            session.flush()
            store_roster(session, version, _week_roster(ids, monday), {a: "paris" for a in ids})
            session.commit()
            assert version.id is not None
            started = time.perf_counter()
            versions.publish(session, version_id=version.id, expected_revision=None)
            seconds.append(time.perf_counter() - started)
    engine.dispose()
    return paths, seconds


def _week_roster(ids: list[str], monday: date) -> Any:
    """Monday to Friday 09:00-17:00 on the Paris clock: social, a break at 12:30, phone."""
    from roster.solution import BREAK, Activity, Roster, Shift

    tz = pytz.timezone(ZONE)
    shifts = []
    for adviser in ids:
        for day in range(5):
            base = datetime.combine(monday + timedelta(days=day), datetime.min.time())

            def at(hour: int, minute: int = 0, base: datetime = base) -> datetime:
                return tz.localize(base.replace(hour=hour, minute=minute)).astimezone(UTC)

            blocks = (
                Activity("social", at(9), at(12, 30)),
                Activity(BREAK, at(12, 30), at(13)),
                Activity("phone", at(13), at(17)),
            )
            shifts.append(Shift(adviser, at(9), at(17), blocks))
    return Roster(shifts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisers", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15, help="per round")
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'roster.db'}"
        print(f"publishing {args.weeks} weeks of {args.advisers} advisers...", file=sys.stderr)
        paths, seconds = build_year(url, args.advisers, args.weeks)
        with serving(url) as base:
            httpx.get(base + paths[0], timeout=60)  # the first request warms the process
            rounds = [
                ("revalidating (If-None-Match)", True),
                ("full downloads", False),
            ]
            rows = [
                (label, asyncio.run(poll(base, paths, args.clients, args.seconds, revalidate)))
                for label, revalidate in rounds
            ]
    print(
        f"\n{args.advisers} advisers with {args.weeks} published weeks each, "
        f"{args.clients} concurrent clients, {args.seconds:g} s per round, "
        f"{'PostgreSQL' if args.database else 'SQLite'}\n"
    )
    print(
        f"publication, {args.advisers} feeds rebuilt each time: "
        f"median {1000 * percentile(seconds, 0.5):.0f} ms, "
        f"last {1000 * seconds[-1]:.0f} ms\n"
    )
    print("| round | requests | 200 | 304 | 304 share | errors | req/s | p50 ms | p99 ms | KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        share = r["not_modified"] / r["requests"] if r["requests"] else 0
        print(
            f"| {label} | {r['requests']:.0f} | {r['ok']:.0f} | {r['not_modified']:.0f} | "
            f"{share:.1%} | {r['errors']:.0f} | {r['rps']:.1f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['kib']:,.0f} |"
        )
    for label, r in rows:
        if r["kinds"]:
            print(f"errors in {label}: {r['kinds']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
