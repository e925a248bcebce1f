using Microsoft.Extensions.Logging;
using SentryBrain.Config;

namespace SentryBrain.Cli.Commands;

/// <summary>Shared start-up: configuration with clear errors, and logging to stderr.</summary>
internal static class Startup
{
    /// <summary>Loads the configuration or prints why it is invalid (exit code 2).</summary>
    public static BrainConfig? LoadConfig(out IReadOnlyList<ConfigEntry> entries)
    {
        try
        {
            return BrainConfig.Load(ConfigSource.FromProcess(), out entries);
        }
        catch (ConfigException ex)
        {
            Console.Error.WriteLine(ex.Message);
            entries = [];
            return null;
        }
    }

    public static ILoggerFactory Logging(string level) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level switch
        {
            "DEBUG" => LogLevel.Debug,
            "WARNING" or "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" => LogLevel.Critical,
            _ => LogLevel.Information,
        });
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
