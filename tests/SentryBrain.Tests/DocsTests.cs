using SentryBrain.Config;

namespace SentryBrain.Tests;

public class DocsTests
{
    [Fact]
    public void ConfigDoc_ListsEveryVariableTheBrainReads()
    {
        BrainConfig.Load(ConfigSource.FromPairs(), out var entries);
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "CONFIG.md"));
        var missing = entries.Select(e => e.Name).Where(name => !doc.Contains($"`{name}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/CONFIG.md lacks: " + string.Join(", ", missing) + " (regenerate with ./brain config --markdown)");
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SentryBrain.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SentryBrain.sln not found above " + AppContext.BaseDirectory);
    }
}
