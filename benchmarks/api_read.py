"""Read a published week's roster and its coverage over HTTP under concurrent clients.

    python benchmarks/api_read.py                        # 750 advisers, 50 clients, 15 s each
    python benchmarks/api_read.py --advisers 200 --clients 20 --seconds 5

A week is generated (examples/generate.py), loaded into a new SQLite database (or
`--database URL`), solved with a short time limit and published; then `roster serve` runs as
its own process on a free loopback port, and `--clients` concurrent httpx clients (asyncio,
one connection each) read each endpoint in turn for `--seconds`; the roster is also read
revalidated (If-None-Match with its ETag, answered 304 without a body), as a client that keeps
its copy does. Printed per endpoint: requests, errors (any status but the one expected, or a
transport error), requests per second, p50 and p99 latency in milliseconds, and the body size.
Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(url: str) -> Iterator[str]:
    """`roster serve` on `url` as its own process on a free loopback port; its base URL, once
    it answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/openapi.json")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def hammer(
    base: str,
    path: str,
    headers: dict[str, str],
    clients: int,
    seconds: float,
    expect: int = 200,
) -> dict[str, float]:
    """`clients` loops reading `path` until `seconds` have passed; counts and latencies.

    Any answer but `expect` is an error.
    """
    latencies: list[float] = []
    errors = 0
    size = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal errors, size
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                ok = response.status_code == expect
                size = len(response.content)
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(one(client) for _ in range(clients)))
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "kib": size / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisers", type=int, default=750)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15, help="per endpoint")
    parser.add_argument("--time-limit", type=float, default=30, help="of the solve, seconds")
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()

    from api.cli_service import load_example
    from api.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        week_dir = Path(folder) / "week"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "generate.py"),
                "--advisers",
                str(args.advisers),
                "--out",
                str(week_dir),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        url = args.database or f"sqlite:///{Path(folder) / 'roster.db'}"
        print(
            f"loading and solving {args.advisers} advisers ({args.time_limit:g} s)...",
            file=sys.stderr,
        )
        week_id, token = load_example(
            Settings(database_url=url), week_dir, quiet=True, time_limit=args.time_limit
        )
        headers = {"Authorization": f"Bearer {token}"}
        with serving(url) as base:
            week = httpx.get(f"{base}/weeks/{week_id}", headers=headers).json()
            version = week["published_version_id"]
            paths = {
                "roster (all shifts)": f"/weeks/{week_id}/roster",
                "coverage (JSON)": f"/versions/{version}/coverage",
                "coverage (CSV)": f"/versions/{version}/coverage?format=csv",
                "one adviser's shifts": f"/advisers/{_first_adviser(base, headers)}/shifts",
            }
            rows = []
            for label, path in paths.items():
                httpx.get(base + path, headers=headers, timeout=120)  # first read fills the cache
                rows.append(
                    (label, asyncio.run(hammer(base, path, headers, args.clients, args.seconds)))
                )
            roster = paths["roster (all shifts)"]
            etag = httpx.get(base + roster, headers=headers, timeout=120).headers.get("etag", "")
            again = {**headers, "If-None-Match": etag}
            rows.append(
                (
                    "roster, revalidated (304)",
                    asyncio.run(hammer(base, roster, again, args.clients, args.seconds, 304)),
                )
            )
    print(
        f"\n{args.advisers} advisers, {args.clients} concurrent clients, "
        f"{args.seconds:g} s per endpoint, {'PostgreSQL' if args.database else 'SQLite'}\n"
    )
    print("| endpoint | requests | errors | req/s | p50 ms | p99 ms | body KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        print(
            f"| {label} | {r['requests']:.0f} | {r['errors']:.0f} | {r['rps']:.1f} | "
            f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['kib']:,.0f} |"
        )
    return 0


def _first_adviser(base: str, headers: dict[str, str]) -> str:
    return str(httpx.get(f"{base}/advisers?limit=1", headers=headers).json()["items"][0]["id"])


if __name__ == "__main__":
    raise SystemExit(main())
