using SentryBrain.Config;

namespace SentryBrain.Tests.Config;

/// <summary>Variables and defaults of BEHAVIOR §10; bad values are a start-up error naming the variable.</summary>
public sealed class ConfigTests
{
    private static readonly Dictionary<string, string> NoDotEnv = new(StringComparer.Ordinal);

    private static BrainConfig Load(params (string Key, string Value)[] pairs) => BrainConfig.Load(ConfigSource.FromPairs(pairs));

    private static ConfigException LoadFails(params (string Key, string Value)[] pairs)
        => Assert.Throws<ConfigException>(() => Load(pairs));

    [Fact]
    public void Defaults_MatchTheReference()
    {
        var c = Load();

        Assert.Equal(1.0, c.StopLossPct);
        Assert.Equal(2.0, c.TakeProfitPct);
        Assert.Equal(0.05, c.PositionSizePct);
        Assert.Equal(0.06, c.MaxPositionPct);
        Assert.Equal(12, c.StrategyMaxQty);
        Assert.Equal(30, c.OrderCooldownSec);
        Assert.True(c.UseConsensus);
        Assert.Equal(2, c.ConsensusMinSourcesPositive);
        Assert.Equal(0.15, c.ConsensusPositiveThreshold);
        Assert.Equal(0.25, c.DailyCapPct);
        Assert.True(c.DailyCapEnabled);
        Assert.Equal(1.0, c.DailyLossCapPct);
        Assert.Equal(-0.50, c.KillSwitchSentimentThreshold);
        Assert.Equal(-0.05, c.KillSwitchReturnThreshold);
        Assert.False(c.KillSwitch);
        Assert.True(c.TradePaper);
        Assert.True(c.AlpacaPaper);
        Assert.Equal(5, c.LimitOrderOffsetBps);
        Assert.Equal(45, c.StrategyIntervalSec);
        Assert.Equal("INFO", c.LogLevel);
        Assert.False(c.HasAlpacaKeys);
    }

    [Fact]
    public void Values_AreReadFromTheirVariables()
    {
        var c = Load(
            ("STOP_LOSS_PCT", "1.5"),
            ("TAKE_PROFIT_PCT", "0"),
            ("POSITION_SIZE_PCT", "0.1"),
            ("STRATEGY_MAX_QTY", "20"),
            ("ORDER_COOLDOWN_SEC", "60"),
            ("CONSENSUS_MIN_SOURCES_POSITIVE", "3"),
            ("DAILY_CAP_PCT", "0.5"),
            ("KILL_SWITCH", "true"),
            ("LOG_level", "ignored-wrong-case"),
            ("LOG_LEVEL", "debug"));

        Assert.Equal(1.5, c.StopLossPct);
        Assert.Equal(0, c.TakeProfitPct);
        Assert.Equal(0.1, c.PositionSizePct);
        Assert.Equal(20, c.StrategyMaxQty);
        Assert.Equal(60, c.OrderCooldownSec);
        Assert.Equal(3, c.ConsensusMinSourcesPositive);
        Assert.Equal(0.5, c.DailyCapPct);
        Assert.True(c.KillSwitch);
        Assert.Equal("DEBUG", c.LogLevel);
    }

    [Fact]
    public void NotANumber_Throws_NamingTheVariableAndTheAcceptedForm()
    {
        var ex = LoadFails(("STOP_LOSS_PCT", "abc"));

        Assert.Contains("STOP_LOSS_PCT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("abc", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a number between 0.01 and 100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutOfRange_Throws_NamingTheVariableAndTheRange()
    {
        var ex = LoadFails(("POSITION_SIZE_PCT", "-1"));

        Assert.Contains("POSITION_SIZE_PCT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("between 0.0001 and 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STRATEGY_MAX_QTY", "2.5", "whole number")]
    [InlineData("STRATEGY_MAX_QTY", "0", "whole number")]
    [InlineData("CONSENSUS_MIN_SOURCES_POSITIVE", "5", "between 1 and 4")]
    [InlineData("CONSENSUS_POSITIVE_THRESHOLD", "1.5", "between 0 and 1")]
    [InlineData("STOP_LOSS_PCT", "NaN", "a number")]
    [InlineData("STOP_LOSS_PCT", "Infinity", "a number")]
    [InlineData("KILL_SWITCH_SENTIMENT_THRESHOLD", "0.5", "between -1 and 0")]
    [InlineData("LOG_LEVEL", "LOUD", "one of")]
    [InlineData("STRATEGY_MODE", "momentum_only", "one of")]
    public void InvalidValue_Throws_NamingTheVariable(string name, string value, string expectedForm)
    {
        var ex = LoadFails((name, value));

        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedForm, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralBadVariables_AreAllListedInOneMessage()
    {
        var ex = LoadFails(("STOP_LOSS_PCT", "abc"), ("POSITION_SIZE_PCT", "-1"), ("TRADE_PAPER", "maybe"), ("STRATEGY_MAX_QTY", "lots"));

        Assert.Contains("STOP_LOSS_PCT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("POSITION_SIZE_PCT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TRADE_PAPER", ex.Message, StringComparison.Ordinal);
        Assert.Contains("STRATEGY_MAX_QTY", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyVariable_MeansUnset_AndTakesTheDefault(string value)
    {
        Assert.Equal(1.0, Load(("STOP_LOSS_PCT", value)).StopLossPct);
        Assert.True(Load(("TRADE_PAPER", value)).TradePaper);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("TRUE")]
    [InlineData(" Yes ")]
    public void Boolean_AcceptsTrueForms(string value)
    {
        // KILL_SWITCH defaults to false, so only a parsed true can make this pass
        Assert.True(Load(("KILL_SWITCH", value)).KillSwitch);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("no")]
    [InlineData("off")]
    [InlineData("False")]
    [InlineData("OFF")]
    public void Boolean_AcceptsFalseForms(string value)
    {
        // TRADE_PAPER defaults to true, so only a parsed false can make this pass
        Assert.False(Load(("TRADE_PAPER", value)).TradePaper);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("2")]
    [InlineData("enabled")]
    public void Boolean_RejectsOtherWords_NamingTheAcceptedForms(string value)
    {
        var ex = LoadFails(("TRADE_PAPER", value));

        Assert.Contains("TRADE_PAPER", ex.Message, StringComparison.Ordinal);
        Assert.Contains("true/false", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_WinsOverDotEnv()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["STOP_LOSS_PCT"] = "1.5" };
        var dotEnv = ConfigSource.ParseDotEnv(["STOP_LOSS_PCT=3.0", "TAKE_PROFIT_PCT=4.0"]);

        var config = BrainConfig.Load(new ConfigSource(env, dotEnv), out var entries);

        Assert.Equal(1.5, config.StopLossPct);  // process environment
        Assert.Equal(4.0, config.TakeProfitPct); // only in .env
        Assert.Equal(ValueOrigin.Environment, entries.Single(e => e.Name == "STOP_LOSS_PCT").Origin);
        Assert.Equal(ValueOrigin.DotEnv, entries.Single(e => e.Name == "TAKE_PROFIT_PCT").Origin);
        Assert.Equal(ValueOrigin.Default, entries.Single(e => e.Name == "POSITION_SIZE_PCT").Origin);
    }

    [Fact]
    public void DotEnv_BadValue_IsAlsoAnError()
    {
        var source = new ConfigSource(NoDotEnv, ConfigSource.ParseDotEnv(["STOP_LOSS_PCT=one"]));

        var ex = Assert.Throws<ConfigException>(() => BrainConfig.Load(source));

        Assert.Contains("STOP_LOSS_PCT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DotEnv_Parsing_HandlesCommentsExportQuotesAndInlineComments()
    {
        var values = ConfigSource.ParseDotEnv(
        [
            "# a comment line",
            "   # an indented comment",
            "",
            "PLAIN=1.5",
            "export EXPORTED=yes",
            "  SPACED  =  value with spaces  ",
            "DOUBLE=\"quoted # not a comment\"",
            "SINGLE='single # quoted'",
            "INLINE=2.5 # percent",
            "HASH_IN_VALUE=abc#def",
            "EMPTY=",
            "EQUALS=a=b=c",
            "no equals sign here",
            "=no key",
            "PLAIN=2.0",
        ]);

        Assert.Equal("2.0", values["PLAIN"]); // the last assignment wins
        Assert.Equal("yes", values["EXPORTED"]);
        Assert.Equal("value with spaces", values["SPACED"]);
        Assert.Equal("quoted # not a comment", values["DOUBLE"]);
        Assert.Equal("single # quoted", values["SINGLE"]);
        Assert.Equal("2.5", values["INLINE"]);
        Assert.Equal("abc#def", values["HASH_IN_VALUE"]);
        Assert.Equal(string.Empty, values["EMPTY"]);
        Assert.Equal("a=b=c", values["EQUALS"]);
        Assert.Equal(9, values.Count); // comments, blank, "no equals" and "=no key" lines add nothing
    }

    [Fact]
    public void DotEnv_QuotedValueFollowedByInlineComment_IsUnquoted()
    {
        var values = ConfigSource.ParseDotEnv(["STOP_LOSS_PCT=\"1.5\" # percent", "NAME='x y' # note"]);

        Assert.Equal("1.5", values["STOP_LOSS_PCT"]);
        Assert.Equal("x y", values["NAME"]);
    }

    [Fact]
    public void Secrets_AreMaskedInEntries_AndNeverShownInFull()
    {
        const string keyId = "test-key-id-for-masking";
        const string secret = "s3cr3tS3cr3tS3cr3tS3cr3t";
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APCA_API_KEY_ID"] = keyId,
            ["APCA_API_SECRET_KEY"] = secret,
        };

        var config = BrainConfig.Load(new ConfigSource(env, NoDotEnv), out var entries);

        Assert.Equal(keyId, config.AlpacaKeyId);
        Assert.Equal(secret, config.AlpacaSecretKey);
        Assert.True(config.HasAlpacaKeys);
        Assert.All(entries, e => Assert.DoesNotContain(secret, e.Value, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(keyId, e.Value, StringComparison.Ordinal));
        var secretEntry = entries.Single(e => e.Name == "APCA_API_SECRET_KEY");
        Assert.True(secretEntry.Secret);
        Assert.Contains("****", secretEntry.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortSecret_IsFullyMasked()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["APCA_API_SECRET_KEY"] = "abc123" };

        BrainConfig.Load(new ConfigSource(env, NoDotEnv), out var entries);

        Assert.Equal("****", entries.Single(e => e.Name == "APCA_API_SECRET_KEY").Value);
    }

    [Fact]
    public void AlpacaApiFallbacks_AreUsed_WhenApcaVariablesAreMissing()
    {
        var dotEnv = ConfigSource.ParseDotEnv(["ALPACA_API_KEY_ID=fallback-key-id", "ALPACA_API_SECRET_KEY=fallback-secret-value"]);

        var config = BrainConfig.Load(new ConfigSource(NoDotEnv, dotEnv), out var entries);

        Assert.Equal("fallback-key-id", config.AlpacaKeyId);
        Assert.Equal("fallback-secret-value", config.AlpacaSecretKey);
        Assert.True(config.HasAlpacaKeys);
        Assert.All(entries, e => Assert.DoesNotContain("fallback-secret-value", e.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void ApcaVariables_WinOverAlpacaApiFallbacks()
    {
        var config = Load(
            ("APCA_API_KEY_ID", "primary-id"),
            ("ALPACA_API_KEY_ID", "fallback-id"),
            ("APCA_API_SECRET_KEY", "primary-secret"),
            ("ALPACA_API_SECRET_KEY", "fallback-secret"));

        Assert.Equal("primary-id", config.AlpacaKeyId);
        Assert.Equal("primary-secret", config.AlpacaSecretKey);
    }

    [Fact]
    public void BadValueOfASecret_IsNeverEchoed()
    {
        // A secret is never validated as a number; a bad value elsewhere must not leak the secret into the message.
        var ex = LoadFails(("APCA_API_SECRET_KEY", "top-secret-value-xyz"), ("STOP_LOSS_PCT", "abc"));

        Assert.DoesNotContain("top-secret-value-xyz", ex.Message, StringComparison.Ordinal);
    }
}
