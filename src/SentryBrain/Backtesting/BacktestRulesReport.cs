using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SentryBrain.Backtesting;

/// <summary>
/// The report parts of <c>backtest --rules FILE</c>: the <c>rules</c> object of <c>summary.json</c> and the "Generated
/// rules" section of <c>summary.md</c> (the file, its hash, and the buys each rule blocked). Written only with rules,
/// so reports without them stay byte-identical.
/// </summary>
public static class BacktestRulesReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void WriteJson(Utf8JsonWriter w, BacktestRules rules, IReadOnlyList<RuleBlockCount> blocks)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(blocks);
        w.WriteStartObject("rules");
        w.WriteString("file", rules.Path);
        w.WriteString("sha256", rules.Sha256);
        w.WriteNumber("blocked_buys", blocks.Sum(b => b.Blocked));
        w.WriteStartArray("per_rule");
        foreach (var b in blocks)
        {
            w.WriteStartObject();
            w.WriteString("name", Readable(b.Name));
            w.WriteString("condition", Readable(b.Condition)); // ">=" and "<" as written, not \u003E=
            w.WriteNumber("blocked_buys", b.Blocked);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string Markdown(BacktestRules rules, IReadOnlyList<RuleBlockCount> blocks)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(blocks);
        var b = new StringBuilder("\n## Generated rules\n\n");
        b.Append(C, $"Rules file `{rules.Path}` (sha256 {rules.Sha256}), {rules.Rules.Count} rule(s): a buy in a rule's region was a hold (`generated_rule:<name>`), the first matching rule counted. Buys blocked: {blocks.Sum(x => x.Blocked)}.\n\n");
        if (blocks.Count == 0)
        {
            return b.ToString();
        }

        b.Append("| rule | condition | buys blocked |\n|---|---|---:|\n");
        foreach (var x in blocks)
        {
            b.Append(C, $"| {Cell(x.Name)} | {Cell(x.Condition)} | {x.Blocked} |\n");
        }

        return b.ToString();
    }

    private static JsonEncodedText Readable(string text) => JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    /// <summary>A table cell: a rule name is free text in the file, so its pipes and line breaks must not break the table.</summary>
    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
}
