using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SentryBrain.Storage;

namespace SentryBrain.Learning;

/// <summary>
/// The experience buffer file (JSONL, one <see cref="ExperienceRecord"/> per line). An append opens the file, writes
/// one line and closes it, so every line reaches the operating system before <see cref="Append"/> returns (it survives
/// a crash of the process) and a file trimmed or removed by someone else is picked up at the next append. The line
/// count is learned with one pass over the file at the first append. When it passes <see cref="MaxLines"/> by a slack
/// of a tenth (so a full buffer is not rewritten on every append), the buffer is trimmed to its last
/// <see cref="MaxLines"/> lines (<see cref="Trim"/>); <see cref="Dispose"/> trims to exactly <see cref="MaxLines"/>.
/// A last line without a newline (a crash in the middle of an append) is ended before the next line is written.
/// Not thread-safe: one writer (the event loop) per buffer.
/// </summary>
public sealed class ExperienceBuffer : IDisposable
{
    private byte[] _scratch = new byte[1024];
    private bool _counted;
    private bool _endsOpen;
    private long _trimAbove;

    /// <param name="maxLines">Lines kept by a trim; 0 = never trim.</param>
    public ExperienceBuffer(string path, int maxLines)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLines);
        Path = path;
        MaxLines = maxLines;
    }

    public string Path { get; }

    public int MaxLines { get; }

    /// <summary>Lines in the file, as far as this buffer knows (counted at the first append, then kept up to date).</summary>
    public long Lines { get; private set; }

    /// <summary>Trims done by this buffer.</summary>
    public int Trims { get; private set; }

    /// <summary>Appends after which the buffer is trimmed back to <see cref="MaxLines"/>.</summary>
    public int Slack => Math.Max(1, MaxLines / 10);

    public void Append(ExperienceRecord record) => AppendLine(ExperienceJson.ToLine(record));

    /// <summary>Writes <paramref name="json"/> (one line, no newline in it) and a newline; trims when the buffer is over.</summary>
    public void AppendLine(string json)
    {
        if (json.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("an experience line may not contain a newline", nameof(json));
        }

        if (!_counted)
        {
            Lines = CountLines(Path, out _endsOpen);
            _counted = true;
            _trimAbove = (long)MaxLines + Slack;
        }

        var length = Encoding.UTF8.GetMaxByteCount(json.Length) + 2;
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        var used = 0;
        if (_endsOpen)
        {
            _scratch[used++] = (byte)'\n';
        }

        used += Encoding.UTF8.GetBytes(json, _scratch.AsSpan(used));
        _scratch[used++] = (byte)'\n';
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using (var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None))
        {
            // One write call: the line reaches the OS whole or (a crash inside the call) as a final part-line, which
            // the next append ends.
            stream.Write(_scratch, 0, used);
        }

        _endsOpen = false;
        Lines++;
        if (MaxLines > 0 && Lines > _trimAbove)
        {
            try
            {
                TrimNow();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Tried again after another slack of appends, not on every append.
                _trimAbove = Lines + Slack;
                throw new IOException($"the line was written, but the trim failed: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Trims the file to its last <see cref="MaxLines"/> lines when it holds more (a clean shutdown leaves exactly that many).</summary>
    public void Dispose()
    {
        if (_counted && MaxLines > 0 && Lines > MaxLines)
        {
            TrimNow();
        }
    }

    private void TrimNow()
    {
        var result = Trim(Path, MaxLines);
        Lines = result.After;
        _endsOpen = false;
        _trimAbove = (long)MaxLines + Slack;
        Trims++;
    }

    /// <summary>What a trim did.</summary>
    /// <param name="Before">Lines read (blank lines not counted).</param>
    /// <param name="After">Lines in the file now.</param>
    /// <param name="StaleTempFiles">Temporary files of killed trims removed.</param>
    public readonly record struct TrimResult(long Before, long After, int StaleTempFiles)
    {
        public bool Rewrote => After < Before;
    }

    /// <summary>
    /// Keeps the last <paramref name="keep"/> lines of the file at <paramref name="path"/>: reads it once, from the
    /// start, keeping the last lines in a ring, and replaces the file as <see cref="AtomicFile"/> does (a temporary file
    /// of its naming beside the buffer, flushed to disk, renamed over it), so a kill at any moment leaves the old file or
    /// the new one. The
    /// temporary file exists from the start of the read, and a temporary file left by a killed trim (its process
    /// gone) is removed first. Blank lines are dropped; other lines are kept as they are (a trim does not judge them).
    /// Nothing is written when the file has no more than <paramref name="keep"/> lines or does not exist.
    /// </summary>
    public static TrimResult Trim(string path, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var stale = RemoveStaleTempFiles(path);
        if (!File.Exists(path))
        {
            return new TrimResult(0, 0, stale);
        }

        var total = 0L;
        var kept = 0L;
        var rewrote = false;
        var full = System.IO.Path.GetFullPath(path);
        var temp = AtomicFile.TempPathFor(full);
        try
        {
            // The trim's own temporary file exists while the buffer is read (AtomicFile writes into it), so the whole
            // trim is one window in which a kill leaves the old buffer and a stale temporary file, nothing else.
            // The last lines, each in a slot that is reused when the line after it fits (few allocations on a long file).
            var ring = new byte[Math.Max(1, keep)][];
            var lengths = new int[ring.Length];
            using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16))
            {
                ForEachLine(input, line =>
                {
                    if (keep > 0)
                    {
                        var slot = (int)(total % keep);
                        if (ring[slot] is not { } bytes || bytes.Length < line.Length)
                        {
                            ring[slot] = bytes = new byte[line.Length + 128];
                        }

                        line.CopyTo(bytes);
                        lengths[slot] = line.Length;
                    }

                    total++;
                });
            }

            if (total <= keep)
            {
                return new TrimResult(total, total, stale);
            }

            for (var i = total - keep; i < total; i++)
            {
                var slot = (int)(i % keep);
                output.Write(ring[slot], 0, lengths[slot]);
                output.WriteByte((byte)'\n');
            }

            output.Flush(flushToDisk: true);
            output.Dispose();
            File.Move(temp, full, overwrite: true);
            kept = keep;
            rewrote = true;
        }
        finally
        {
            if (!rewrote && File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return new TrimResult(total, kept, stale);
    }

    /// <summary>Lines of the file (a last line without a newline counts), 0 when it does not exist; one streaming pass.</summary>
    public static long CountLines(string path, out bool endsOpen)
    {
        endsOpen = false;
        if (!File.Exists(path))
        {
            return 0;
        }

        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long lines = 0;
            var last = (byte)'\n';
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
            }

            endsOpen = last != (byte)'\n';
            return lines + (endsOpen ? 1 : 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Calls <paramref name="line"/> for every non-blank line of <paramref name="input"/> (without its newline or a trailing CR).</summary>
    public static void ForEachLine(Stream input, SpanAction line)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start == 0)
                    {
                        // A line longer than the buffer: grow it.
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    else
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                }

                var read = input.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    Emit(buffer.AsSpan(start, end - start), line);
                    return;
                }

                var scanFrom = end;
                end += read;
                int newline;
                while ((newline = buffer.AsSpan(scanFrom, end - scanFrom).IndexOf((byte)'\n')) >= 0)
                {
                    var at = scanFrom + newline;
                    Emit(buffer.AsSpan(start, at - start), line);
                    start = at + 1;
                    scanFrom = start;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A line of the file, without its newline.</summary>
    public delegate void SpanAction(ReadOnlySpan<byte> line);

    private static void Emit(ReadOnlySpan<byte> text, SpanAction line)
    {
        if (text.Length > 0 && text[^1] == (byte)'\r')
        {
            text = text[..^1];
        }

        if (!text.IsEmpty && !text.IsWhiteSpaceUtf8())
        {
            line(text);
        }
    }

    /// <summary>Temporary files of earlier trims of <paramref name="path"/> whose process is gone (a trim killed half-way).</summary>
    private static int RemoveStaleTempFiles(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var prefix = "." + System.IO.Path.GetFileName(full) + ".";
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            // AtomicFile's temporary name: .NAME.PID.GUID.tmp
            var rest = System.IO.Path.GetFileName(file)[prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(rest.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || IsRunning(pid))
            {
                continue;
            }

            try
            {
                File.Delete(file);
                removed++;
            }
            catch (IOException)
            {
                // gone already, or in use: the next trim tries again
            }
        }

        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true; // this process's own trim (another buffer object on the same file)
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

internal static class Utf8Whitespace
{
    public static bool IsWhiteSpaceUtf8(this ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }
}
