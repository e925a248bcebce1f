namespace SentryBrain.Learning;

/// <summary>Disposes a list of resources in reverse order (the last started stops first); safe to dispose twice.</summary>
public sealed class DisposeAll(List<IDisposable> items) : IDisposable
{
    public void Dispose()
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            items[i].Dispose();
        }

        items.Clear();
    }
}
