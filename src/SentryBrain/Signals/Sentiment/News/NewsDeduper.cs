using SentryBrain.Events;

namespace SentryBrain.Signals.Sentiment.News;

/// <summary>
/// Decides whether a news item is new, so a story counts once however many sources carry it:
/// <list type="bullet">
/// <item>an id seen before is a duplicate (the feed re-sends on reconnect);</item>
/// <item>per symbol, a headline near-identical to one of the same symbol within the window is the same story: equal
/// word sets, or (both ≥ 4 words) 85 % of the shorter one's words in the longer and 60 % overall — "Acme beats
/// estimates, raises guidance" and "UPDATE 1-Acme beats estimates and raises guidance - Reuters" match, "Acme beats
/// estimates" and "Acme misses estimates" do not. Words are case-folded letters and digits, without a few
/// connectives and wire boilerplate.</item>
/// </list>
/// News without symbols is deduplicated under the market key <see cref="Market"/>. Memory is bounded: the last
/// <c>idCapacity</c> ids and <c>storyCapacity</c> stories, oldest forgotten first.
/// </summary>
public sealed class NewsDeduper(double windowMin, int idCapacity = 100_000, int storyCapacity = 20_000)
{
    /// <summary>The key of market-wide news (no symbols).</summary>
    public const string Market = "";

    private const int MinWordsForOverlap = 4;

    // A symbol's headlines compared per item: a burst on one name cannot make an admission cost more than this.
    private const int StoriesPerKey = 256;

    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "at", "by", "with", "from", "as", "is", "are",
        "its", "update", "updated", "reuters", "bloomberg", "ap", "inc", "corp", "co", "ltd", "plc", "says",
    };

    private readonly TimeSpan _window = TimeSpan.FromMinutes(Math.Max(0, windowMin));
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _idOrder = new();
    private readonly Dictionary<string, List<Story>> _stories = new(StringComparer.Ordinal);
    private readonly Queue<(string Symbol, Story Story)> _storyOrder = new();

    /// <summary>Ids remembered (for tests and memory checks).</summary>
    public int IdCount => _ids.Count;

    /// <summary>Stories remembered.</summary>
    public int StoryCount => _storyOrder.Count;

    /// <summary>
    /// The keys (symbols, or <see cref="Market"/> for news without symbols) for which <paramref name="news"/> is a new
    /// story, recording it; empty when its id was seen or every key already has the story. <paramref name="at"/> is
    /// the item's <c>created_at</c> (or arrival time without one).
    /// </summary>
    public IReadOnlyList<string> Admit(NewsEvent news, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(news);
        if (news.Id.Length > 0 && !RememberId(news.Id))
        {
            return [];
        }

        var words = Words(news.Headline);
        IReadOnlyList<string> keys = news.Symbols.Count > 0 ? news.Symbols : [Market];
        List<string>? fresh = null;
        foreach (var key in keys)
        {
            if (words.Length > 0 && IsKnownStory(key, words, at))
            {
                continue;
            }

            Remember(key, new Story(words, at));
            (fresh ??= new List<string>(keys.Count)).Add(key);
        }

        return fresh is null ? [] : fresh;
    }

    /// <summary>True when two headlines tell the same story by the rule on the type.</summary>
    public static bool SameStory(string a, string b) => Similar(Words(a), Words(b));

    private bool RememberId(string id)
    {
        if (!_ids.Add(id))
        {
            return false;
        }

        _idOrder.Enqueue(id);
        if (_idOrder.Count > idCapacity)
        {
            _ids.Remove(_idOrder.Dequeue());
        }

        return true;
    }

    private bool IsKnownStory(string key, int[] words, DateTime at)
    {
        if (!_stories.TryGetValue(key, out var stories))
        {
            return false;
        }

        foreach (var story in stories)
        {
            if ((at - story.At).Duration() <= _window && Similar(story.Words, words))
            {
                return true;
            }
        }

        return false;
    }

    private void Remember(string key, Story story)
    {
        if (story.Words.Length == 0)
        {
            return;
        }

        if (!_stories.TryGetValue(key, out var stories))
        {
            stories = [];
            _stories[key] = stories;
        }

        stories.Add(story);
        if (stories.Count > StoriesPerKey)
        {
            stories.RemoveAt(0);
        }

        _storyOrder.Enqueue((key, story));
        if (_storyOrder.Count > storyCapacity)
        {
            var (oldKey, oldStory) = _storyOrder.Dequeue();
            if (_stories.TryGetValue(oldKey, out var list) && list.Remove(oldStory) && list.Count == 0)
            {
                _stories.Remove(oldKey);
            }
        }
    }

    private static bool Similar(int[] a, int[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return false;
        }

        var common = 0;
        for (int i = 0, j = 0; i < a.Length && j < b.Length;)
        {
            if (a[i] == b[j])
            {
                common++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        var shorter = Math.Min(a.Length, b.Length);
        var union = a.Length + b.Length - common;
        if (common == union)
        {
            return true;
        }

        return shorter >= MinWordsForOverlap && common >= 0.85 * shorter && common >= 0.6 * union;
    }

    /// <summary>The headline's distinct words as sorted hashes (ordinal, case-folded, letters and digits only).</summary>
    private static int[] Words(string headline)
    {
        if (string.IsNullOrWhiteSpace(headline))
        {
            return [];
        }

        var hashes = new SortedSet<int>();
        Span<char> buffer = stackalloc char[64];
        var length = 0;
        foreach (var c in headline.AsSpan())
        {
            if (char.IsLetterOrDigit(c))
            {
                if (length < buffer.Length)
                {
                    buffer[length++] = char.ToLowerInvariant(c);
                }

                continue;
            }

            Flush(buffer[..length], hashes);
            length = 0;
        }

        Flush(buffer[..length], hashes);
        return [.. hashes];
    }

    private static void Flush(ReadOnlySpan<char> word, SortedSet<int> hashes)
    {
        if (word.Length == 0)
        {
            return;
        }

        var text = word.ToString();
        if (!Ignored.Contains(text))
        {
            hashes.Add(string.GetHashCode(text, StringComparison.Ordinal));
        }
    }

    private sealed record Story(int[] Words, DateTime At);
}
