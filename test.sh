#!/usr/bin/env bash
# Installs what the tests need, starts services on loopback, runs every test. Exits non-zero on any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is required" >&2
  exit 127
fi

# Test fixtures live in tests/SentryBrain.Tests/Fixtures (with their provenance): a lone clone passes.

# A real redis-server for the Redis tests: installed when missing, started on a free loopback port without
# persistence, stopped on exit. The tests read its address from SENTRYBRAIN_TEST_REDIS and FAIL without it.
start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "== installing redis-server"
    local sudo=""
    if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
    $sudo apt-get install -y redis-server >/dev/null 2>&1 \
      || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y redis-server >/dev/null 2>&1; } \
      || { echo "test.sh: could not install redis-server; the Redis tests will fail" >&2; return 1; }
  fi
  REDIS_DIR="$(mktemp -d)"
  local port attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$(( 20000 + (RANDOM % 30000) ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue   # something already listens there
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
      --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null 2>&1 || continue
    for _ in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        export SENTRYBRAIN_TEST_REDIS="127.0.0.1:$port"
        echo "== redis-server $(redis-server --version | grep -o 'v=[0-9.]*') on $SENTRYBRAIN_TEST_REDIS (no persistence)"
        return 0
      fi
      sleep 0.1
    done
    stop_redis
    REDIS_DIR="$(mktemp -d)"
  done
  echo "test.sh: could not start redis-server; the Redis tests will fail" >&2
  return 1
}
stop_redis() {
  if [[ -n "${REDIS_DIR:-}" && -f "$REDIS_DIR/redis.pid" ]]; then
    local pid
    pid="$(cat "$REDIS_DIR/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [[ -n "${REDIS_DIR:-}" ]] && rm -rf "$REDIS_DIR"
  REDIS_DIR=""
}
trap stop_redis EXIT
# Without a server the variable still says "required", so the tests fail instead of silently skipping.
export SENTRYBRAIN_TEST_REDIS="required"
start_redis

RESULTS="$ROOT/.build/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

echo "== build"
dotnet build "$ROOT/SentryBrain.sln" -c Release --nologo -v quiet -warnaserror || { echo "0 passed, 1 failed"; exit 1; }

echo "== format (dotnet format --verify-no-changes)"
fmt=0
dotnet format "$ROOT/SentryBrain.sln" --verify-no-changes --no-restore -v quiet || { echo "test.sh: run 'dotnet format SentryBrain.sln' to fix the style"; fmt=1; }

echo "== unit and integration tests"
dotnet test "$ROOT/tests/SentryBrain.Tests/SentryBrain.Tests.csproj" -c Release --no-build --nologo \
  --logger "trx;LogFileName=tests.trx" --results-directory "$RESULTS" --logger "console;verbosity=normal" 2>&1 | tee "$RESULTS/console.log"
status=${PIPESTATUS[0]}

echo "== end-to-end (CLI)"
"$ROOT/tests/e2e.sh"
e2e=$?

# The failures again, last, so a CI log that keeps only its tail still names them (40 lines each at most).
if [[ $status -ne 0 ]]; then
  echo "== failed tests (details above and in $RESULTS/tests.trx)"
  awk '/^  (Passed|Skipped) /{show=0} /^  Failed /{show=1; n=0} show && n++ < 40' "$RESULTS/console.log"
fi

# One plain closing line that any CI reader understands.
passed=$(grep -o 'passed="[0-9]*"' "$RESULTS/tests.trx" 2>/dev/null | head -1 | grep -o '[0-9]*' || echo 0)
failed=$(grep -o 'failed="[0-9]*"' "$RESULTS/tests.trx" 2>/dev/null | head -1 | grep -o '[0-9]*' || echo 0)
[[ $e2e -eq 0 ]] && passed=$((passed + 1)) || failed=$((failed + 1))
[[ $fmt -eq 0 ]] && passed=$((passed + 1)) || failed=$((failed + 1))
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[[ $status -eq 0 && $e2e -eq 0 && $fmt -eq 0 ]]
