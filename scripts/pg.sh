#!/usr/bin/env bash
# pg.sh starts a throwaway PostgreSQL cluster for parley's store/postgres
# tests: a temporary folder, a unix socket only (no TCP port to clash
# with), fsync off (speed over durability: the data is thrown away).
#
#   eval "$(scripts/pg.sh start)"   # exports PARLEY_TEST_DSN and PARLEY_PG_DIR
#   scripts/pg.sh stop "$PARLEY_PG_DIR"
#
# It installs Debian's PostgreSQL first when initdb is absent (CI on a fresh
# machine; needs root). Run as root, the server runs as the postgres user,
# which PostgreSQL requires. PARLEY_PG_FSYNC=on starts a durable cluster.
set -euo pipefail

pgbin() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    echo "$d"
    return
  fi
  return 1
}

install() {
  echo "pg.sh: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
}

# as runs a command as the postgres user when we are root.
as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin dir
  bin=$(pgbin) || { install; bin=$(pgbin); }
  dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
    chown postgres "$dir"
  fi
  as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
    "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=${PARLEY_PG_FSYNC:-off} -c synchronous_commit=${PARLEY_PG_FSYNC:-off} -c full_page_writes=${PARLEY_PG_FSYNC:-off} -c max_connections=200" \
    start >&2 || { cat "$dir/server.log" >&2; exit 1; }
  echo "export PARLEY_PG_DIR='$dir'"
  echo "export PARLEY_TEST_DSN='host=$dir user=postgres dbname=postgres sslmode=disable'"
}

stop() {
  local dir=${1:?usage: pg.sh stop DIR}
  local bin
  bin=$(pgbin) || exit 0
  as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
