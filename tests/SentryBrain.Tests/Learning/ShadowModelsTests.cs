using SentryBrain.Config;
using SentryBrain.Learning;

namespace SentryBrain.Tests.Learning;

/// <summary>The ghost models: the reference's three and <c>SHADOW_PARAMETER_SETS</c>, whose garbage is a start-up error naming it.</summary>
public sealed class ShadowModelsTests
{
    [Fact]
    public void TheReferenceModels_AndConfiguredOnes()
    {
        Assert.Equal(
            [new ShadowModel("tight", 0.5, 1.5), new ShadowModel("wide", 1.5, 3.0), new ShadowModel("scalp", 1.0, 1.0)],
            ShadowModels.From(""));
        Assert.Equal(
            [.. ShadowModels.Reference, new ShadowModel("loose", 2, 4), new ShadowModel("tiny_1", 0.25, 0.75)],
            ShadowModels.From(" loose:2:4 , tiny_1 : 0.25 : 0.75"));
    }

    [Theory]
    [InlineData("loose", "is not name:stop%:take-profit%")]
    [InlineData("loose:2", "is not name:stop%:take-profit%")]
    [InlineData("loose:2:4:5", "is not name:stop%:take-profit%")]
    [InlineData("Loose:2:4", "model name 'Loose'")]
    [InlineData(":2:4", "model name ''")]
    [InlineData("tight:2:4", "model name 'tight' is taken")]
    [InlineData("live:2:4", "model name 'live' is taken")]
    [InlineData("a:1:2,a:2:3", "model name 'a' is taken")]
    [InlineData("loose:0:4", "stop '0' of 'loose'")]
    [InlineData("loose:-1:4", "stop '-1' of 'loose'")]
    [InlineData("loose:x:4", "stop 'x' of 'loose'")]
    [InlineData("loose:2:NaN", "take-profit 'NaN' of 'loose'")]
    [InlineData("loose:2:101", "take-profit '101' of 'loose'")]
    [InlineData("loose:2:4,", "entry '' is not")]
    public void Garbage_IsRefused_WithWhatIsWrong(string sets, string problem)
    {
        Assert.Contains(problem, ShadowModels.Problem(sets), StringComparison.Ordinal);
        var ex = Assert.Throws<ArgumentException>(() => ShadowModels.From(sets));
        Assert.StartsWith("SHADOW_PARAMETER_SETS=", ex.Message, StringComparison.Ordinal);

        // At start-up: the configuration does not load, and the error names the variable.
        var config = Assert.Throws<ConfigException>(() => BrainConfig.Load(ConfigSource.FromPairs(("SHADOW_PARAMETER_SETS", sets))));
        Assert.Contains("SHADOW_PARAMETER_SETS=", config.Message, StringComparison.Ordinal);
        Assert.Contains(problem, config.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyModels_AreRefused()
    {
        var sets = string.Join(',', Enumerable.Range(0, ShadowModels.MaxExtra + 1).Select(i => $"m{i}:1:2"));
        Assert.Contains("17 entries, at most 16", ShadowModels.Problem(sets), StringComparison.Ordinal);
        Assert.Null(ShadowModels.Problem(string.Join(',', Enumerable.Range(0, ShadowModels.MaxExtra).Select(i => $"m{i}:1:2"))));
    }
}
