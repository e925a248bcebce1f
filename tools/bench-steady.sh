#!/usr/bin/env bash
# Steady state, in process, side by side: `brain bench consume` (1,000,000 events, 50 symbols, seed 1, best of 3
# runs inside) of another commit and of this checkout, alternately, ROUNDS times each, at the default cadence (45 s)
# and deciding on every event (0); prints every figure and the medians of the consume throughput.
#
#   tools/bench-steady.sh OLD_COMMIT [ROUNDS=3]
#
# Both are plain IL Release builds run through `dotnet brain.dll`, so only the code differs. Run it on an idle machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OLD_COMMIT="${1:?usage: tools/bench-steady.sh OLD_COMMIT [ROUNDS]}"
ROUNDS="${2:-3}"
# shellcheck source=tools/old-worktree.sh
source "$ROOT/tools/old-worktree.sh"
for tree in "$OLD_TREE" "$ROOT"; do
  dotnet build "$tree/src/SentryBrain.Cli" -c Release --nologo -v quiet >/dev/null
done

# One bench: prints "consume parse p50 p99" (events/s, events/s, µs, µs).
bench() {
  dotnet "$1/src/SentryBrain.Cli/bin/Release/net10.0/brain.dll" bench consume --events 1000000 --symbols 50 --seed 1 \
    --runs 3 --strategy green_light --strategy-interval "$2" 2>&1 \
    | awk -F'│' '/all layers/ { c = $3 } /parse only/ { p = $3 } /p50/ { p50 = $3 } /p99 / { p99 = $3 }
                END { gsub(/[ ,]/, "", c); gsub(/[ ,]/, "", p); gsub(/ /, "", p50); gsub(/ /, "", p99); print c, p, p50, p99 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "consume and parse in events/s, p50 and p99 in µs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for cadence in 45 0; do
  old=() new=()
  for round in $(seq 1 "$ROUNDS"); do
    o=$(bench "$OLD_TREE" "$cadence"); n=$(bench "$ROOT" "$cadence")
    echo "interval $cadence, round $round: old $o | new $n"
    old+=("${o%% *}"); new+=("${n%% *}")
  done
  om=$(printf '%s\n' "${old[@]}" | median); nm=$(printf '%s\n' "${new[@]}" | median)
  echo "interval $cadence: consume median old ($OLD_COMMIT) $om, new $nm events/s: $(echo "scale=2; $nm / $om" | bc)x"
done
