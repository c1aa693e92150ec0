# Shared by scripts/test.sh and scripts/bench.sh (sourced, not run): a private PostgreSQL cluster from Debian's
# packages, installed when missing, on a free loopback port in a temporary directory, stopped and removed on exit.
#
#   start_postgres fast      # fsync off: for tests, which kill server processes, never the database
#   start_postgres durable   # PostgreSQL's defaults (fsync, synchronous_commit): for benchmarks
#
# Sets PARLEY_PG (an Npgsql connection string for the cluster's `postgres` database, user `parley`).

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
  # pg_stat_statements: the query-plan test reads the statements a server ran from it (docs/architecture.md#performance).
  local mode=$1 settings="-c max_connections=400 -c shared_preload_libraries=pg_stat_statements"
  ensure_postgres
  pg_dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
  chmod 755 "$pg_dir"
  # initdb refuses to run as root: use Debian's postgres user then.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    pg_user_cmd=(runuser -u postgres --)
  fi
  if [ "$mode" = fast ]; then
    settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # Extra server settings for an investigation, e.g. PARLEY_PG_SETTINGS="-c pg_stat_statements.track=all".
  settings="$settings ${PARLEY_PG_SETTINGS:-}"
  local port
  port=$(free_port)
  "${pg_user_cmd[@]}" "$(pg_bin)/initdb" -D "$pg_dir/data" -U parley -A trust --no-sync >/dev/null
  "${pg_user_cmd[@]}" "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o \
    "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 $settings" start >/dev/null
  PARLEY_PG="Host=127.0.0.1;Port=$port;Username=parley;Database=postgres;Pooling=true;Maximum Pool Size=50"
  echo "== PostgreSQL $("$(pg_bin)/postgres" --version | awk '{print $3}') on port $port ($mode)"
}

# Pins the cluster to one CPU (the postmaster and the processes it has started; backends it starts later inherit it):
# the benchmarks put the server and its database on CPU 0 and the load generator on CPU 1.
pin_postgres() {
  local cpu=$1 postmaster
  postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
  for pid in "$postmaster" $(pgrep -P "$postmaster"); do
    taskset -cp "$cpu" "$pid" >/dev/null
  done
}
