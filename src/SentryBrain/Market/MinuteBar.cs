namespace SentryBrain.Market;

/// <summary>A one-minute OHLCV bar built from trades. <see cref="Start"/> is the minute's UTC start.</summary>
public readonly record struct MinuteBar(DateTime Start, double Open, double High, double Low, double Close, long Volume);
