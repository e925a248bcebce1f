using System.Buffers;
using System.Text;
using System.Text.Json;

namespace SentryBrain.Events;

/// <summary>
/// Whole-line checks of the full parsing path (UTF-8, JSON syntax, duplicate keys) and error texts in the user's
/// terms: a column in the line and what is wrong there, never the reader's internals.
/// </summary>
internal static class LineChecks
{
    public const int MaxDepth = 16;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    /// <summary>0-based index of the first byte that does not start a valid UTF-8 sequence; −1 when all are valid.</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (Rune.DecodeFromUtf8(line[i..], out _, out var consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return -1;
    }

    /// <summary>
    /// The line is one JSON value with no key repeated within an object, at any depth (System.Text.Json compares the
    /// names unescaped, so "a" and "\u0061" are the same key). Used where the hand-written fast path is not.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> line, out string? error)
    {
        // JsonDocument reads from memory, not from a span: borrow a buffer for the line (returned at once).
        var buffer = ArrayPool<byte>.Shared.Rent(line.Length);
        try
        {
            line.CopyTo(buffer);
            using var document = JsonDocument.Parse(buffer.AsMemory(0, line.Length), DocumentOptions);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            // Only the duplicate-key error comes without a position: find the key (rare, so the search may allocate).
            error = ex.BytePositionInLine is null ? DescribeDuplicate(line) ?? "invalid JSON: " + Plain(ex.Message) : Describe(ex);
            return false;
        }
        catch (InvalidOperationException)
        {
            // The duplicate check unescapes every key, and a key with an unpaired surrogate ("\ud800") has no text.
            error = "invalid JSON: a key escapes an unpaired UTF-16 surrogate";
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A reader or serializer error as the user needs it: the column, or the field, and what is wrong.</summary>
    public static string Describe(JsonException ex, bool inPayload = false)
    {
        var what = Plain(ex.Message);
        if (ex.Path is { Length: > 1 } path && ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return $"field '{FieldPath(path)}' has the wrong type";
        }

        if (ex.BytePositionInLine is long position && !inPayload)
        {
            return $"invalid JSON at column {position + 1}: {what}";
        }

        return (inPayload ? "invalid payload: " : "invalid JSON: ") + what;
    }

    /// <summary>The reader's sentence without its "LineNumber: … | BytePositionInLine: …" and "Path: …" tail, and in plainer words where it is obscure.</summary>
    private static string Plain(string message)
    {
        var end = message.Length;
        foreach (var tail in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
        {
            var at = message.IndexOf(tail, StringComparison.Ordinal);
            if (at >= 0 && at < end)
            {
                end = at;
            }
        }

        var text = message[..end].TrimEnd(' ', '|', '.');
        if (text.StartsWith("Expected depth to be zero", StringComparison.Ordinal))
        {
            return "the line ends before every object and array is closed";
        }

        if (text.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return "no JSON value";
        }

        if (text.StartsWith("The maximum configured depth", StringComparison.Ordinal))
        {
            return $"nested deeper than {MaxDepth} levels";
        }

        return text.Length <= 160 ? text : text[..160] + "…";
    }

    /// <summary>"$.positions[0].qty" → "positions[0].qty".</summary>
    private static string FieldPath(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>The first key repeated within one object, with its 1-based column; null when there is none.</summary>
    private static string? DescribeDuplicate(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = MaxDepth });
        var scopes = new Stack<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        scopes.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        scopes.Push(null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        scopes.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        if (!scopes.Peek()!.Add(name))
                        {
                            return $"duplicate key '{(name.Length <= 40 ? name : name[..40] + "…")}' at column {reader.TokenStartIndex + 1}";
                        }

                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // not reached for a line the document accepted but for its keys (nor one with a key of no text, "\ud800")
        }

        return null;
    }
}
