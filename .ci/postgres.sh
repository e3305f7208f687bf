#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: Debian's package (installed if missing), a new cluster
# in a temporary folder on a free loopback port, stopped and removed when the caller exits.
# Source it: it exports ROSTER_TEST_POSTGRES_URL and sets an EXIT trap.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d)
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# PostgreSQL refuses to run as root: run it as the package's postgres user then.
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PG_DIR"
    pg() { runuser -u postgres -- "$@"; }
else
    pg() { "$@"; }
fi

pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U roster --auth=trust -E UTF8 >/dev/null
pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
pg_stop() {
    pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap pg_stop EXIT
pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U roster roster_test
export ROSTER_TEST_POSTGRES_URL="postgresql://roster@127.0.0.1:$PG_PORT/roster_test"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') for the tests on port $PG_PORT"
