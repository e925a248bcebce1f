using Spectre.Console;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// The consoles Spectre writes to. Output that is not a terminal (a pipe, a file) gets no escape codes at all, and
/// <c>NO_COLOR</c> (any non-empty value, https://no-color.org) turns colour off on a terminal too.
/// </summary>
internal static class Terminal
{
    public static bool NoColor => Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 };

    /// <summary>Makes <see cref="AnsiConsole"/> (stdout) follow these rules; called at start by the commands that draw with Spectre (Program.cs).</summary>
    public static void ConfigureStdout() => AnsiConsole.Console = Create(Console.Out, Console.IsOutputRedirected, NoColor);

    /// <summary>A console on stderr (progress bars) under the same rules.</summary>
    public static IAnsiConsole Stderr() => Create(Console.Error, Console.IsErrorRedirected, NoColor);

    public static IAnsiConsole Create(TextWriter output, bool redirected, bool noColor, bool forceAnsi = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = forceAnsi ? AnsiSupport.Yes : redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = noColor || (redirected && !forceAnsi) ? ColorSystemSupport.NoColors : forceAnsi ? ColorSystemSupport.Standard : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 140); // a log file is not an 80-column terminal
        }

        return console;
    }
}
