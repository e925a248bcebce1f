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

# The shared data folder (golden VADER vectors, sample events) sits beside the repository.
export SENTRYBRAIN_SHARED_DATA="${SENTRYBRAIN_SHARED_DATA:-$ROOT/../shared/data}"

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

# One plain closing line that any CI reader understands.
passed=$(grep -o 'passed="[0-9]*"' "$RESULTS/tests.trx" 2>/dev/null | head -1 | grep -o '[0-9]*' || echo 0)
failed=$(grep -o 'failed="[0-9]*"' "$RESULTS/tests.trx" 2>/dev/null | head -1 | grep -o '[0-9]*' || echo 0)
[[ $e2e -eq 0 ]] && passed=$((passed + 1)) || failed=$((failed + 1))
[[ $fmt -eq 0 ]] && passed=$((passed + 1)) || failed=$((failed + 1))
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[[ $status -eq 0 && $e2e -eq 0 && $fmt -eq 0 ]]
