using SentryBrain.Config;
using SentryBrain.Signals.Sentiment;

namespace SentryBrain.Cli.Commands;

/// <summary>Loads the news sentiment model at start-up, before any event is read: a model that cannot load is one stderr line and exit 2.</summary>
internal static class SentimentStartup
{
    /// <summary>The model <c>SENTIMENT_MODEL</c> names, or null after printing why it cannot be loaded (exit code 2).</summary>
    public static ISentimentModel? Load(SentimentSettings settings, string command)
    {
        try
        {
            return SentimentModels.Load(settings);
        }
        catch (Exception ex) when (ex is SentimentModelException or NotSupportedException)
        {
            Console.Error.WriteLine($"brain {command}: SENTIMENT_MODEL={settings.Model} cannot be loaded: {Startup.OneLine(ex.Message)}");
            return null;
        }
    }
}
