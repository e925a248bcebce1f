using SentryBrain.Cli.Commands;
using SentryBrain.Config;
using SentryBrain.Tests.Cli;
using Spectre.Console;

namespace SentryBrain.Tests.Config;

/// <summary>
/// Issue 10 break 9: unreadable .env lines are reported (file and line, never a value that could be a secret), and
/// `brain config` writes no escape codes when its output is not a terminal or NO_COLOR is set.
/// </summary>
public sealed class DotEnvWarningsTests
{
    private const string PastedSecret = "AKXYZpastedSecretValue0123456789";

    [Fact]
    public void UnreadableLines_AreReported_WithFileAndLine_AndWithoutTheirText()
    {
        var warnings = new List<string>();
        var values = ConfigSource.ParseDotEnv(
        [
            "# comment",
            "STOP_LOSS_PCT=1.5",
            PastedSecret,                         // 3: no '=': a pasted value, maybe a secret
            "=" + PastedSecret,                   // 4: no name
            "MY KEY=" + PastedSecret,             // 5: not a variable name
            "APCA_API_SECRET_KEY=\"" + PastedSecret, // 6: unterminated quote
            "",
            "STOP_LOSS_PCT=2",                    // 8: set again
        ], "conf/.env", warnings);

        Assert.Equal(
        [
            "conf/.env:3: ignored: unreadable line (expected NAME=value)",
            "conf/.env:4: ignored: unreadable line (expected NAME=value)",
            "conf/.env:5: ignored: unreadable line (the text before '=' is not a variable name)",
            "conf/.env:6: APCA_API_SECRET_KEY: the opening quote is never closed; the value is used as written",
            "conf/.env:8: STOP_LOSS_PCT is set again (line 2's value is replaced)",
        ], warnings);
        Assert.Equal("2", values["STOP_LOSS_PCT"]);
        Assert.DoesNotContain(warnings, w => w.Contains(PastedSecret[..8], StringComparison.Ordinal));
    }

    [Fact]
    public void CleanFile_GivesNoWarning()
    {
        var warnings = new List<string>();
        ConfigSource.ParseDotEnv(["# c", "", "export A=1", "B='x y' # note", "C=\"q\""], ".env", warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Cli_WarnsOnStderr_OnceAndWithoutTheSecret()
    {
        using var dir = BrainCli.NewFolder();
        File.WriteAllLines(dir[".env"], ["STOP_LOSS_PCT=1.5", PastedSecret]);

        var result = BrainCli.Run(dir.Path, null, "config");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, CountOf(result.Stderr, ".env:2: ignored: unreadable line"));
        Assert.DoesNotContain(PastedSecret[..8], result.All, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigCommand_RedirectedOutput_HasNoEscapeCodes_EvenOnAColourTerminal()
    {
        using var dir = BrainCli.NewFolder();
        var result = BrainCli.Run(dir.Path, new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLORTERM"] = "truecolor", ["STOP_LOSS_PCT"] = "1.5" }, "config");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("STOP_LOSS_PCT", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Stdout);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Terminal_WritesNoColour_WhenRedirectedOrNoColor(bool redirected, bool noColor)
    {
        var writer = new StringWriter();
        var console = Terminal.Create(writer, redirected, noColor);

        console.Markup("[green]environment[/] [yellow].env[/]");

        Assert.Contains("environment .env", writer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[3", writer.ToString(), StringComparison.Ordinal); // 30–37, 38;5;n, 38;2;r;g;b
        Assert.DoesNotContain("\u001b[9", writer.ToString(), StringComparison.Ordinal); // bright colours
    }

    [Fact]
    public void Terminal_OnAColourTerminal_DoesColour()
    {
        // The opposite case, so the test above cannot pass by never colouring at all.
        var writer = new StringWriter();
        var console = Terminal.Create(writer, redirected: false, noColor: false, forceAnsi: true);

        console.Markup("[green]environment[/]");

        Assert.Contains("\u001b[", writer.ToString(), StringComparison.Ordinal);
    }

    private static int CountOf(string text, string needle)
    {
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
