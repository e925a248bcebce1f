#!/usr/bin/env python3
# A synthetic experience buffer for benchmarking ./brain optimize (docs/BENCHMARKS.md §9): N exits spread over 200 days,
# every feature uniform; "planted": atr_percentile >= 85 and ofi < 0 wins 20 %, the rest 60 %; "flat": every trade 50 %.
#   python3 tools/experience-buffer-gen.py planted|flat N SEED OUT.jsonl
import json, random, sys, datetime
mode, n, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = random.Random(seed); t0 = datetime.datetime(2026,1,5,15,0)
with open(out,'w') as f:
    for i in range(n):
        ts = t0 + datetime.timedelta(days=200*i/n); atrp = r.uniform(0,100); ofi = r.uniform(-1,1)
        rec = dict(ts=ts.strftime('%Y-%m-%dT%H:%M:%S.000000Z'), action='exit', symbol='AAA', price=100, qty=1, reason='strategy_exit',
                   z_score=r.uniform(-3,3), rsi=r.uniform(0,100), macd_above_zero=r.random()<0.5, ofi=ofi, atr_pct=r.uniform(0.5,5),
                   atr_percentile=atrp, technical_score=r.uniform(0,1), prob_gain=r.uniform(0,1), structure_ok=r.random()<0.5,
                   regime=r.choice(['trend','range','neutral']), sentiment=r.uniform(-1,1), vwap_distance_pct=r.uniform(-3,3))
        p = (0.2 if (atrp>=85 and ofi<0) else 0.6) if mode=='planted' else 0.5
        rec['pnl_pct'] = 2.5 if r.random() < p else -1.5
        f.write(json.dumps(rec)+'\n')
