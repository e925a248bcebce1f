using System.Globalization;

namespace SentryBrain.Cli.Commands;

/// <summary>A bad command-line value or combination: one line on stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Checks shared by the commands, so numbers, dates and symbols are refused the same way everywhere.</summary>
internal static class Usage
{
    /// <summary>Runs a command's action; a <see cref="UsageException"/> becomes "brain COMMAND: message" and exit 2.</summary>
    public static int Run(string command, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"brain {command}: {ex.Message}");
            return 2;
        }
    }

    public static async Task<int> RunAsync(string command, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"brain {command}: {ex.Message}");
            return 2;
        }
    }

    public static int AtLeast(int value, int min, string option)
        => value >= min ? value : throw new UsageException($"{option} must be ≥ {min.ToString(CultureInfo.InvariantCulture)}, not {value.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A finite number ≥ <paramref name="min"/> (or &gt; it when <paramref name="exclusive"/>).</summary>
    public static double Number(double value, double min, string option, bool exclusive = false)
    {
        var ok = double.IsFinite(value) && (exclusive ? value > min : value >= min);
        return ok ? value : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be a number {(exclusive ? ">" : "≥")} {min}, not {value}"));
    }

    public static double? Number(double? value, double min, string option, bool exclusive = false)
        => value is { } v ? Number(v, min, option, exclusive) : null;

    public static DateOnly? Date(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{option} '{text}' is not a date (yyyy-MM-dd)");
    }

    /// <summary>An upper-case ticker: letters, digits, '.' and '-', 1–12 characters (it also names files: no '/').</summary>
    public static string Ticker(string text, string option)
    {
        var symbol = text.Trim().ToUpperInvariant();
        var ok = symbol.Length is > 0 and <= 12 && char.IsAsciiLetterOrDigit(symbol[0])
            && symbol.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '.' or '-');
        return ok ? symbol : throw new UsageException($"{option}: '{text}' is not a ticker symbol (letters, digits, '.', '-')");
    }
}
