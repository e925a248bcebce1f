namespace SentryBrain.Signals;

/// <summary>Source scores of the composite/consensus strategy, each in [−1, 1].</summary>
public static class ConsensusSignals
{
    public static double Clamp(double x) => Math.Clamp(x, -1.0, 1.0);

    /// <summary>
    /// Momentum from the engine's 1- and 5-minute returns: 0.6·clamp(s1·r1m) + 0.4·clamp(s5·r5m).
    /// The reference used unscaled returns, so a +0.5 % minute scored 0.003 and never reached the 0.15
    /// threshold; the scales (default 100 and 50) make a +0.25 % minute alone count as positive.
    /// </summary>
    public static double Momentum(double return1m, double return5m, double scale1m, double scale5m)
        => (0.6 * Clamp(scale1m * return1m)) + (0.4 * Clamp(scale5m * return5m));

    /// <summary>RSI score of BEHAVIOR §3.3: oversold is bullish, overbought bearish, linear in between.</summary>
    public static double RsiScore(double rsi)
    {
        double score;
        if (rsi <= 30)
        {
            score = 0.5 + ((30 - rsi) / 60);
        }
        else if (rsi >= 70)
        {
            score = -0.5 - ((rsi - 70) / 60);
        }
        else
        {
            score = (50 - rsi) / 50;
        }

        return Clamp(score);
    }

    /// <summary>Social sentiment has no source yet: a documented placeholder that is always 0.</summary>
    public const double Social = 0.0;
}
