using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SentryBrain.Replay;

namespace SentryBrain.Tests.Replay;

public sealed class SyntheticStreamTests
{
    private static readonly HashSet<string> EventTypes = ["trade", "quote", "news", "volatility", "positions", "orders"];

    private static byte[] Generate(int events, int symbols, ulong seed)
    {
        using var stream = new MemoryStream();
        SyntheticStream.Write(new SyntheticOptions(events, symbols, seed), stream);
        return stream.ToArray();
    }

    private static string[] Lines(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }

    [Fact]
    public void SameSeed_ProducesIdenticalBytes()
    {
        var first = SHA256.HashData(Generate(20_000, 50, 42));
        var second = SHA256.HashData(Generate(20_000, 50, 42));

        Assert.Equal(Convert.ToHexString(first), Convert.ToHexString(second));
    }

    [Fact]
    public void DifferentSeed_ProducesDifferentBytes()
    {
        Assert.NotEqual(
            Convert.ToHexString(SHA256.HashData(Generate(5_000, 20, 1))),
            Convert.ToHexString(SHA256.HashData(Generate(5_000, 20, 2))));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    [InlineData(3, 50)]
    [InlineData(12_345, 7)]
    public void Writes_ExactlyNLines_EachNewlineTerminated(int events, int symbols)
    {
        var bytes = Generate(events, symbols, 7);

        Assert.Equal(events, bytes.Count(b => b == (byte)'\n'));
        if (events > 0)
        {
            Assert.Equal((byte)'\n', bytes[^1]);
        }
        else
        {
            Assert.Empty(bytes);
        }
    }

    [Fact]
    public void EveryLine_IsAWellFormedEngineEvent()
    {
        var lines = Lines(Generate(30_000, 25, 99));

        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal(["type", "ts", "payload"], root.EnumerateObject().Select(p => p.Name).ToArray());
            var type = root.GetProperty("type").GetString()!;
            Assert.Contains(type, EventTypes);
            var ts = root.GetProperty("ts").GetString()!;
            Assert.True(
                DateTime.TryParseExact(ts, "yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _),
                ts);
            var payload = root.GetProperty("payload");
            AssertKeysSorted(payload);

            switch (type)
            {
                case "trade":
                    Assert.True(payload.GetProperty("price").GetDouble() > 0, line);
                    Assert.InRange(payload.GetProperty("size").GetInt32(), 1, 500);
                    AssertEnrichment(payload, line);
                    break;
                case "quote":
                    var bid = payload.GetProperty("bid").GetDecimal();
                    var ask = payload.GetProperty("ask").GetDecimal();
                    Assert.True(bid > 0 && bid < ask, line);
                    Assert.True(ask - bid >= 0.01m, line);
                    Assert.Equal(Math.Round((bid + ask) / 2, 4), payload.GetProperty("mid").GetDecimal());
                    Assert.InRange(payload.GetProperty("bid_size").GetInt32(), 1, 20);
                    Assert.InRange(payload.GetProperty("ask_size").GetInt32(), 1, 20);
                    AssertEnrichment(payload, line);
                    break;
                case "news":
                    Assert.Equal("synthetic", payload.GetProperty("source").GetString());
                    Assert.Single(payload.GetProperty("symbols").EnumerateArray());
                    Assert.False(string.IsNullOrWhiteSpace(payload.GetProperty("headline").GetString()));
                    Assert.Equal(string.Empty, payload.GetProperty("updated_at").GetString());
                    break;
                case "volatility":
                    Assert.InRange(payload.GetProperty("annualized_vol_30d").GetDouble(), 0.15, 0.8);
                    break;
                case "positions":
                    foreach (var position in payload.GetProperty("positions").EnumerateArray())
                    {
                        AssertKeysSorted(position);
                        foreach (var key in new[] { "qty", "market_value", "cost_basis", "unrealized_pl", "unrealized_plpc" })
                        {
                            var text = position.GetProperty(key).GetString()!;
                            Assert.True(decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _), text);
                        }

                        Assert.True(position.GetProperty("current_price").GetDouble() > 0);
                    }

                    break;
                default:
                    foreach (var order in payload.GetProperty("orders").EnumerateArray())
                    {
                        AssertKeysSorted(order);
                        Assert.Equal(JsonValueKind.String, order.GetProperty("qty").ValueKind);
                    }

                    break;
            }

            if (type is "trade" or "quote" or "news" or "volatility")
            {
                Assert.Equal(ts, payload.GetProperty("ts").GetString());
            }
            else
            {
                Assert.False(payload.TryGetProperty("ts", out _));
            }
        }
    }

    [Fact]
    public void Numbers_UseInvariantPlainNotation()
    {
        var text = Encoding.UTF8.GetString(Generate(20_000, 30, 5));

        Assert.DoesNotContain("E-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("E+", text, StringComparison.Ordinal);
        Assert.DoesNotContain("e-0", text, StringComparison.Ordinal);
        Assert.DoesNotContain(":-0,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FiveThousandEvents_ContainEveryEventType_InRealisticShares()
    {
        var counts = Lines(Generate(5_000, 50, 11))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()!)
            .GroupBy(t => t)
            .ToDictionary(g => g.Key, g => g.Count());

        foreach (var type in EventTypes)
        {
            Assert.True(counts.ContainsKey(type), type);
        }

        Assert.InRange(counts["quote"], 2_500, 3_200);
        Assert.InRange(counts["trade"], 1_700, 2_300);
        Assert.Equal(counts["positions"], counts["orders"]);
    }

    [Fact]
    public void EventTime_IsMonotonic_AndStartsInTheRegularSession()
    {
        var lines = Lines(Generate(200_000, 50, 3));
        var previous = DateTime.MinValue;
        DateTime first = default;
        foreach (var line in lines)
        {
            var at = line.IndexOf("\"ts\":\"", StringComparison.Ordinal) + 6;
            var ts = DateTime.ParseExact(line.AsSpan(at, 28), "yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.True(ts > previous);
            first = first == default ? ts : first;
            previous = ts;
        }

        Assert.Equal(new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc), first, TimeSpan.FromSeconds(1));
        Assert.InRange(previous - first, TimeSpan.FromHours(1.5), TimeSpan.FromHours(5));
        Assert.Contains("\"session\":\"regular\"", lines[1000], StringComparison.Ordinal);
    }

    [Fact]
    public void Volumes_AndReturns_FollowTheEngineWindows()
    {
        // Single symbol: every trade is visible, so the rolling sums can be recomputed from the stream itself.
        var trades = new List<(DateTime Ts, int Size, decimal Price)>();
        foreach (var line in Lines(Generate(20_000, 1, 8)))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.GetProperty("type").GetString() != "trade")
            {
                continue;
            }

            var payload = root.GetProperty("payload");
            var ts = DateTime.Parse(root.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            var size = payload.GetProperty("size").GetInt32();
            var price = payload.GetProperty("price").GetDecimal();
            trades.Add((ts, size, price));

            var volume1m = trades.Where(t => t.Ts > ts.AddMinutes(-1)).Sum(t => (long)t.Size);
            var volume5m = trades.Where(t => t.Ts > ts.AddMinutes(-5)).Sum(t => (long)t.Size);
            Assert.Equal(volume1m, payload.GetProperty("volume_1m").GetInt64());
            Assert.Equal(volume5m, payload.GetProperty("volume_5m").GetInt64());

            var past = trades.LastOrDefault(t => t.Ts <= ts.AddMinutes(-1));
            var expected = past.Price > 0 ? Math.Round((double)((price - past.Price) / past.Price), 8) : 0;
            Assert.Equal(expected, payload.GetProperty("return_1m").GetDouble(), 1e-8);
        }

        Assert.True(trades.Count > 5_000);
    }

    [Fact]
    public void SymbolNames_AreUniqueUppercaseTickers()
    {
        var fifty = SyntheticStream.SymbolNames(50);
        Assert.Equal(50, fifty.Distinct().Count());
        Assert.Equal("SYMA", fifty[0]);
        Assert.Equal("SYMZ", fifty[25]);

        var many = SyntheticStream.SymbolNames(40_000);
        Assert.Equal(many.Count, many.Distinct(StringComparer.Ordinal).Count());
        Assert.All(many, n => Assert.Matches("^[A-Z]{1,5}$", n));
        Assert.Equal(fifty, many.Take(50));
    }

    [Fact]
    public void Garbage_ReplacesAboutOnePercent_AtTheReportedLines()
    {
        var clean = Generate(20_000, 50, 21);
        var (dirty, replaced) = Corrupt(clean, 0.01, 77);

        var before = Lines(clean);
        var after = Lines(dirty);
        Assert.Equal(before.Length, after.Length);
        Assert.InRange(replaced.Count, 100, 300);
        Assert.Equal(replaced.Order(), replaced);

        var set = replaced.ToHashSet();
        for (var i = 0; i < before.Length; i++)
        {
            if (set.Contains(i + 1))
            {
                Assert.NotEqual(before[i], after[i]);
                Assert.NotEmpty(after[i]);
            }
            else
            {
                Assert.Equal(before[i], after[i]);
            }
        }
    }

    [Fact]
    public void Garbage_ProducesEveryKind()
    {
        var clean = Generate(20_000, 50, 21);
        var (dirty, replaced) = Corrupt(clean, 0.05, 5);
        var before = Lines(clean);
        var after = Lines(dirty);
        var corrupted = replaced.Select(n => after[n - 1]).ToList();

        Assert.Contains(corrupted, l => l == "{not json");
        Assert.Contains(corrupted, l => l.Contains("\"price\":true", StringComparison.Ordinal) || l.Contains("\"price\":{", StringComparison.Ordinal));
        Assert.Contains(corrupted, l => l.Contains("\"price\":-", StringComparison.Ordinal) || l.Contains("\"bid\":-", StringComparison.Ordinal));
        Assert.Contains(corrupted, l => l.Contains("\"price\":0,", StringComparison.Ordinal) || l.Contains("\"bid\":0,", StringComparison.Ordinal));
        Assert.Contains(corrupted, l => l.Contains(":\"NaN\"", StringComparison.Ordinal));
        Assert.Contains(corrupted, l => l.Contains("1000000000000000", StringComparison.Ordinal));
        Assert.Contains(replaced, n => before[n - 1].StartsWith(after[n - 1], StringComparison.Ordinal));
        Assert.Contains(replaced, n => before[n - 1].Contains("\"symbol\":", StringComparison.Ordinal)
            && !after[n - 1].Contains("\"symbol\":", StringComparison.Ordinal)
            && IsJson(after[n - 1]));
    }

    [Fact]
    public void Garbage_SameSeed_SameCorruption_DifferentSeed_Different()
    {
        var clean = Generate(20_000, 50, 21);
        var (first, firstLines) = Corrupt(clean, 0.01, 77);
        var (second, secondLines) = Corrupt(clean, 0.01, 77);
        var (third, thirdLines) = Corrupt(clean, 0.01, 78);

        Assert.Equal(first, second);
        Assert.Equal(firstLines, secondLines);
        Assert.NotEqual(firstLines, thirdLines);
        Assert.NotEqual(first, third);
    }

    [Fact]
    public void Garbage_KeepsAnUnterminatedLastLine_AndHandlesZeroAndFullFractions()
    {
        var input = Encoding.UTF8.GetBytes("{\"a\":1}\n{\"b\":2}");

        var (none, noneLines) = Corrupt(input, 0, 1);
        Assert.Equal(input, none);
        Assert.Empty(noneLines);

        var (all, allLines) = Corrupt(input, 1, 1);
        Assert.Equal([1, 2], allLines);
        var text = Encoding.UTF8.GetString(all);
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.False(text.EndsWith('\n'));
    }

    private static (byte[] Output, IReadOnlyList<int> Lines) Corrupt(byte[] input, double fraction, ulong seed)
    {
        using var source = new MemoryStream(input);
        using var target = new MemoryStream();
        var lines = GarbageInjector.Corrupt(source, target, fraction, seed);
        return (target.ToArray(), lines);
    }

    private static bool IsJson(string line)
    {
        try
        {
            using var _ = JsonDocument.Parse(line);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void AssertKeysSorted(JsonElement element)
    {
        var names = element.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    private static void AssertEnrichment(JsonElement payload, string line)
    {
        var volume1m = payload.GetProperty("volume_1m").GetInt64();
        var volume5m = payload.GetProperty("volume_5m").GetInt64();
        Assert.True(volume1m >= 0 && volume1m <= volume5m, line);
        Assert.InRange(payload.GetProperty("volatility").GetDouble(), 0.15, 0.8);
        Assert.InRange(payload.GetProperty("return_1m").GetDouble(), -0.2, 0.2);
        Assert.InRange(payload.GetProperty("return_5m").GetDouble(), -0.2, 0.2);
        Assert.Equal("regular", payload.GetProperty("session").GetString());
    }
}
