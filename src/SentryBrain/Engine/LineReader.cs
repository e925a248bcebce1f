namespace SentryBrain.Engine;

public enum LineResult
{
    Line = 0,
    TooLong = 1,
    End = 2,
}

/// <summary>
/// Splits a byte stream into '\n'-terminated lines without allocating per line. A line longer than
/// <see cref="MaxLineBytes"/> is reported as <see cref="LineResult.TooLong"/> and skipped without being buffered.
/// </summary>
public sealed class LineReader(Stream input, int maxLineBytes = LineReader.DefaultMaxLineBytes)
{
    public const int DefaultMaxLineBytes = 1 << 20;

    private readonly byte[] _buffer = new byte[Math.Max(maxLineBytes + 1, 64 * 1024) + (64 * 1024)];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;

    public int MaxLineBytes { get; } = maxLineBytes;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Called before each read from the stream (which may block): a good moment to flush output.</summary>
    public Action? BeforeRead { get; set; }

    public LineResult Next(out ReadOnlySpan<byte> line)
    {
        var discarding = false;
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start += newline + 1;
                LineNumber++;
                if (discarding || newline > MaxLineBytes)
                {
                    line = default;
                    return LineResult.TooLong;
                }

                line = Trim(pending[..newline]);
                return LineResult.Line;
            }

            if (_eof)
            {
                _start = _end;
                if (pending.Length == 0 && !discarding)
                {
                    line = default;
                    return LineResult.End;
                }

                LineNumber++;
                if (discarding || pending.Length > MaxLineBytes)
                {
                    line = default;
                    return LineResult.TooLong;
                }

                line = Trim(pending);
                return LineResult.Line;
            }

            if (pending.Length > MaxLineBytes)
            {
                discarding = true;
                _start = _end = 0;
            }
            else if (_start > 0)
            {
                pending.CopyTo(_buffer);
                _start = 0;
                _end = pending.Length;
            }

            BeforeRead?.Invoke();
            var read = input.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }

    private ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line)
    {
        if (_first)
        {
            _first = false;
            if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                line = line[3..];
            }
        }

        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
    }
}
