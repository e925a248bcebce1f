using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace SentryBrain.Engine;

/// <summary>
/// A read-only stream over <paramref name="inner"/> whose <see cref="Read(byte[], int, int)"/> can be cancelled even
/// while the source has nothing to give (an idle pipe): a background thread does the blocking reads into a few
/// pooled chunks and the caller waits on those, with the token. A cancelled read throws
/// <see cref="OperationCanceledException"/>, never a short read, so a half-read line is never mistaken for the last line.
/// One hand-off and one copy per chunk (not per line) keep the throughput of a direct read.
/// </summary>
public sealed class CancellableInputStream : Stream
{
    private const int ChunkBytes = 1024 * 1024; // a file gives a whole chunk per read: few hand-offs; a pipe gives what it holds
    private const int Chunks = 4;

    private readonly Stream _inner;
    private readonly CancellationToken _cancel;
    private readonly CancellationTokenSource _stop = new();
    private readonly BlockingCollection<byte[]> _free = new();
    private readonly BlockingCollection<Chunk> _full = new();
    private Chunk? _current;
    private int _position;
    private bool _eof;

    public CancellableInputStream(Stream inner, CancellationToken cancel)
    {
        _inner = inner;
        _cancel = cancel;
        for (var i = 0; i < Chunks; i++)
        {
            _free.Add(new byte[ChunkBytes], CancellationToken.None);
        }

        // A background thread: when the run ends while it is blocked in a read of an idle pipe, it must not keep the process alive.
        new Thread(Pump) { IsBackground = true, Name = "stdin reader" }.Start();
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        _cancel.ThrowIfCancellationRequested();
        if (_eof || buffer.Length == 0)
        {
            return 0;
        }

        if (_current is not { } chunk)
        {
            if (!_full.TryTake(out chunk))
            {
                chunk = _full.Take(_cancel);
            }

            if (chunk.Error is { } error)
            {
                _eof = true;
                error.Throw();
            }

            if (chunk.Count == 0)
            {
                _eof = true;
                return 0;
            }

            _current = chunk;
            _position = 0;
        }

        var n = Math.Min(buffer.Length, chunk.Count - _position);
        chunk.Buffer.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        if (_position == chunk.Count)
        {
            _current = null;
            _free.Add(chunk.Buffer);
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Ends the reader thread if it waits for a free chunk; one blocked in a read ends with the process.
            _stop.Cancel();
        }

        base.Dispose(disposing);
    }

    private void Pump()
    {
        while (true)
        {
            byte[] buffer;
            try
            {
                buffer = _free.Take(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            int read;
            try
            {
                read = _inner.Read(buffer, 0, buffer.Length);
            }
            catch (Exception ex)
            {
                _full.Add(new Chunk(buffer, 0, ExceptionDispatchInfo.Capture(ex)));
                return;
            }

            _full.Add(new Chunk(buffer, read, null));
            if (read == 0)
            {
                return;
            }
        }
    }

    private sealed record Chunk(byte[] Buffer, int Count, ExceptionDispatchInfo? Error);
}
