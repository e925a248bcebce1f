#!/usr/bin/env bash
# End-to-end checks of the CLI through the ./brain launcher, as a user runs it.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export PAPER_DB_PATH="$TMP/paper.db"
# The learning loop's files too: a run of the checks must not touch the repository's data/ folder.
export EXPERIENCE_BUFFER_PATH="$TMP/experience.jsonl" SHADOW_DB_PATH="$TMP/shadow.db"
export GENERATED_RULES_PATH="$TMP/rules.json" GENERATED_RULES_PROPOSED_PATH="$TMP/rules_proposed.json"
fail=0
check() { if eval "$2"; then echo "  ok   $1"; else echo "  FAIL $1"; fail=1; fi; }

echo "-- ./brain demo"
./brain demo >"$TMP/demo.txt" 2>&1; demo=$?
check "demo exits 0" "[[ $demo -eq 0 ]]"
check "demo shows a buy, a fill and an exit" "grep -q 'OK' $TMP/demo.txt"

echo "-- ./brain replay | ./brain consume (twice)"
./brain replay | ./brain consume >"$TMP/j1.ndjson" 2>"$TMP/c1.log"; c1=$?
./brain replay | ./brain consume >"$TMP/j2.ndjson" 2>"$TMP/c2.log"; c2=$?
check "consume exits 0" "[[ $c1 -eq 0 && $c2 -eq 0 ]]"
for kind in decision order fill; do
  check "journal has a $kind line" "grep -q '\"kind\":\"$kind\"' $TMP/j1.ndjson"
done
check "last line is the summary" "tail -1 $TMP/j1.ndjson | grep -q '\"kind\":\"summary\"'"
check "two runs give identical journals" "cmp -s $TMP/j1.ndjson $TMP/j2.ndjson"

echo "-- 200,000 synthetic events with 1 % garbage"
./brain replay --events 200000 --symbols 50 --seed 1 >"$TMP/clean.ndjson"
# Independent corruption: every 100th line becomes one of several kinds of garbage.
awk 'NR % 100 == 0 { k = (NR / 100) % 5;
       if (k == 0) print "{not json";
       else if (k == 1) { sub(/"price":[0-9.]+/, "\"price\":-5"); sub(/"bid":[0-9.]+/, "\"bid\":-5"); if ($0 !~ /-5/) $0 = "{\"type\":\"trade\",\"ts\":\"2026-03-02T15:00:00Z\",\"payload\":{\"symbol\":\"X\",\"price\":-5}}"; print }
       else if (k == 2) print substr($0, 1, int(length($0) / 2));
       else if (k == 3) print "{\"type\":\"trade\",\"ts\":\"2026-03-02T15:00:00Z\",\"payload\":{\"symbol\":\"X\",\"price\":{\"v\":1}}}";
       else print "\001\002 garbage \377";
       next } { print }' "$TMP/clean.ndjson" >"$TMP/dirty.ndjson"
./brain consume <"$TMP/dirty.ndjson" >"$TMP/j3.ndjson" 2>"$TMP/c3.log"; c3=$?
check "consume exits 0 on garbage" "[[ $c3 -eq 0 ]]"
errors=$(grep -c '"kind":"error"' "$TMP/j3.ndjson")
check "every bad line is an error (2000 = $errors)" "[[ $errors -eq 2000 ]]"
check "error lines carry the line numbers (first is 100)" "grep -m1 '\"kind\":\"error\"' $TMP/j3.ndjson | grep -q '\"line\":100,'"
summary=$(tail -1 "$TMP/j3.ndjson")
ev=$(sed -E 's/.*"events":([0-9]+).*/\1/' <<<"$summary"); rj=$(sed -E 's/.*"rejected":([0-9]+).*/\1/' <<<"$summary")
check "summary adds up: events + rejected = lines ($ev + $rj = 200000)" "[[ $((ev + rj)) -eq 200000 && $rj -eq 2000 ]]"

echo "-- ./brain backtest (offline, sample data)"
./brain backtest --data sample --symbols SPY --years 20 --report "$TMP/bt1" >"$TMP/bt1.txt" 2>&1; b1=$?
./brain backtest --data sample --symbols SPY --years 20 --report "$TMP/bt2" >"$TMP/bt2.txt" 2>&1; b2=$?
./brain backtest --data sample --symbols AAPL --strategy sma_cross --report "$TMP/bt3" >"$TMP/bt3.txt" 2>&1; b3=$?
check "backtest exits 0" "[[ $b1 -eq 0 && $b2 -eq 0 && $b3 -eq 0 ]]"
for f in summary.md summary.json trades.csv fills.csv equity.png drawdown.png manifest.json; do
  check "backtest report has $f" "[[ -s $TMP/bt1/$f && -s $TMP/bt3/$f ]]"
done
check "charts are PNG files" "head -c 8 $TMP/bt1/equity.png | grep -q PNG && head -c 8 $TMP/bt3/drawdown.png | grep -q PNG"
check "same command twice gives a byte-identical summary.json" "cmp -s $TMP/bt1/summary.json $TMP/bt2/summary.json"
check "sma_cross on AAPL: 25 round trips (independent reference)" "grep -q '\"trades\": 25,' $TMP/bt3/summary.json"
./brain backtest --data sample --symbols SPY --walk-forward 252:63 --sweep STOP_LOSS_PCT=1,2 --report "$TMP/wf" >"$TMP/wf.txt" 2>&1; wf=$?
check "walk-forward with a sweep writes one table" "[[ $wf -eq 0 && -s $TMP/wf/walk_forward.csv ]] && grep -q 'fold 1 ' $TMP/wf/summary.md"
check "manifest pins the data file hash" "grep -q 9409e9342d0657c747324e4cfabce8a8c7f663bc485b95a3378f36b0a160f8c8 $TMP/bt1/manifest.json"

echo "-- learning on history: backtest --experience | optimize --write-rules | backtest --rules"
./brain backtest --data sample --symbols SPY --years 20 --experience "$TMP/bt.jsonl" --report "$TMP/bx" >"$TMP/bx.txt" 2>&1; bx=$?
fills=$(grep -o '"fills": [0-9]*' "$TMP/bx/summary.json" | grep -o '[0-9]*$')
check "backtest --experience writes one line per fill ($(wc -l <"$TMP/bt.jsonl") = $fills)" "[[ $bx -eq 0 && $(wc -l <"$TMP/bt.jsonl") -eq $fills ]]"
./brain optimize --buffer "$TMP/bt.jsonl" --write-rules --json >"$TMP/opt.json" 2>"$TMP/opt.log"; op=$?
check "optimize reads it and writes the active rules file" "[[ $op -eq 0 && -s $TMP/rules.json ]] && grep -q '\"exits\": *[1-9]' $TMP/opt.json"
./brain backtest --data sample --symbols SPY --years 20 --rules "$TMP/rules.json" --report "$TMP/br" >"$TMP/br.txt" 2>&1; br=$?
check "backtest --rules runs with the result and reports its rules" "[[ $br -eq 0 ]] && grep -q '\"blocked_buys\"' $TMP/br/summary.json"

echo "-- Redis: ./brain publish | route | consume --redis (redis-server from test.sh)"
if [[ "${SENTRYBRAIN_TEST_REDIS:-}" == *:* ]]; then
  export REDIS_URL="redis://$SENTRYBRAIN_TEST_REDIS" REDIS_STREAM="e2e:$$:$RANDOM"
  ./brain replay | ./brain publish 2>"$TMP/p.log"; p=$?
  check "publish exits 0" "[[ $p -eq 0 ]]"
  ./brain route --shards 2 --from-start --idle-exit 1 2>"$TMP/r.log"; r=$?
  check "route exits 0" "[[ $r -eq 0 ]]"
  TRADE_PAPER=false ./brain consume --redis --shards 0,1 --from-start --idle-exit 2 >"$TMP/j4.ndjson" 2>"$TMP/c4.log"; c4=$?
  check "consume --redis exits 0 with the summary last" "[[ $c4 -eq 0 ]] && tail -1 $TMP/j4.ndjson | grep -q '\"kind\":\"summary\"'"
  TRADE_PAPER=false ./brain replay | TRADE_PAPER=false ./brain consume >"$TMP/j5.ndjson" 2>/dev/null
  check "same decisions as from stdin" "cmp -s <(grep '\"kind\":\"decision\"' $TMP/j4.ndjson | sort) <(grep '\"kind\":\"decision\"' $TMP/j5.ndjson | sort)"
else
  echo "  FAIL no redis-server (SENTRYBRAIN_TEST_REDIS=${SENTRYBRAIN_TEST_REDIS:-unset})"; fail=1
fi

exit $fail
