#!/usr/bin/env bash
# A peer messaging server for benchmarks: a private ejabberd instance (Debian's package) whose HTTP API
# (mod_http_api, command send_message) stores every message for an offline recipient in SQL (mod_offline's
# `spool` table), on SQLite or PostgreSQL. See README.md beside this file.
#
#   ejabberd.sh install                              # apt-get ejabberd, wrk, the SQL drivers (when missing)
#   ejabberd.sh start DIR PORT                       # SQLite in DIR/ejabberd.db; prints the BEAM's PID
#   ejabberd.sh start DIR PORT postgres CONNINFO     # PostgreSQL; prints the BEAM's PID
#   ejabberd.sh stop DIR
#   ejabberd.sh version                              # "ejabberd 23.01-1" (the Debian package's)
#
# CONNINFO is libpq style ("host=127.0.0.1 port=5432 dbname=ejabberd user=parley password=secret") or
# Npgsql style ("Host=127.0.0.1;Port=5432;Database=ejabberd;Username=parley;Password=secret"); keys are
# case-insensitive, others (Pooling=...) are ignored. A missing database is created and, when it has no
# `spool` table, loaded with Debian's /usr/share/ejabberd/sql/pg.sql (needs psql).
#
# Environment for `start`:
#   PAIRS=N          users a,b (always) plus u1..uN and v1..vN when N > 1 (default 1)
#   PEER_CPU=LIST    pin the BEAM with `taskset -c LIST` from its first instruction (default: not pinned)
#   PEER_ERL_FLAGS   emulator flags (default "+S 1:1 +SDcpu 1:1 +sbwt none +sbwtdcpu none +sbwtdio none":
#                    one scheduler, no busy-waiting, so /proc/PID/stat CPU time is work, not spinning)
#   PEER_SQL_POOL=N  SQL connections (default: ejabberd's, 1 for SQLite, 10 for PostgreSQL)
#
# `start` returns when the API answers and both users exist, and prints one line: the PID of beam.smp
# (also written to DIR/ejabberd.pid). stdout of `start` carries nothing else; progress goes to stderr.
# As root, the instance runs as Debian's `ejabberd` system user (via setpriv) and DIR is chowned to it.
set -euo pipefail

EJ_LIB=/usr/lib/x86_64-linux-gnu            # ERL_LIBS: Debian installs ejabberd-<version>/ under it
EJ_USER=ejabberd                           # the system user the Debian package creates

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
log() { echo "ejabberd.sh: $*" >&2; }
die() { log "$*"; exit 1; }

cmd_install() {
  # erlang-p1-sqlite3 / erlang-p1-pgsql are the SQL drivers ejabberd loads (the package only suggests them);
  # sqlite3, psql and curl are for this script and for checks.
  local missing=() p
  for p in ejabberd wrk erlang-p1-sqlite3 erlang-p1-pgsql; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  # The package's own service (node ejabberd@localhost, ports 5222/5269/5280/5443/...) is never used:
  # stop and disable it so that it does not run beside, or come back after a reboot.
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now ejabberd >/dev/null 2>&1 || true
  else
    as_root update-rc.d ejabberd disable >/dev/null 2>&1 || true
    [ -f /run/ejabberd/ejabberd.pid ] && { as_root service ejabberd stop >/dev/null 2>&1 || true; }
  fi
  log "$(cmd_version)"
}

cmd_version() {
  local app vsn
  app=$(ls "$EJ_LIB"/ejabberd-*/ebin/ejabberd.app 2>/dev/null | head -n 1) || true
  [ -n "$app" ] || die "ejabberd is not installed (run: $0 install)"
  vsn=$(sed -n 's/.*{vsn,[[:space:]]*"\([^"]*\)"}.*/\1/p' "$app")   # Debian's: "23.01-1"
  echo "ejabberd $vsn"
}

# Parses CONNINFO into pg_host, pg_port, pg_db, pg_user, pg_password.
parse_conninfo() {
  pg_host=127.0.0.1 pg_port=5432 pg_db=ejabberd pg_user=postgres pg_password=""
  local kv k v items
  # Npgsql strings are split at ';' (keys like "Maximum Pool Size" have spaces), libpq ones at blanks.
  if [[ $1 == *";"* ]]; then IFS=';' read -r -a items <<<"$1"; else read -r -a items <<<"$1"; fi
  for kv in "${items[@]}"; do
    k=$(echo "${kv%%=*}" | tr -d ' ' | tr 'A-Z' 'a-z'); v=${kv#*=}
    case $k in
      host|server) pg_host=$v ;;
      port) pg_port=$v ;;
      dbname|database) pg_db=$v ;;
      user|username) pg_user=$v ;;
      password) pg_password=$v ;;
    esac
  done
}

pg_psql() {  # pg_psql DATABASE ARGS...: psql on the parsed server, quiet, failing on the first error
  local db=$1; shift
  PGPASSWORD=$pg_password psql -X -q -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$db" "$@"
}

prepare_postgres() {
  command -v psql >/dev/null || die "psql is missing (run: $0 install)"
  if [ -z "$(pg_psql postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" ]; then
    log "creating database $pg_db"
    pg_psql postgres -c "CREATE DATABASE \"$pg_db\""
  fi
  if [ "$(pg_psql "$pg_db" -tAc "SELECT to_regclass('public.spool') IS NULL")" = t ]; then
    log "loading /usr/share/ejabberd/sql/pg.sql into $pg_db"
    pg_psql "$pg_db" -f /usr/share/ejabberd/sql/pg.sql >/dev/null
  fi
}

write_config() {  # write_config DIR PORT BACKEND
  local dir=$1 port=$2 backend=$3 sql pool=""
  [ -n "${PEER_SQL_POOL:-}" ] && pool="sql_pool_size: $PEER_SQL_POOL"
  if [ "$backend" = sqlite ]; then
    # ejabberd creates the tables itself (lite.sql) when the file has none.
    sql="sql_type: sqlite
sql_database: \"$dir/ejabberd.db\""
  else
    sql="sql_type: pgsql
sql_server: \"$pg_host\"
sql_port: $pg_port
sql_database: \"$pg_db\"
sql_username: \"$pg_user\"
sql_password: \"$pg_password\""
  fi
  cat >"$dir/ejabberd.yml" <<EOF
# Written by bench/peer/ejabberd.sh: a private instance for benchmarks, not a deployment.
hosts:
  - localhost
loglevel: warning        # info would log every API call
log_rotate_count: 0
certfiles: []

# Only the HTTP API, on loopback. No c2s/s2s/BOSH/websocket/STUN/MQTT listeners.
listen:
  -
    port: $port
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api

# Everything that has an SQL backend uses it: users (auth) and mod_offline's spool.
default_db: sql
auth_method: sql
auth_password_format: plain
$sql
$pool

# Loopback callers may use these commands without authentication (no admin user, no OAuth token).
api_permissions:
  "loopback benchmark":
    who:
      ip: 127.0.0.1/8
    what:
      - send_message
      - register
      - status

# No caps: max_user_offline_messages = infinity also skips mod_offline's per-message count of the spool.
# No shapers apply: there is no c2s/s2s listener, and the HTTP listener and mod_http_api have none.
shaper_rules:
  max_user_offline_messages: infinity
  max_user_sessions: infinity

modules:
  mod_admin_extra: {}     # provides send_message
  mod_offline:
    access_max_user_messages: max_user_offline_messages
EOF
}

api() {  # api PORT COMMAND JSON: POST to the API, prints the body, fails on a non-2xx status
  curl -sS --fail-with-body --max-time 10 -H 'Content-Type: application/json' \
    -d "$3" "http://127.0.0.1:$1/api/$2"
}

register() {  # register PORT USER: ok when created, also ok when it exists (a restarted DIR)
  local out
  if ! out=$(api "$1" register "{\"user\":\"$2\",\"host\":\"localhost\",\"password\":\"bench\"}" 2>&1); then
    echo "$out" | grep -qi 'already registered' || die "register $2@localhost failed: $out"
  fi
}

cmd_start() {
  local dir=${1:?usage: start DIR PORT [sqlite|postgres CONNINFO]} port=${2:?PORT}
  local backend=${3:-sqlite} conninfo=${4:-} pairs=${PAIRS:-1} run_as=() i pid
  local flags=${PEER_ERL_FLAGS:-"+S 1:1 +SDcpu 1:1 +sbwt none +sbwtdcpu none +sbwtdio none"}
  case $backend in
    sqlite) ;;
    postgres|pgsql) backend=postgres; [ -n "$conninfo" ] || die "postgres needs a CONNINFO"
      parse_conninfo "$conninfo"; prepare_postgres ;;
    *) die "unknown backend $backend (sqlite or postgres)" ;;
  esac
  [ -n "$(ls -d "$EJ_LIB"/ejabberd-* 2>/dev/null)" ] || die "ejabberd is not installed (run: $0 install)"
  if [ -f "$dir/ejabberd.pid" ] && kill -0 "$(cat "$dir/ejabberd.pid")" 2>/dev/null; then
    die "an instance already runs from $dir (pid $(cat "$dir/ejabberd.pid"))"
  fi
  mkdir -p "$dir/logs" "$dir/spool"
  dir=$(cd "$dir" && pwd -P)
  write_config "$dir" "$port" "$backend"

  # ejabberd is not meant to run as root (Debian's ejabberdctl switches to the ejabberd user too).
  if [ "$(id -u)" -eq 0 ]; then
    id "$EJ_USER" >/dev/null 2>&1 || die "user $EJ_USER is missing (run: $0 install)"
    chown -R "$EJ_USER:" "$dir"
    runuser -u "$EJ_USER" -- test -w "$dir" || die "$EJ_USER cannot reach $dir: make its parents world-executable"
    run_as=(setpriv --reuid="$EJ_USER" --regid="$EJ_USER" --init-groups)
  fi
  local pin=()
  [ -n "${PEER_CPU:-}" ] && pin=(taskset -c "$PEER_CPU")

  # Every step execs the next (setsid does not fork here: a background job of a script is no group
  # leader), so $! ends up being beam.smp, the leader of a new session/process group. No node name:
  # the node is not distributed, so no epmd and no clash with a system instance's ejabberd@localhost.
  # shellcheck disable=SC2086
  setsid "${pin[@]}" "${run_as[@]}" env -i PATH=/usr/bin:/bin HOME="$dir" LANG=C.UTF-8 \
    ERL_LIBS="$EJ_LIB" EJABBERD_CONFIG_PATH="$dir/ejabberd.yml" EJABBERD_LOG_PATH="$dir/logs/ejabberd.log" \
    ERL_CRASH_DUMP="$dir/logs/erl_crash.dump" ERL_CRASH_DUMP_BYTES=0 ERL_MAX_PORTS=32000 ERL_MAX_ETS_TABLES=1400 \
    erl -noinput +K true +P 250000 $flags -mnesia dir "\"$dir/spool\"" -s ejabberd \
    </dev/null >"$dir/logs/erlang.out" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/ejabberd.pid"

  # Wait for the API (ejabberd needs a few seconds to boot).
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$dir/logs/erlang.out" "$dir/logs/ejabberd.log" >&2 2>/dev/null; die "ejabberd exited during start"; }
    api "$port" status '{}' >/dev/null 2>&1 && break
    [ "$i" -eq 120 ] && { cmd_stop "$dir"; die "the API on port $port did not answer within 60 s"; }
    sleep 0.5
  done
  [ "$(cat "/proc/$pid/comm")" = beam.smp ] || log "warning: pid $pid is $(cat "/proc/$pid/comm"), not beam.smp"

  register "$port" a
  register "$port" b
  if [ "$pairs" -gt 1 ]; then
    for i in $(seq 1 "$pairs"); do register "$port" "u$i"; register "$port" "v$i"; done
  fi
  log "$(cmd_version) on 127.0.0.1:$port, $backend, pairs=$pairs, pid $pid"
  echo "$pid"
}

cmd_stop() {
  local dir=${1:?usage: stop DIR} pid i children c
  [ -f "$dir/ejabberd.pid" ] || { log "no $dir/ejabberd.pid"; return 0; }
  pid=$(cat "$dir/ejabberd.pid")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != beam.smp ]; then
    log "pid $pid from $dir/ejabberd.pid is not running beam.smp: nothing to stop"
    rm -f "$dir/ejabberd.pid"; return 0
  fi
  # beam.smp's helpers (erl_child_setup, which starts port programs in its own process group).
  children=$(pgrep -P "$pid" 2>/dev/null || true)
  # SIGTERM makes the Erlang VM stop cleanly (init:stop, up to 15 s); its helpers exit with it.
  if kill -TERM "$pid" 2>/dev/null; then
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  # Whatever is left: the process group that start created, and the helpers' groups.
  kill -KILL -- "-$pid" 2>/dev/null || true
  for c in $children; do kill -KILL -- "-$c" 2>/dev/null || kill -KILL "$c" 2>/dev/null || true; done
  rm -f "$dir/ejabberd.pid"
}

case ${1:-} in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  version) cmd_version ;;
  *) echo "usage: $0 install | start DIR PORT [sqlite|postgres CONNINFO] | stop DIR | version" >&2; exit 2 ;;
esac
