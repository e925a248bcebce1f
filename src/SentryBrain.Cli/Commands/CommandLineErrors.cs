using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace SentryBrain.Cli.Commands;

/// <summary>System.CommandLine's parse errors as one line in the user's terms (option, value, what was expected).</summary>
internal static partial class CommandLineErrors
{
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var name = command is RootCommand ? "brain" : "brain " + command.Name;
        var messages = parse.Errors.Select(Describe).Distinct(StringComparer.Ordinal);
        return $"{name}: {string.Join("; ", messages)} (see --help)";
    }

    private static string Describe(ParseError error)
    {
        var message = Startup.OneLine(error.Message);
        if (CannotParse().Match(message) is { Success: true } m)
        {
            return $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not {Kind(m.Groups["type"].Value)}";
        }

        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option.Name,
            ArgumentResult { Parent: OptionResult o } => o.Option.Name,
            _ => null,
        };
        return option is not null && !message.Contains(option, StringComparison.Ordinal) ? $"{option}: {message}" : message;
    }

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("UInt", StringComparison.Ordinal) => "a whole number ≥ 0",
        _ when type.Contains("Int", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "valid here",
    };

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'\\.?$")]
    private static partial Regex CannotParse();
}
