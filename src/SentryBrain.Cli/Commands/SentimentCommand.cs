using System.CommandLine;
using System.Globalization;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Cli.Commands;

internal static class SentimentCommand
{
    public static Command Create()
    {
        var text = new Argument<string[]>("text") { Description = "Text to score (reads lines from stdin when omitted)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("sentiment", "Score text with VADER: compound, negative, neutral, positive") { text };
        command.SetAction(parse =>
        {
            var words = parse.GetValue(text) ?? [];
            IEnumerable<string> lines = words.Length > 0 ? [string.Join(' ', words)] : ReadLines();
            foreach (var line in lines)
            {
                var s = Vader.Default.PolarityScores(line);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Compound:0.0000}\tneg={s.Negative:0.000} neu={s.Neutral:0.000} pos={s.Positive:0.000}\t{line}"));
            }

            return 0;
        });
        return command;
    }

    private static IEnumerable<string> ReadLines()
    {
        while (Console.In.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
