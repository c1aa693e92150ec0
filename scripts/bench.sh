#!/usr/bin/env bash
# Runs the benchmarks: a Release build of the harness (bench/Parley.Bench) against SQLite with both durability
# settings and against a private PostgreSQL cluster (Debian's packages, installed when missing, with PostgreSQL's
# durable defaults), and writes the report to bench/results/<date>.md and .json.
#
#   scripts/bench.sh                      # every scenario, full length
#   scripts/bench.sh --quick              # every scenario, shorter runs (about 12 minutes here)
#   scripts/bench.sh --sqlite-only send   # skip PostgreSQL; one scenario (send, latency, fanout, drain, claims, idle,
#                                         # gateway, peer, flat)
#   scripts/bench.sh --only postgres      # one provider: sqlite-full, sqlite-normal or postgres
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh

sqlite_only=0
args=()
for arg in "$@"; do
  case "$arg" in
    --sqlite-only) sqlite_only=1 ;;
    *) args+=("$arg") ;;
  esac
done

dotnet build bench/Parley.Bench -c Release --nologo -v quiet
if [ "$sqlite_only" -eq 0 ]; then
  start_postgres durable
  pin_postgres 0
  args+=(--postgres "$PARLEY_PG")
fi
dotnet run -c Release --no-build --project bench/Parley.Bench -- "${args[@]}"
