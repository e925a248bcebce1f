namespace SentryBrain.Backtesting;

/// <summary>Per-symbol figures of a run.</summary>
public sealed record SymbolSummary(string Symbol, int Trades, double Pnl, double WinRate, double Exposure);

/// <summary>
/// The statistics of a run. Ratios are fractions (0.12 = 12 %). Conventions: daily returns r = E(t)/E(t−1) − 1 on
/// the union calendar; Sharpe = mean(r)/sd(r)·√252 (sample sd, risk-free 0); Sortino = mean(r)/dd·√252 with
/// dd = √(mean(min(r, 0)²)) over all days; CAGR = (end/start)^(365.25/calendar days) − 1; max drawdown =
/// max over t of 1 − E(t)/max E(≤ t), with the peak and trough dates; win rate, profit factor (gross profit /
/// gross loss, null without losses), expectancy (mean P&amp;L per round trip), average win and loss are over round
/// trips; exposure = share of days with a position at the close. Undefined values are null, never a fake 0.
/// </summary>
public sealed record BacktestSummary(
    double StartEquity,
    double EndEquity,
    double TotalReturn,
    double? Cagr,
    double? Sharpe,
    double? Sortino,
    double MaxDrawdown,
    DateOnly? MaxDrawdownPeak,
    DateOnly? MaxDrawdownTrough,
    int Trades,
    double? WinRate,
    double? ProfitFactor,
    double? Expectancy,
    double? AverageWin,
    double? AverageLoss,
    double Exposure,
    int DaysDailyCapHit,
    int DaysLossCapHit,
    int Days,
    DateOnly? Start,
    DateOnly? End,
    int OpenPositions,
    int Fills,
    IReadOnlyList<SymbolSummary> Symbols);

public static class BacktestStatistics
{
    public const double TradingDaysPerYear = 252;

    public static BacktestSummary Compute(BacktestResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var equity = r.Equity;
        var start = r.StartEquity;
        var end = equity.Length > 0 ? equity[^1] : start;
        var (sharpe, sortino) = Ratios(start, equity);
        double? cagr = null;
        if (equity.Length > 1 && start > 0 && end > 0)
        {
            var days = r.Dates[^1].DayNumber - r.Dates[0].DayNumber;
            cagr = days > 0 ? Math.Pow(end / start, 365.25 / days) - 1 : null;
        }

        var (maxDd, peakAt, troughAt) = MaxDrawdown(start, equity, r.Dates);
        var trips = r.RoundTrips;
        var wins = trips.Where(t => t.Pnl > 0).ToList();
        var losses = trips.Where(t => t.Pnl < 0).ToList();
        var grossProfit = wins.Sum(t => t.Pnl);
        var grossLoss = -losses.Sum(t => t.Pnl);
        var symbols = new List<SymbolSummary>(r.Symbols.Length);
        var bySymbol = trips.ToLookup(t => t.Symbol, StringComparer.Ordinal);
        for (var s = 0; s < r.Symbols.Length; s++)
        {
            var mine = bySymbol[r.Symbols[s]].ToList();
            symbols.Add(new SymbolSummary(
                r.Symbols[s],
                mine.Count,
                mine.Sum(t => t.Pnl),
                mine.Count > 0 ? (double)mine.Count(t => t.Pnl > 0) / mine.Count : 0,
                equity.Length > 0 ? (double)r.SymbolDaysInMarket[s] / equity.Length : 0));
        }

        return new BacktestSummary(
            start,
            end,
            start > 0 ? (end / start) - 1 : 0,
            cagr,
            sharpe,
            sortino,
            maxDd,
            peakAt,
            troughAt,
            trips.Count,
            trips.Count > 0 ? (double)wins.Count / trips.Count : null,
            grossLoss > 0 ? grossProfit / grossLoss : null,
            trips.Count > 0 ? trips.Average(t => t.Pnl) : null,
            wins.Count > 0 ? wins.Average(t => t.Pnl) : null,
            losses.Count > 0 ? losses.Average(t => t.Pnl) : null,
            equity.Length > 0 ? (double)r.DaysInMarket / equity.Length : 0,
            r.DaysDailyCapHit,
            r.DaysLossCapHit,
            equity.Length,
            r.Dates.Length > 0 ? r.Dates[0] : null,
            r.Dates.Length > 0 ? r.Dates[^1] : null,
            r.OpenPositions,
            r.Fills.Count,
            symbols);
    }

    /// <summary>Drawdown series (fractions ≥ 0) of an equity curve.</summary>
    public static double[] Drawdowns(double start, double[] equity)
    {
        ArgumentNullException.ThrowIfNull(equity);
        var result = new double[equity.Length];
        var peak = start;
        for (var i = 0; i < equity.Length; i++)
        {
            peak = Math.Max(peak, equity[i]);
            result[i] = peak > 0 ? 1 - (equity[i] / peak) : 0;
        }

        return result;
    }

    private static (double MaxDrawdown, DateOnly? Peak, DateOnly? Trough) MaxDrawdown(double start, double[] equity, DateOnly[] dates)
    {
        var peak = start;
        var peakIndex = -1;
        var max = 0.0;
        DateOnly? peakAt = null, troughAt = null;
        for (var i = 0; i < equity.Length; i++)
        {
            if (equity[i] > peak)
            {
                peak = equity[i];
                peakIndex = i;
            }

            var dd = peak > 0 ? 1 - (equity[i] / peak) : 0;
            if (dd > max)
            {
                max = dd;
                peakAt = peakIndex >= 0 ? dates[peakIndex] : dates[0];
                troughAt = dates[i];
            }
        }

        return (max, peakAt, troughAt);
    }

    private static (double? Sharpe, double? Sortino) Ratios(double start, double[] equity)
    {
        var n = equity.Length;
        if (n < 2)
        {
            return (null, null);
        }

        var previous = start;
        double sum = 0, downside = 0;
        var returns = new double[n];
        for (var i = 0; i < n; i++)
        {
            returns[i] = previous > 0 ? (equity[i] / previous) - 1 : 0;
            previous = equity[i];
            sum += returns[i];
            downside += Math.Min(returns[i], 0) * Math.Min(returns[i], 0);
        }

        var mean = sum / n;
        var variance = 0.0;
        foreach (var x in returns)
        {
            variance += (x - mean) * (x - mean);
        }

        var sd = Math.Sqrt(variance / (n - 1));
        var dd = Math.Sqrt(downside / n);
        var annual = Math.Sqrt(TradingDaysPerYear);
        return (sd > 0 ? mean / sd * annual : null, dd > 0 ? mean / dd * annual : null);
    }
}
