#!/usr/bin/env bash
# Cold start, whole process, side by side: `./brain consume` of a synthetic stream through this checkout's launcher
# and through another commit's launcher, alternately, RUNS times each (fresh ledger every run); prints every time,
# the medians and their ratio, and checks that both journals are the same.
#
#   tools/bench-coldstart.sh OLD_COMMIT [RUNS=5] [EVENTS=200000]
#
# The old commit is checked out into a temporary worktree and built with its own launcher (untimed), as is this
# checkout; the stream is `./brain replay --events EVENTS --symbols 50 --seed 1`. Run it on an idle machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OLD_COMMIT="${1:?usage: tools/bench-coldstart.sh OLD_COMMIT [RUNS] [EVENTS]}"
RUNS="${2:-5}"
EVENTS="${3:-200000}"
# shellcheck source=tools/old-worktree.sh
source "$ROOT/tools/old-worktree.sh"
"$OLD_TREE/brain" --help >/dev/null
"$ROOT/brain" --help >/dev/null
"$ROOT/brain" replay --events "$EVENTS" --symbols 50 --seed 1 >"$WORK/events.ndjson"

# One timed run: prints seconds; the journal goes to $3.
run() {
  local launcher="$1" dir="$2" journal="$3" start end
  rm -rf "$dir" && mkdir -p "$dir"
  start=$(date +%s%N)
  (cd "$dir" && "$launcher" consume --ledger "$dir/ledger.db" <"$WORK/events.ndjson" >"$journal" 2>/dev/null)
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000000" | bc
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

old_times=() new_times=()
for i in $(seq 1 "$RUNS"); do
  old_times+=("$(run "$OLD_TREE/brain" "$WORK/run-old" "$WORK/old.ndjson")")
  new_times+=("$(run "$ROOT/brain" "$WORK/run-new" "$WORK/new.ndjson")")
  echo "run $i: old ${old_times[-1]} s, new ${new_times[-1]} s" >&2
done

old_median=$(printf '%s\n' "${old_times[@]}" | median)
new_median=$(printf '%s\n' "${new_times[@]}" | median)
echo "events: $EVENTS; runs: $RUNS each, alternating; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "old ($OLD_COMMIT): ${old_times[*]} -> median $old_median s"
echo "new ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src brain || echo '+changes')): ${new_times[*]} -> median $new_median s"
echo "speed-up: $(echo "scale=2; $old_median / $new_median" | bc)x"
if cmp -s "$WORK/old.ndjson" "$WORK/new.ndjson"; then
  echo "journals: identical ($(wc -l <"$WORK/new.ndjson") lines)"
else
  echo "journals: DIFFER (old $(wc -l <"$WORK/old.ndjson") lines, new $(wc -l <"$WORK/new.ndjson") lines)"
fi
