using System.CommandLine;
using SentryBrain.Config;
using SentryBrain.Execution.Alpaca;

namespace SentryBrain.Cli.Commands;

internal static class PaperOrderCommand
{
    private static readonly string[] Variables =
        ["APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "ALPACA_API_KEY_ID", "ALPACA_API_SECRET_KEY", "APCA_API_BASE_URL", "ALPACA_DATA_BASE_URL", "ALPACA_DATA_FEED"];

    public static Command Create()
    {
        var symbol = new Option<string>("--symbol") { Description = "Symbol to buy", DefaultValueFactory = _ => "AAPL" };
        var qty = new Option<decimal>("--qty") { Description = "Shares", DefaultValueFactory = _ => 1m };
        var command = new Command("paper-order", "Submit one paper BUY to verify the Alpaca connection (APCA_API_KEY_ID, APCA_API_SECRET_KEY, APCA_API_BASE_URL)") { symbol, qty };
        command.SetAction(async (parse, cancellationToken) => await Usage.RunAsync("paper-order", async () =>
        {
            var ticker = Usage.Ticker(parse.GetValue(symbol) ?? string.Empty, "--symbol");
            var source = Startup.Source();
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in Variables)
            {
                if (source.Lookup(name).Value is { } value)
                {
                    env[name] = value;
                }
            }

            var amount = parse.GetValue(qty);
            if (amount <= 0)
            {
                throw new UsageException($"--qty must be positive, not {amount}");
            }

            return await PaperOrder.RunAsync(env, ticker, amount, Console.Out, Console.Error, cancellationToken);
        }));
        return command;
    }
}
