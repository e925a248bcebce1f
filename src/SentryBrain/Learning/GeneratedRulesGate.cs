using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SentryBrain.Engine;
using SentryBrain.Events;
using SentryBrain.Journal;

namespace SentryBrain.Learning;

/// <summary>
/// Generated rules at buy time (BEHAVIOR.md §6.3, issue 13): a buy whose signals lie in the region of an active,
/// unexpired rule of <c>GENERATED_RULES_PATH</c> is refused with <c>generated_rule:&lt;name&gt;</c> (the first such rule
/// in file order), which the engine journals as a hold. Runs on the event loop only.
/// <para>
/// The file is cached: at most once per <see cref="CheckInterval"/> of event time its last-write time and length are
/// compared with the version read, and it is re-read only when they differ, so a burst of buys costs a comparison. A
/// missing file means no rules. A file that cannot be used (not JSON, an unknown feature or operator, a threshold that
/// is not finite, a rule without conditions, larger than <see cref="MaxFileBytes"/>, more than <see cref="MaxRules"/>
/// rules, a directory, unreadable) is logged once per distinct content or error and ignored: every buy is allowed
/// until a usable version appears, which is then picked up.
/// </para>
/// <para>
/// The set of active rules is journaled when it changes (<see cref="OnClock"/>): one <c>rule</c> line per rule that
/// became active (<c>action: active</c>), whose <c>expires_ts</c> passed (<c>expired</c>), or that left the file, or
/// whose file was removed or became unusable (<c>removed</c>). A tick with nothing new is a stat check at most.
/// </para>
/// </summary>
public sealed class GeneratedRulesGate : IPreTradeGate, IEngineListener
{
    /// <summary>The hold reason's prefix; the rule's name follows.</summary>
    public const string ReasonPrefix = "generated_rule:";

    /// <summary>Event time between two looks at the file.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>A larger file is refused unread (the optimizer writes a few kilobytes).</summary>
    public const long MaxFileBytes = 4L << 20;

    /// <summary>A file with more rules is refused: each buy tests every rule.</summary>
    public const int MaxRules = 10_000;

    private readonly ILogger _logger;
    private readonly TimeProvider? _wall;
    private DateTime _lastCheck = DateTime.MinValue;
    private long _lastWallCheck;
    private bool _checked;

    // The version read (last-write time and length); null = none (missing, or the last attempt failed).
    private (DateTime WriteTime, long Length)? _version;

    // The problem last reported (a content hash or an error); null after a usable read or a missing file.
    private string? _reported;

    private ActiveRule[] _rules = [];

    // The journal's view: what it last said is active (key: name + condition), and when to look again without a reload.
    private List<(string Key, GeneratedRule Rule)> _journaled = [];
    private bool _changed;
    private DateTime _nextExpiry = DateTime.MaxValue;

    /// <param name="wall">
    /// When given (the consumer's clock), a look also waits for <see cref="CheckInterval"/> of that clock: a replay runs
    /// hours of event time per second, and one stat per event-second would cost it ~10 % of its throughput
    /// (BENCHMARKS §9). Null: event time only (tests that move event time by hand).
    /// </param>
    public GeneratedRulesGate(string path, ILogger? logger = null, TimeProvider? wall = null)
    {
        Path = path;
        _logger = logger ?? NullLogger.Instance;
        _wall = wall;
    }

    public string Path { get; }

    public string? Check(in PreTradeCheck check)
    {
        Refresh(check.Time);
        foreach (var rule in _rules)
        {
            if (rule.Rule.Blocks(check.Signals, check.Time))
            {
                return rule.Reason;
            }
        }

        return null;
    }

    public void OnClock(DateTime now, DateOnly tradingDate, JournalWriter journal)
    {
        Refresh(now);
        if (!_changed && now < _nextExpiry)
        {
            return;
        }

        _changed = false;
        JournalChanges(now, journal);
    }

    /// <summary>Looks at the file when <see cref="CheckInterval"/> of event time has passed since the last look (event time going back waits too).</summary>
    public void Refresh(DateTime now)
    {
        if (_checked && (now - _lastCheck < CheckInterval || (_wall is not null && _wall.GetElapsedTime(_lastWallCheck) < CheckInterval)))
        {
            return;
        }

        _checked = true;
        _lastCheck = now;
        _lastWallCheck = _wall?.GetTimestamp() ?? 0;
        Load();
    }

    /// <summary>Reads the file if its last-write time or length changed since the version in use.</summary>
    public void Load()
    {
        try
        {
            var info = new FileInfo(Path);
            if (!info.Exists)
            {
                if (Directory.Exists(Path))
                {
                    Refuse("directory", "it is a directory, not a file");
                    return;
                }

                _version = null;
                _reported = null;
                Use([]);
                return;
            }

            var version = (info.LastWriteTimeUtc, info.Length);
            if (_version == version)
            {
                return;
            }

            if (info.Length > MaxFileBytes)
            {
                Refuse("size:" + info.Length, $"it holds {info.Length:N0} bytes, more than the {MaxFileBytes:N0} a rules file may have");
                _version = version; // the same oversized version is not looked at again
                return;
            }

            var bytes = File.ReadAllBytes(Path);
            var hash = Convert.ToHexString(SHA256.HashData(bytes));
            _version = version;
            RuleFile file;
            try
            {
                file = RuleFileJson.Parse(bytes, Path);
            }
            catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or ArgumentException or FormatException or OverflowException)
            {
                Refuse(hash, ex.Message); // whatever the content, a bad file must never stop the consumer
                return;
            }

            if (file.GeneratedRules.Count > MaxRules)
            {
                Refuse(hash, $"it holds {file.GeneratedRules.Count:N0} rules, more than the {MaxRules:N0} a rules file may have");
                return;
            }

            _reported = null;
            Use(file.GeneratedRules);
            _logger.LogInformation("Generated rules: {Count} rule(s) read from {Path}", file.GeneratedRules.Count, Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            _version = null; // try again at the next look: a permission or a lock may be lifted without a new write time
            Refuse("error:" + ex.GetType().Name + ":" + ex.Message, ex.Message);
        }
    }

    /// <summary>An unusable file: no rules (allow every buy); logged unless this same problem was the last one reported.</summary>
    private void Refuse(string key, string problem)
    {
        Use([]);
        if (_reported == key)
        {
            return;
        }

        _reported = key;
        _logger.LogWarning("Generated rules file {Path} ignored (every buy is allowed until it is fixed): {Problem}", Path, problem.ReplaceLineEndings(" "));
    }

    private void Use(IReadOnlyList<GeneratedRule> rules)
    {
        if (rules.Count == 0 && _rules.Length == 0)
        {
            return;
        }

        _rules = [.. rules.Select(r => new ActiveRule(r, ReasonPrefix + r.Name))];
        _changed = true;
    }

    /// <summary>One <c>rule</c> line per rule that left the active set (expired or removed), then per rule that joined it, in file order.</summary>
    private void JournalChanges(DateTime now, JournalWriter journal)
    {
        var inFile = new Dictionary<string, GeneratedRule>(StringComparer.Ordinal);
        var active = new List<(string Key, GeneratedRule Rule)>();
        var activeKeys = new HashSet<string>(StringComparer.Ordinal);
        var next = DateTime.MaxValue;
        foreach (var rule in _rules)
        {
            var r = rule.Rule;
            var key = Key(r);
            inFile.TryAdd(key, r);
            if (r.ExpiresTs is { } expires && now >= expires)
            {
                continue;
            }

            if (activeKeys.Add(key))
            {
                active.Add((key, r));
            }

            if (r.ExpiresTs is { } e && e < next)
            {
                next = e;
            }
        }

        _nextExpiry = next;
        var journaledKeys = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<(string Key, GeneratedRule Rule)>(active.Count);
        foreach (var (key, rule) in _journaled)
        {
            if (activeKeys.Contains(key))
            {
                kept.Add((key, rule));
                journaledKeys.Add(key);
            }
            else if (inFile.TryGetValue(key, out var current))
            {
                Write(journal, now, "expired", current); // still in the file: its time has passed
            }
            else
            {
                Write(journal, now, "removed", rule);
            }
        }

        foreach (var (key, rule) in active)
        {
            if (journaledKeys.Add(key))
            {
                kept.Add((key, rule));
                Write(journal, now, "active", rule);
            }
        }

        _journaled = kept;
    }

    private static string Key(GeneratedRule rule) => rule.Name + "\n" + rule.Condition;

    private static void Write(JournalWriter journal, DateTime now, string action, GeneratedRule rule)
        => journal.Line("rule", now, w =>
        {
            w.WriteString("action", action);
            w.WriteString("name", rule.Name);
            w.WriteString("condition", rule.Condition);
            if (rule.ExpiresTs is { } expires)
            {
                w.WriteString("expires_ts", Rfc3339.Format(DateTime.SpecifyKind(expires, DateTimeKind.Utc)));
            }
        });

    private sealed record ActiveRule(GeneratedRule Rule, string Reason);
}
