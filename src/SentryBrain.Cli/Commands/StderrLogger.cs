using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SentryBrain.Cli.Commands;

/// <summary>
/// Logs to stderr, one line per message, in the layout of the console logger's simple single-line format
/// (<c>2026-03-02 14:30:00 info: consume[0] message</c>; an exception follows on the same line, its newlines as spaces).
/// Why not <c>AddSimpleConsole</c>: that provider brings a dependency-injection container, options and configuration
/// binding, which cost tens of milliseconds at every start of a short command. This one writes synchronously under a
/// lock, so a line is on stderr before the call returns (nothing queued is lost when the process dies).
/// </summary>
internal sealed class StderrLoggerProvider(TextWriter output, bool colors, TimeProvider time) : ILoggerProvider
{
    private readonly Lock _write = new();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

    public void Dispose() => output.Flush();

    private void Write(string category, LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var line = new StringBuilder(64 + category.Length + message.Length);
        line.Append(time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss ", CultureInfo.InvariantCulture));
        var (name, color) = Level(level);
        line.Append(colors ? color : string.Empty).Append(name).Append(colors ? "\u001b[0m" : string.Empty);
        line.Append(": ").Append(category).Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append(']');
        AppendOnOneLine(line, message);
        if (exception is not null)
        {
            AppendOnOneLine(line, exception.ToString());
        }

        line.Append('\n');
        lock (_write)
        {
            output.Write(line.ToString());
            output.Flush();
        }
    }

    private static void AppendOnOneLine(StringBuilder line, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        line.Append(' ').Append(text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' '));
    }

    private static (string Name, string Color) Level(LogLevel level) => level switch
    {
        LogLevel.Trace => ("trce", "\u001b[90m"),
        LogLevel.Debug => ("dbug", "\u001b[90m"),
        LogLevel.Information => ("info", "\u001b[32m"),
        LogLevel.Warning => ("warn", "\u001b[1;33m"),
        LogLevel.Error => ("fail", "\u001b[30;41m"),
        _ => ("crit", "\u001b[1;37;41m"),
    };

    private sealed class StderrLogger(StderrLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, eventId, formatter(state, exception), exception);
            }
        }
    }
}
