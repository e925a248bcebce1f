#!/usr/bin/env bash
# Regenerates docs/CONFIG.md from the variables the brain reads (./brain config --markdown).
# tests/SentryBrain.Tests/DocsTests.cs fails when a variable is missing from the document.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
{
cat <<'HEAD'
# Configuration

SentryBrain reads environment variables, and `.env` in the working directory (`KEY=VALUE` lines,
`#` comments, optional `export` and quotes). The process environment wins over `.env`. Names and
defaults are the reference brain's (BEHAVIOR.md §10), so an existing `.env` works unchanged.

Unlike the reference, a value that cannot be read is an error, not a silent default: start-up stops
with one message listing every bad variable, its value and the accepted form, for example

```
Invalid configuration:
  STOP_LOSS_PCT="abc" is not valid: expected a number between 0.01 and 100, e.g. 1.
  POSITION_SIZE_PCT="-1" is not valid: expected a number between 0.0001 and 1.
```

Booleans accept `true/false`, `1/0`, `yes/no`, `on/off` (any case). Percent conventions follow the
reference: `STOP_LOSS_PCT=1.0` means 1 %; `POSITION_SIZE_PCT=0.05` is a fraction (5 %).
`./brain config` prints the effective value of each variable and where it came from; secrets are
masked (first four characters at most). A `.env` line that cannot be read (no `NAME=value`, a name
that is not a variable name) is ignored with a warning on stderr naming the file and line, never the
line's text; an unclosed quote and a variable set twice are warned about too.

URLs never print their credentials: a `user:password@` part shows as `***@` (and a Redis
`password=` option as `password=***`) in `./brain config`, logs and errors. Alpaca authenticates
with its key headers, so `APCA_API_BASE_URL` and `ALPACA_DATA_BASE_URL` with a `user:password@` part
are refused at start-up; `REDIS_URL`/`REDIS_ADDR` may carry one (Redis AUTH) and are masked.

## Variables used by this version

This table is produced by `./brain config --markdown` (a test checks that it lists every variable).

HEAD
env -i PATH="$PATH" HOME="${HOME:-/root}" ./brain config --markdown
cat <<'TAIL'

Variables added by SentryBrain (not in the reference): `PAPER_DB_PATH`, `PAPER_STARTING_CASH`,
`STRATEGY_MODE`, `MOMENTUM_SCALE_1M`, `MOMENTUM_SCALE_5M`, `NEWS_MAX_AGE_SEC`, `MAX_POSITION_PCT`
(the reference hard-coded 6 %), `SYMBOL_STATE_TTL_SEC`. Variables honoured here that the reference
read but ignored, or only documented: `DAILY_CAP_PCT`, `USE_CONSENSUS`,
`CONSENSUS_MIN_SOURCES_POSITIVE`, `CONSENSUS_POSITIVE_THRESHOLD`, `USE_LIMIT_ORDERS`,
`DAILY_LOSS_CAP_PCT` (the reference silently used 5 %), `NO_NEW_BUYS_AFTER_ET`. Also new:
`DAILY_CAP_SOFT_TRAILING_PCT` (the reference's hard-coded 0.1 % trail, now optional), `BARS_CSV_DIR`.

The Green Light variables (exits, checklist, sizing, SPY regime) are read and validated already; the
Green Light strategy itself is being wired in (issue 3). Alpaca, Redis, the backtester and the
learning loop add the rest of the reference's variables.
TAIL
} > docs/CONFIG.md.tmp
mv docs/CONFIG.md.tmp docs/CONFIG.md
echo "docs/CONFIG.md regenerated"
