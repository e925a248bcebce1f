using System.Text.Json;
using System.Text.Json.Serialization;

namespace SentryBrain.Learning;

/// <summary>Everything one optimizer run found and did (printed as a table, or as JSON with <c>--json</c> and <c>--report</c>).</summary>
public sealed record OptimizerReport
{
    public DateTime RunTs { get; init; }

    public string BufferPath { get; init; } = string.Empty;

    public long Lines { get; init; }

    /// <summary>Records read (inside the window).</summary>
    public int Records { get; init; }

    /// <summary>The first unreadable lines, with their numbers.</summary>
    public IReadOnlyList<BadLine> BadLines { get; init; } = [];

    public long BadLineCount { get; init; }

    /// <summary>Records left out by <c>--rolling-days</c>.</summary>
    public long OutsideWindow { get; init; }

    public DateTime? Since { get; init; }

    /// <summary>Exits: the training rows.</summary>
    public int Exits { get; init; }

    public int Successes { get; init; }

    public IReadOnlyList<string> Features { get; init; } = [];

    public IReadOnlyList<string> DroppedFeatures { get; init; } = [];

    /// <summary>Time of the last in-sample exit: later exits are out of sample.</summary>
    public DateTime? SplitTs { get; init; }

    public ForestResult? Forest { get; init; }

    public MiningResult? Mining { get; init; }

    /// <summary>Rules found that held out of sample (proposed, or written with <c>--write-rules</c>).</summary>
    public IReadOnlyList<GeneratedRule> Rules { get; init; } = [];

    /// <summary>Rules made active by this run's promotion of a pending proposal.</summary>
    public IReadOnlyList<GeneratedRule> Promoted { get; init; } = [];

    /// <summary>Expired rules dropped from the active file.</summary>
    public IReadOnlyList<GeneratedRule> Expired { get; init; } = [];

    /// <summary>Files written.</summary>
    public IReadOnlyList<string> Written { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Seconds spent reading the buffer, training and scoring the forest, and mining rules.</summary>
    public OptimizerTimings? Timings { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, OptimizerJsonContext.Default.OptimizerReport);
}

/// <summary>Wall-clock seconds of the run's phases.</summary>
public sealed record OptimizerTimings(double ReadSeconds, double ForestSeconds, double MiningSeconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(OptimizerReport))]
internal sealed partial class OptimizerJsonContext : JsonSerializerContext;
