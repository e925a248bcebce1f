using System.Globalization;
using SentryBrain.Config;

namespace SentryBrain.Learning;

/// <summary>One optimizer run's inputs: the buffer, the window, what to write, and the rule settings.</summary>
public sealed record OptimizerOptions
{
    public required string BufferPath { get; init; }

    /// <summary>Exits needed before anything is learned.</summary>
    public int MinSamples { get; init; } = 20;

    /// <summary>Only records of the last N days (0 = all).</summary>
    public int RollingDays { get; init; }

    /// <summary>Merge the rules found into the active file at once.</summary>
    public bool WriteRules { get; init; }

    /// <summary>Write the rules found to the proposed file (promoted after <see cref="RulePromotionHours"/>).</summary>
    public bool WriteProposed { get; init; }

    public required string ActivePath { get; init; }

    public required string ProposedPath { get; init; }

    public int RuleMinSupport { get; init; } = 20;

    public double RuleMaxSuccessRate { get; init; } = 0.40;

    public int RuleTtlDays { get; init; } = 30;

    public double RulePromotionHours { get; init; } = 24;

    public static OptimizerOptions From(LearningSettings s, string? bufferPath = null) => new()
    {
        BufferPath = bufferPath ?? s.ExperienceBufferPath,
        ActivePath = s.GeneratedRulesPath,
        ProposedPath = s.GeneratedRulesProposedPath,
        RuleMinSupport = s.RuleMinSupport,
        RuleMaxSuccessRate = s.RuleMaxSuccessRate,
        RuleTtlDays = s.RuleTtlDays,
        RulePromotionHours = s.RulePromotionHours,
    };
}

/// <summary>
/// <c>./brain optimize</c> and the scheduled run (BEHAVIOR.md §6.2): reads the buffer (<see cref="ExperienceReader"/>),
/// labels its exits (<see cref="TradeLabels"/>), builds the table (<see cref="FeatureMatrix"/>), splits it in time
/// (the earlier <see cref="InSampleFraction"/> trains the forest and mines rules, the later rows judge both), trains
/// the <see cref="AttributionForest"/>, mines rules (<see cref="RuleMiner"/>) and, when asked, writes them
/// (<see cref="RulePromotion"/>: a pending proposal old enough is promoted first). Too few exits, or one class only,
/// is said in the report's notes; nothing is proposed then.
/// </summary>
public static class Optimizer
{
    public const double InSampleFraction = 0.65;

    /// <exception cref="FileNotFoundException">No buffer.</exception>
    /// <exception cref="IOException">The buffer cannot be read.</exception>
    /// <exception cref="InvalidDataException">A rules file to be merged into is malformed (nothing written).</exception>
    public static OptimizerReport Run(OptimizerOptions options, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        var since = options.RollingDays > 0 ? now.AddDays(-options.RollingDays) : (DateTime?)null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var read = ExperienceReader.Read(options.BufferPath, since);
        var readSeconds = clock.Elapsed.TotalSeconds;
        var writes = options.WriteRules || options.WriteProposed;
        var promotion = writes ? RulePromotion.Promote(options.ActivePath, options.ProposedPath, options.RulePromotionHours, now) : RuleFileChange.None;
        if (promotion.Note is { } promotionNote)
        {
            notes.Add(promotionNote);
        }

        var matrix = FeatureMatrix.FromExits(read.Records);
        if (matrix.DroppedColumns.Count > 0)
        {
            notes.Add($"no value on any exit, left out: {string.Join(", ", matrix.DroppedColumns)}");
        }

        var report = new OptimizerReport
        {
            RunTs = now,
            BufferPath = read.Path,
            Lines = read.Lines,
            Records = read.Records.Count,
            BadLines = read.BadLines,
            BadLineCount = read.BadLineCount,
            OutsideWindow = read.TooOld,
            Since = since,
            Exits = matrix.Rows,
            Successes = matrix.Successes,
            Features = matrix.Names,
            DroppedFeatures = matrix.DroppedColumns,
            Promoted = promotion.Activated,
            Expired = promotion.Expired,
            Timings = new OptimizerTimings(readSeconds, 0, 0),
        };
        if (matrix.Rows < options.MinSamples)
        {
            notes.Add($"{matrix.Rows} exits{(since is null ? string.Empty : $" since {since:yyyy-MM-dd}")}, fewer than --min-samples {options.MinSamples}: nothing learned, no rule proposed");
            return Finish(report, options, [], new Dictionary<string, double>(), now, notes);
        }

        if (matrix.Successes == 0 || matrix.Successes == matrix.Rows)
        {
            notes.Add($"every exit is a {(matrix.Successes == 0 ? "failure" : "success")}: one class only, nothing to tell apart, no rule proposed");
            return Finish(report, options, [], new Dictionary<string, double>(), now, notes);
        }

        var split = Math.Max(1, (int)Math.Floor(matrix.Rows * InSampleFraction));
        clock.Restart();
        var forest = AttributionForest.Train(matrix, split);
        var forestSeconds = clock.Elapsed.TotalSeconds;
        if (forest.Note is { } forestNote)
        {
            notes.Add("forest: " + forestNote);
        }

        clock.Restart();
        var mining = RuleMiner.Mine(matrix, split, new RuleMiningSettings(options.RuleMinSupport, options.RuleMaxSuccessRate));
        var miningSeconds = clock.Elapsed.TotalSeconds;
        var rules = mining.Rules.Select(r => ToRule(r, mining, now, options.RuleTtlDays)).ToList();
        var importances = forest.Importances.ToDictionary(i => i.Feature, i => Math.Round(i.AccuracyDrop, 4), StringComparer.Ordinal);
        report = report with { Forest = forest, Mining = mining, SplitTs = matrix.Times[split - 1], Timings = new OptimizerTimings(readSeconds, forestSeconds, miningSeconds) };
        return Finish(report, options, rules, importances, now, notes);
    }

    private static OptimizerReport Finish(OptimizerReport report, OptimizerOptions options, List<GeneratedRule> rules, Dictionary<string, double> importances, DateTime now, List<string> notes)
    {
        var written = new List<string>();
        var activated = report.Promoted.ToList();
        var expired = report.Expired.ToList();
        if (options.WriteProposed && rules.Count > 0)
        {
            RulePromotion.WriteProposed(options.ProposedPath, rules, importances, now);
            written.Add(options.ProposedPath);
        }

        if (options.WriteRules)
        {
            var change = RulePromotion.WriteActive(options.ActivePath, rules, importances, now);
            expired.AddRange(change.Expired);
            if (change.Written)
            {
                written.Add(options.ActivePath);
            }
        }

        if (rules.Count == 0)
        {
            notes.Add("no rule proposed");
        }

        return report with { Rules = rules, Promoted = activated, Expired = expired, Written = written, Notes = notes };
    }

    private static GeneratedRule ToRule(MinedRule r, MiningResult mining, DateTime now, int ttlDays) => new()
    {
        Name = r.Name,
        Conditions = r.Conditions,
        Support = r.Support,
        SuccessRateInSample = Math.Round(r.SuccessRate, 4),
        SupportOutOfSample = r.SupportOutOfSample,
        SuccessRateOutOfSample = Math.Round(r.SuccessRateOutOfSample, 4),
        CreatedTs = now,
        ExpiresTs = now.AddDays(ttlDays),
        Reason = string.Create(CultureInfo.InvariantCulture,
            $"{r.Condition}: {r.SuccessRate:P0} of {r.Support} earlier trades succeeded (all: {mining.BaseRate:P0}), {r.SuccessRateOutOfSample:P0} of {r.SupportOutOfSample} later ones (all: {mining.BaseRateOutOfSample:P0})"),
    };
}
