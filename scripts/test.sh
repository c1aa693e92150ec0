#!/usr/bin/env bash
# Runs every test: the whole suite on SQLite, then again on PostgreSQL.
# PostgreSQL comes from Debian's packages (installed here when missing); the suite gets a private cluster on a free
# port in a temporary directory (scripts/postgres.sh), stopped and removed at the end. Nothing else is touched.
# The suite kills server processes, never the database, so that cluster runs with fsync off.
#
#   scripts/test.sh                 # both providers
#   scripts/test.sh --sqlite-only   # skip PostgreSQL
#   scripts/test.sh -- --filter X   # extra arguments after -- go to `dotnet test`
#   PARLEY_FUZZ_REQUESTS=20000 PARLEY_FUZZ_SEED=7 scripts/test.sh   # a longer fuzz run, another seed
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh

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

# Schedules resolve IANA time zones from the system's zone database (Debian's tzdata).
if [ ! -e /usr/share/zoneinfo/Europe/Paris ]; then
  echo "== installing tzdata from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq tzdata >/dev/null
fi

# The listener's end-to-end tests bind a shell-script agent that answers through the API with curl (and the gateway's
# go through `parley run -- curl`); the gateway reads the Public Suffix List from Debian's publicsuffix package.
# The MCP tests drive the server with the official TypeScript SDK client (node, its packages from npm).
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# The dashboard's tests drive Debian's Chromium with Playwright (no browser download).
command -v chromium >/dev/null || missing+=(chromium)
[ -e /usr/share/publicsuffix/public_suffix_list.dat ] || missing+=(publicsuffix)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== MCP test client (npm ci, from the committed lock file)"
(cd tests/mcp-client && npm ci --no-audit --no-fund --loglevel=error)

echo "== build"
dotnet build Parley.slnx -c Release -warnaserror --nologo -v quiet

echo "== the CLI as a .NET tool (dotnet pack, dotnet tool install from the local package)"
tool_dir="$(mktemp -d /tmp/parley-tool.XXXXXX)"
dotnet pack src/Parley.Cli -c Release --no-build --nologo -v quiet -o "$tool_dir/pkg"
dotnet tool install --tool-path "$tool_dir/bin" --add-source "$tool_dir/pkg" Parley.Cli >/dev/null
tool_help="$("$tool_dir/bin/parley" --help)"
grep -q "rooms" <<<"$tool_help" || { echo "the installed parley tool does not list its verbs" >&2; exit 1; }
rm -rf "$tool_dir"

# The schema-driven fuzz test appends its figures here (requests, 5xx, envelope-less errors, schema violations…).
export PARLEY_FUZZ_REPORT="${PARLEY_FUZZ_REPORT:-$(mktemp /tmp/parley-fuzz.XXXXXX)}"
: > "$PARLEY_FUZZ_REPORT"

echo "== tests on SQLite"
PARLEY_TEST_POSTGRES= dotnet test tests/Parley.Tests -c Release --no-build --nologo "${extra[@]}"
cat "$PARLEY_FUZZ_REPORT"

if [ "$sqlite_only" -eq 0 ]; then
  start_postgres fast
  export PARLEY_TEST_POSTGRES="$PARLEY_PG"
  echo "== tests on PostgreSQL"
  : > "$PARLEY_FUZZ_REPORT"
  dotnet test tests/Parley.Tests -c Release --no-build --nologo "${extra[@]}"
  cat "$PARLEY_FUZZ_REPORT"
fi
echo "== all tests passed"
