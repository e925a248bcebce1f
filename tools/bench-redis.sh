#!/usr/bin/env bash
# End-to-end throughput through Redis (docs/BENCHMARKS.md §4): the same synthetic events consumed from stdin, from
# one Redis stream by one brain, and from two shard streams by two brains at once. Starts its own redis-server
# (loopback, free port, no persistence) and stops it at the end.
# Usage: tools/bench-redis.sh [EVENTS] [SYMBOLS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS="${1:-1000000}"
SYMBOLS="${2:-50}"
TMP="$(mktemp -d)"
PORT=$(( 20000 + (RANDOM % 30000) ))
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log" --dir "$TMP"
trap 'kill "$(cat "$TMP/redis.pid")" 2>/dev/null || true; rm -rf "$TMP"' EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
"$ROOT/brain" --help >/dev/null # build once
BRAIN=(dotnet "$ROOT/.build/cli/brain.dll")
# Streams must hold every event: the default MAXLEN (1,000,000) would trim longer runs.
export REDIS_URL="127.0.0.1:$PORT" PAPER_DB_PATH=":memory:" LOG_LEVEL=WARNING REDIS_STREAM_MAXLEN=$(( EVENTS * 2 ))
IDLE=0.3
"${BRAIN[@]}" replay --events "$EVENTS" --symbols "$SYMBOLS" --seed 1 >"$TMP/events.ndjson"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
cpu() { awk '{ print $1 + $2 }' "$1"; }

t0=$(now); /usr/bin/time -f "%U %S" -o "$TMP/cpu.stdin" "${BRAIN[@]}" consume <"$TMP/events.ndjson" >/dev/null; t1=$(now)
stdin_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "stdin, 1 brain:        $(rate "$EVENTS" "$stdin_s") events/s ($stdin_s s wall, $(cpu "$TMP/cpu.stdin") s CPU)"

t0=$(now); "${BRAIN[@]}" publish --stream bench1 <"$TMP/events.ndjson"; t1=$(now)
pub_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "publish, 1 stream:     $(rate "$EVENTS" "$pub_s") events/s ($pub_s s)"

t0=$(now); /usr/bin/time -f "%U %S" -o "$TMP/cpu.r1" "${BRAIN[@]}" consume --redis --stream bench1 --from-start --idle-exit "$IDLE" >/dev/null; t1=$(now)
r1_s=$(awk -v a="$t0" -v b="$t1" -v i="$IDLE" 'BEGIN { print b - a - i }')
echo "Redis, 1 brain:        $(rate "$EVENTS" "$r1_s") events/s ($r1_s s wall, $(cpu "$TMP/cpu.r1") s CPU)"

"${BRAIN[@]}" publish --stream bench2 --shards 2 <"$TMP/events.ndjson"
entries=$(( $(redis-cli -p "$PORT" xlen bench2:0) + $(redis-cli -p "$PORT" xlen bench2:1) ))
t0=$(now)
/usr/bin/time -f "%U %S" -o "$TMP/cpu.a" "${BRAIN[@]}" consume --redis --stream bench2 --shards 0 --from-start --idle-exit "$IDLE" >/dev/null &
/usr/bin/time -f "%U %S" -o "$TMP/cpu.b" "${BRAIN[@]}" consume --redis --stream bench2 --shards 1 --from-start --idle-exit "$IDLE" >/dev/null &
wait
t1=$(now)
r2_s=$(awk -v a="$t0" -v b="$t1" -v i="$IDLE" 'BEGIN { print b - a - i }')
echo "Redis, 2 brains:       $(rate "$EVENTS" "$r2_s") events/s total ($entries entries incl. account snapshots copied to both shards; $r2_s s wall, $(awk '{ s += $1 + $2 } END { print s }' "$TMP/cpu.a" "$TMP/cpu.b") s CPU)"
echo "redis-server CPU over the whole script: $(awk '{ printf "%.1f s", ($14 + $15) / 100 }' /proc/$(cat "$TMP/redis.pid")/stat)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
