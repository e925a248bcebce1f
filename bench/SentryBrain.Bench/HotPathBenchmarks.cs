using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Config;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Execution.Paper;
using SentryBrain.Journal;
using SentryBrain.Replay;
using SentryBrain.Rules;
using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Technical;
using SentryBrain.Strategy;

namespace SentryBrain.Bench;

/// <summary>Parsing one line of each kind (trade/quote take the fast path; news the source-generated path).</summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private static readonly byte[] Trade = Encoding.UTF8.GetBytes("""{"type":"trade","ts":"2026-03-02T15:04:05.120331123Z","payload":{"price":401.27,"return_1m":0.00042,"return_5m":-0.0013,"session":"regular","size":35,"symbol":"MSFT","volatility":0.2741,"volume_1m":18250,"volume_5m":96410}}""");
    private static readonly byte[] Quote = Encoding.UTF8.GetBytes("""{"type":"quote","ts":"2026-03-02T15:04:05.121Z","payload":{"ask":401.29,"ask_size":5,"bid":401.25,"bid_size":3,"mid":401.27,"return_1m":0.00041,"return_5m":-0.0013,"session":"regular","symbol":"MSFT","volatility":0.2741,"volume_1m":18250,"volume_5m":96410}}""");
    private static readonly byte[] News = Encoding.UTF8.GetBytes("""{"type":"news","ts":"2026-03-02T15:04:07.5Z","payload":{"id":41877120,"headline":"Acme wins contract","author":"Staff","created_at":"2026-03-02T15:04:06Z","updated_at":"","summary":"...","url":"https://example.test/a","symbols":["ACME"],"source":"benzinga"}}""");
    private readonly EventParser _parser = new();

    [Benchmark]
    public MarketEvent? ParseTrade() => _parser.Parse(Trade, out _);

    [Benchmark]
    public MarketEvent? ParseQuote() => _parser.Parse(Quote, out _);

    [Benchmark]
    public MarketEvent? ParseNews() => _parser.Parse(News, out _);
}

/// <summary>The pure pieces of a decision.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private static readonly ConsensusParameters Parameters = ConsensusParameters.From(new BrainConfig());
    private static readonly ConsensusInput Flat = new(true, 100.0, 100.02, 0, 0, false, false, 0.4, 0.002, 0.004, 45, null, DailyCapState.Open, false, true);
    private WilderRsi _rsi = new(14);
    private double _x = 100;

    [Benchmark]
    public Decision Decide() => ConsensusStrategy.Decide(Flat, Parameters);

    [Benchmark]
    public double? RsiUpdate()
    {
        _x = _x > 110 ? 95 : _x + 0.37;
        _rsi.Add(_x);
        return _rsi.Value;
    }

    [Benchmark]
    public double NewsSentimentScore() => NewsSentiment.Score("Acme beats estimates and raises full-year guidance", "Acme reported record revenue, strong margins and a higher outlook.");
}

/// <summary>Per-event cost of the whole consumer (parse → state → strategy → rules → paper broker → journal) on the synthetic stream, 50 symbols.</summary>
[MemoryDiagnoser]
public class ConsumeBenchmarks
{
    private const int Events = 100_000;
    private byte[] _data = [];
    private (int Start, int Length)[] _lines = [];

    [Params(0.0, 45.0)]
    public double StrategyIntervalSec { get; set; }

    [Params(SentryBrain.Config.StrategyMode.Consensus, SentryBrain.Config.StrategyMode.GreenLight)]
    public SentryBrain.Config.StrategyMode Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var stream = new MemoryStream();
        SyntheticStream.Write(new SyntheticOptions(Events, 50, 1), stream);
        _data = stream.ToArray();
        var lines = new List<(int, int)>(Events);
        var start = 0;
        while (start < _data.Length)
        {
            var n = _data.AsSpan(start).IndexOf((byte)'\n');
            lines.Add((start, n));
            start += n + 1;
        }

        _lines = [.. lines];
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long ConsumePerEvent()
    {
        var config = new BrainConfig { StrategyIntervalSec = StrategyIntervalSec, StrategyMode = Strategy };
        using var broker = PaperBroker.Open(":memory:", config.PaperStartingCash);
        using var journal = new JournalWriter(Stream.Null);
        var engine = new BrainEngine(config, broker, journal, NullLogger.Instance);
        foreach (var (start, length) in _lines)
        {
            engine.ProcessLine(_data.AsSpan(start, length));
        }

        return engine.Evaluations;
    }
}

/// <summary>Streaming indicator updates (issue 3): cost per update and allocations in steady state.</summary>
[MemoryDiagnoser]
public class IndicatorBenchmarks
{
    private Ema _ema = new(20);
    private Macd _macd = new();
    private Atr _atr = new(14);
    private readonly AtrPercentile _atrPercentile = new(60);
    private readonly ReturnsZScore _z = new(20);
    private readonly RollingVwap _vwap = new(20);
    private readonly SentryBrain.Signals.Microstructure.OrderFlowImbalance _ofi = new(100);
    private double _x = 100;

    private double Next()
    {
        _x = _x > 110 ? 95 : _x + 0.37;
        return _x;
    }

    [Benchmark]
    public double? EmaUpdate()
    {
        _ema.Add(Next());
        return _ema.Value;
    }

    [Benchmark]
    public double? MacdUpdate()
    {
        _macd.Add(Next());
        return _macd.Value?.Histogram;
    }

    [Benchmark]
    public double? AtrUpdate()
    {
        var c = Next();
        _atr.Add(c + 1, c - 1, c);
        return _atr.Value;
    }

    [Benchmark]
    public double? AtrPercentileUpdate()
    {
        _atrPercentile.Add(Next());
        return _atrPercentile.Value;
    }

    [Benchmark]
    public double? ZScoreUpdate()
    {
        _z.Add(Next());
        return _z.Value;
    }

    [Benchmark]
    public double? RollingVwapUpdate()
    {
        var c = Next();
        _vwap.Add(c + 1, c - 1, c, 1000);
        return _vwap.Value;
    }

    [Benchmark]
    public double? OfiUpdate()
    {
        var c = Next();
        _ofi.OnQuote(c - 0.01, c + 0.01);
        _ofi.OnTrade(c + 0.01, 100);
        return _ofi.Value;
    }
}
