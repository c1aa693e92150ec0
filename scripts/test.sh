#!/usr/bin/env bash
# Runs every test: the whole suite on SQLite, then again on PostgreSQL.
# PostgreSQL comes from Debian's packages (installed here when missing); the suite gets a private cluster on a free
# port in a temporary directory, which is stopped and removed at the end. Nothing else on the machine is touched.
#
#   scripts/test.sh                 # both providers
#   scripts/test.sh --sqlite-only   # skip PostgreSQL
#   scripts/test.sh -- --filter X   # extra arguments after -- go to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")/.."

sqlite_only=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sqlite-only) sqlite_only=1 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_postgres() {
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    echo "== installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pg_dir=""
pg_user_cmd=()
stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    "${pg_user_cmd[@]}" "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap stop_postgres EXIT

start_postgres() {
  ensure_postgres
  pg_dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
  chmod 755 "$pg_dir"
  # initdb refuses to run as root: use Debian's postgres user then.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    pg_user_cmd=(runuser -u postgres --)
  fi
  local port
  port=$(free_port)
  "${pg_user_cmd[@]}" "$(pg_bin)/initdb" -D "$pg_dir/data" -U parley -A trust --no-sync >/dev/null
  # The suite kills server processes, never the database, so the test cluster skips fsync for speed.
  "${pg_user_cmd[@]}" "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o \
    "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null
  export PARLEY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=parley;Database=postgres;Pooling=true;Maximum Pool Size=50"
  echo "== PostgreSQL $("$(pg_bin)/postgres" --version | awk '{print $3}') on port $port"
}

echo "== build"
dotnet build Parley.slnx -c Release -warnaserror --nologo -v quiet

echo "== tests on SQLite"
PARLEY_TEST_POSTGRES= dotnet test tests/Parley.Tests -c Release --no-build --nologo "${extra[@]}"

if [ "$sqlite_only" -eq 0 ]; then
  start_postgres
  echo "== tests on PostgreSQL"
  dotnet test tests/Parley.Tests -c Release --no-build --nologo "${extra[@]}"
fi
echo "== all tests passed"
