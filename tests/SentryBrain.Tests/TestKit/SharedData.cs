namespace SentryBrain.Tests.TestKit;

/// <summary>
/// Data that may not be committed (the Financial PhraseBank, CC BY-NC-SA) is read from <c>../shared/data</c> beside
/// the clone, or from <c>SENTRYBRAIN_SHARED_DATA</c>; tests that need it skip with a message when it is absent.
/// </summary>
internal static class SharedData
{
    public const string PhraseBankFile = "financial_phrasebank_all-data.csv";

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SentryBrain.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("SentryBrain.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Folder
        => Environment.GetEnvironmentVariable("SENTRYBRAIN_SHARED_DATA") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>The PhraseBank's path, or null when it is not there.</summary>
    public static string? PhraseBank => File.Exists(Path.Combine(Folder, PhraseBankFile)) ? Path.Combine(Folder, PhraseBankFile) : null;
}

/// <summary>A fact that skips, saying why, when the Financial PhraseBank is not beside the clone.</summary>
internal sealed class PhraseBankFactAttribute : FactAttribute
{
    public PhraseBankFactAttribute()
    {
        if (SharedData.PhraseBank is null)
        {
            Skip = $"the Financial PhraseBank ({SharedData.PhraseBankFile}, CC BY-NC-SA: never committed) is not in {SharedData.Folder}; set SENTRYBRAIN_SHARED_DATA to its folder to run this test";
        }
    }
}
