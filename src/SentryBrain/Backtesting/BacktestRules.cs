using System.Security.Cryptography;
using SentryBrain.Learning;
using SentryBrain.Market;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

/// <summary>
/// The generated rules a backtest applies to its buys (<c>backtest --rules FILE</c>): the same
/// <see cref="GeneratedRule.Blocks"/> the live gate (<see cref="GeneratedRulesGate"/>) runs, evaluated at the close of
/// the decision's day, so a rule expires in a backtest on the day it would have live.
/// </summary>
/// <param name="Path">The file as given.</param>
/// <param name="Sha256">The file's SHA-256 (hex, lower case), so the manifest pins the exact rules.</param>
/// <param name="Rules">The rules, in file order (the first that matches names the hold).</param>
public sealed record BacktestRules(string Path, string Sha256, IReadOnlyList<GeneratedRule> Rules)
{
    /// <summary>
    /// Reads a rules file; unlike the live gate, a missing or unusable file is an error (<see cref="InvalidDataException"/>
    /// or an I/O exception naming the file): a backtest must not silently run without the rules it was asked for.
    /// </summary>
    public static BacktestRules Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidDataException($"{path} is a directory, not a rules file");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the rules file {path} does not exist", path);
        }

        if (new FileInfo(path).Length > GeneratedRulesGate.MaxFileBytes)
        {
            throw new InvalidDataException($"{path} is larger than the {GeneratedRulesGate.MaxFileBytes:N0} bytes a rules file may have");
        }

        var bytes = File.ReadAllBytes(path);
        var file = RuleFileJson.Parse(bytes, path);
        if (file.GeneratedRules.Count > GeneratedRulesGate.MaxRules)
        {
            throw new InvalidDataException($"{path} holds {file.GeneratedRules.Count:N0} rules, more than the {GeneratedRulesGate.MaxRules:N0} a rules file may have");
        }

        return new BacktestRules(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), file.GeneratedRules);
    }

    /// <summary>When a decision made at the close of <paramref name="date"/> is evaluated (New York 16:00, in UTC).</summary>
    public static DateTime DecisionTime(DateOnly date) => NewYorkTime.ToUtc(date, NewYorkTime.RegularClose);

    /// <summary>The index of the first rule that blocks a buy with these signals at <paramref name="at"/>, or −1.</summary>
    public int Blocking(in DecisionSignals signals, DateTime at)
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            if (Rules[i].Blocks(signals, at))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>How many buys one rule of <see cref="BacktestRules"/> blocked in a run.</summary>
public sealed record RuleBlockCount(string Name, string Condition, int Blocked);
