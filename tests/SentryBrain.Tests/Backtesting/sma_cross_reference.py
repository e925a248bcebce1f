# Independent sma_cross reference (plain Python, no project code): issue 6 definition.
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def g(r, k):
    for kk in r:
        if kk.lower() == k: return r[kk]
o = [float(g(r,'open')) for r in rows]; c = [float(g(r,'close')) for r in rows]; d=[g(r,'date') for r in rows]
n = len(c)
def sma(i, p): return sum(c[i-p+1:i+1])/p if i >= p-1 else None
rsi = [None]*n; ag=al=0.0
for i in range(1, n):
    ch = c[i]-c[i-1]; gn = max(ch,0); ls = max(-ch,0)
    if i <= 14:
        ag += gn; al += ls
        if i == 14: ag/=14; al/=14
    else:
        ag = (ag*13+gn)/14; al = (al*13+ls)/14
    if i >= 14: rsi[i] = 50.0 if (al==0 and ag==0) else (100.0 if al==0 else 100-100/(1+ag/al))
cash=100000.0; sh=0; trades=0; pend=None
for t in range(n):
    if pend == 'buy':
        q = int(cash // o[t]); cash -= q*o[t]; sh += q; pend=None
    elif pend == 'sell':
        cash += sh*o[t]; sh = 0; trades += 1; pend=None
    if t == n-1 or t < 30: continue
    f, s, pf, ps = sma(t,10), sma(t,30), sma(t-1,10), sma(t-1,30)
    if sh == 0 and f > s and pf <= ps and rsi[t] < 70: pend='buy'
    elif sh > 0 and f < s and pf >= ps: pend='sell'
print("round trips", trades, "open shares", sh, "end equity", repr(cash + sh*c[-1]))
