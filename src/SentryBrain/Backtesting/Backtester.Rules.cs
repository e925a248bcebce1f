using SentryBrain.Learning;
using SentryBrain.Strategy;

namespace SentryBrain.Backtesting;

public static partial class Backtester
{
    /// <summary>Generated rules (<see cref="BacktestOptions.Rules"/>): a buy in a rule's region is a hold, as live.</summary>
    private sealed partial class Simulation
    {
        private int[]? _ruleBlocks;

        /// <summary>
        /// Whether a rule blocks this buy; if so it is counted for its rule and its recorded decision (the last one, made
        /// just before) becomes the hold <c>generated_rule:&lt;name&gt;</c> the live engine would journal.
        /// </summary>
        private bool BlockedByRule(int s, DateOnly date, in Decision decision)
        {
            if (_options.Rules is not { } rules)
            {
                return false;
            }

            var index = rules.Blocking(decision.Signals, BacktestRules.DecisionTime(date));
            if (index < 0)
            {
                return false;
            }

            _ruleBlocks ??= new int[rules.Rules.Count];
            _ruleBlocks[index]++;
            if (_decisions.Count > 0 && _decisions[^1] is { Action: TradeAction.Buy } last && last.Date == date && last.Symbol == _panel.Symbols[s])
            {
                _decisions[^1] = last with { Action = TradeAction.Hold, Reason = GeneratedRulesGate.ReasonPrefix + rules.Rules[index].Name };
            }

            return true;
        }

        /// <summary>Buys blocked per rule, in file order (null without rules).</summary>
        private List<RuleBlockCount>? RuleBlockCounts() => _options.Rules is { } rules
            ? [.. rules.Rules.Select((r, i) => new RuleBlockCount(r.Name, r.Condition, _ruleBlocks?[i] ?? 0))]
            : null;
    }
}
