using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace SentryBrain.Replay;

/// <summary>Pooled UTF-8 output buffer with allocation-free number formatting.</summary>
internal sealed class Utf8Sink : IDisposable
{
    private const int Capacity = 1 << 16;
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _pos;

    public Utf8Sink(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
    }

    public void Put(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _pos)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                _stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    public void PutLong(long value)
    {
        Reserve(24);
        if (!Utf8Formatter.TryFormat(value, _buffer.AsSpan(_pos), out var written))
        {
            throw new InvalidOperationException("Number did not fit.");
        }

        _pos += written;
    }

    /// <summary>Exactly <paramref name="digits"/> digits, zero-padded (value must be non-negative).</summary>
    public void PutDigits(long value, int digits)
    {
        Reserve(24);
        if (!Utf8Formatter.TryFormat(value, _buffer.AsSpan(_pos), out var written, new StandardFormat('D', (byte)digits)))
        {
            throw new InvalidOperationException("Number did not fit.");
        }

        _pos += written;
    }

    /// <summary>value·10^-scale in the shortest form, as Go prints floats: 401, 172.4, 0.2741, -0.0013 (never -0).</summary>
    public void PutFixed(long value, int scale)
    {
        var pow = Pow10(scale);
        if (value < 0)
        {
            Put("-"u8);
            value = -value;
        }

        PutLong(value / pow);
        var fraction = value % pow;
        if (fraction == 0)
        {
            return;
        }

        var digits = scale;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        Put("."u8);
        PutDigits(fraction, digits);
    }

    /// <summary>value·10^-scale with exactly <paramref name="scale"/> decimals, as Alpaca's strings: "1820.00", "-0.27".</summary>
    public void PutFixedPadded(long value, int scale)
    {
        var pow = Pow10(scale);
        if (value < 0)
        {
            Put("-"u8);
            value = -value;
        }

        PutLong(value / pow);
        Put("."u8);
        PutDigits(value % pow, scale);
    }

    public void PutHex(ulong value, int digits)
    {
        Reserve(16);
        if (!Utf8Formatter.TryFormat(value, _buffer.AsSpan(_pos), out var written, new StandardFormat('x', (byte)digits)))
        {
            throw new InvalidOperationException("Number did not fit.");
        }

        _pos += written;
    }

    public void Flush()
    {
        if (_pos > 0)
        {
            _stream.Write(_buffer, 0, _pos);
            _pos = 0;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _pos = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Reserve(int bytes)
    {
        if (_buffer.Length - _pos < bytes)
        {
            Flush();
        }
    }

    private static long Pow10(int scale)
    {
        var pow = 1L;
        for (var i = 0; i < scale; i++)
        {
            pow *= 10;
        }

        return pow;
    }
}
