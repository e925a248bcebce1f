using System.Buffers;

namespace SentryBrain.Replay;

/// <summary>
/// Deterministically replaces a fraction of NDJSON lines with the kinds of garbage a consumer must survive: bad JSON,
/// wrong value types, negative/zero/"NaN" prices, a missing symbol, a truncated line, an absurd size and random
/// printable bytes. Line terminators and the line count are preserved.
/// </summary>
public static class GarbageInjector
{
    private const ulong SeedSalt = 0x6A09E667F3BCC909UL;

    private enum Kind
    {
        BadJson,
        WrongType,
        NegativePrice,
        ZeroPrice,
        NaNPrice,
        MissingSymbol,
        Truncated,
        AbsurdSize,
        RandomBytes,
    }

    /// <summary>
    /// Copies <paramref name="input"/> to <paramref name="output"/>, replacing each line with probability
    /// <paramref name="fraction"/> (a deterministic function of <paramref name="seed"/> and the input).
    /// </summary>
    /// <returns>The 1-based numbers of the replaced lines, ascending.</returns>
    public static IReadOnlyList<int> Corrupt(Stream input, Stream output, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Must be within [0, 1].");
        }

        using var state = new Corrupter(fraction, seed ^ SeedSalt, output);
        var chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int read;
            while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
            {
                var rest = chunk.AsSpan(0, read);
                while (true)
                {
                    var newline = rest.IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        state.Append(rest);
                        break;
                    }

                    state.Append(rest[..newline]);
                    state.EndLine(terminated: true);
                    rest = rest[(newline + 1)..];
                }
            }

            state.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        output.Flush();
        return state.Replaced;
    }

    private sealed class Corrupter : IDisposable
    {
        private static readonly byte[][] PriceKeys =
        [
            "\"price\":"u8.ToArray(), "\"bid\":"u8.ToArray(), "\"ask\":"u8.ToArray(),
            "\"mid\":"u8.ToArray(), "\"current_price\":"u8.ToArray(),
        ];

        private static readonly byte[][] SizeKeys =
        [
            "\"size\":"u8.ToArray(), "\"bid_size\":"u8.ToArray(), "\"ask_size\":"u8.ToArray(),
            "\"volume_1m\":"u8.ToArray(), "\"volume_5m\":"u8.ToArray(),
        ];

        private readonly double _fraction;
        private readonly Utf8Sink _out;
        private readonly List<int> _replaced = [];
        private readonly List<Kind> _kinds = [];
        private SyntheticRandom _rng;
        private byte[] _line = new byte[4096];
        private int _length;
        private byte[] _scratch = new byte[4096];
        private int _scratchLength;
        private int _lineNumber;

        public Corrupter(double fraction, ulong seed, Stream output)
        {
            _fraction = fraction;
            _rng = new SyntheticRandom(seed);
            _out = new Utf8Sink(output);
        }

        public IReadOnlyList<int> Replaced => _replaced;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _line.Length)
            {
                Array.Resize(ref _line, Math.Max(_line.Length * 2, _length + bytes.Length));
            }

            bytes.CopyTo(_line.AsSpan(_length));
            _length += bytes.Length;
        }

        public void EndLine(bool terminated)
        {
            _lineNumber++;
            var line = _line.AsSpan(0, _length);
            if (_rng.NextDouble() < _fraction)
            {
                Replace(line);
                _out.Put(_scratch.AsSpan(0, _scratchLength));
                _replaced.Add(_lineNumber);
            }
            else
            {
                _out.Put(line);
            }

            if (terminated)
            {
                _out.Put("\n"u8);
            }

            _length = 0;
        }

        public void Finish()
        {
            if (_length > 0)
            {
                EndLine(terminated: false);
            }

            _out.Flush();
        }

        public void Dispose() => _out.Dispose();

        private void Replace(ReadOnlySpan<byte> line)
        {
            var price = FindValue(line, PriceKeys);
            var size = FindValue(line, SizeKeys);
            var symbol = FindSymbolPair(line);

            _kinds.Clear();
            _kinds.Add(Kind.BadJson);
            _kinds.Add(Kind.RandomBytes);
            if (price.Length > 0)
            {
                _kinds.Add(Kind.WrongType);
                _kinds.Add(Kind.NegativePrice);
                _kinds.Add(Kind.ZeroPrice);
                _kinds.Add(Kind.NaNPrice);
            }

            if (symbol.Length > 0)
            {
                _kinds.Add(Kind.MissingSymbol);
            }

            if (line.Length >= 2)
            {
                _kinds.Add(Kind.Truncated);
            }

            if (size.Length > 0)
            {
                _kinds.Add(Kind.AbsurdSize);
            }

            _scratchLength = 0;
            switch (_kinds[_rng.NextInt(0, _kinds.Count - 1)])
            {
                case Kind.BadJson:
                    Emit("{not json"u8);
                    break;
                case Kind.WrongType:
                    Splice(line, price, _rng.NextDouble() < 0.5 ? "{\"value\":1}"u8 : "true"u8);
                    break;
                case Kind.NegativePrice:
                    var value = line.Slice(price.Start, price.Length);
                    if (value[0] is >= (byte)'0' and <= (byte)'9')
                    {
                        Emit(line[..price.Start]);
                        Emit("-"u8);
                        Emit(line[price.Start..]);
                    }
                    else
                    {
                        Splice(line, price, "-1.5"u8);
                    }

                    break;
                case Kind.ZeroPrice:
                    Splice(line, price, "0"u8);
                    break;
                case Kind.NaNPrice:
                    Splice(line, price, "\"NaN\""u8);
                    break;
                case Kind.MissingSymbol:
                    Emit(line[..symbol.Start]);
                    Emit(line[(symbol.Start + symbol.Length)..]);
                    break;
                case Kind.Truncated:
                    Emit(line[.._rng.NextInt(1, line.Length - 1)]);
                    break;
                case Kind.AbsurdSize:
                    Splice(line, size, "1000000000000000"u8);
                    break;
                default:
                    EmitRandomBytes();
                    break;
            }

            if (_scratch.AsSpan(0, _scratchLength).SequenceEqual(line))
            {
                _scratchLength = 0;
                Emit(line.SequenceEqual("{not json"u8) ? "{not json either"u8 : "{not json"u8);
            }
        }

        private void EmitRandomBytes()
        {
            var count = _rng.NextInt(1, 120);
            for (var i = 0; i < count; i++)
            {
                if (_scratchLength == _scratch.Length)
                {
                    Array.Resize(ref _scratch, _scratch.Length * 2);
                }

                _scratch[_scratchLength++] = (byte)_rng.NextInt(0x20, 0x7E);
            }
        }

        private void Splice(ReadOnlySpan<byte> line, Slot value, ReadOnlySpan<byte> replacement)
        {
            Emit(line[..value.Start]);
            Emit(replacement);
            Emit(line[(value.Start + value.Length)..]);
        }

        private void Emit(ReadOnlySpan<byte> bytes)
        {
            if (_scratchLength + bytes.Length > _scratch.Length)
            {
                Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchLength + bytes.Length));
            }

            bytes.CopyTo(_scratch.AsSpan(_scratchLength));
            _scratchLength += bytes.Length;
        }

        /// <summary>The scalar value after the first of <paramref name="keys"/> found (strings include their quotes).</summary>
        private static Slot FindValue(ReadOnlySpan<byte> line, byte[][] keys)
        {
            foreach (var key in keys)
            {
                var at = line.IndexOf(key);
                if (at < 0)
                {
                    continue;
                }

                var start = at + key.Length;
                var end = ScalarEnd(line, start);
                if (end > start)
                {
                    return new Slot(start, end - start);
                }
            }

            return default;
        }

        /// <summary><c>"symbol":"X"</c> with the comma that separates it from a neighbour, so the JSON stays valid.</summary>
        private static Slot FindSymbolPair(ReadOnlySpan<byte> line)
        {
            var at = line.IndexOf("\"symbol\":\""u8);
            if (at < 0)
            {
                return default;
            }

            var end = ScalarEnd(line, at + 9);
            if (end <= at + 9)
            {
                return default;
            }

            if (end < line.Length && line[end] == (byte)',')
            {
                return new Slot(at, end + 1 - at);
            }

            return at > 0 && line[at - 1] == (byte)',' ? new Slot(at - 1, end - at + 1) : new Slot(at, end - at);
        }

        private static int ScalarEnd(ReadOnlySpan<byte> line, int start)
        {
            if (start >= line.Length)
            {
                return start;
            }

            if (line[start] == (byte)'"')
            {
                for (var i = start + 1; i < line.Length; i++)
                {
                    if (line[i] == (byte)'\\')
                    {
                        i++;
                    }
                    else if (line[i] == (byte)'"')
                    {
                        return i + 1;
                    }
                }

                return start;
            }

            if (line[start] is (byte)'{' or (byte)'[')
            {
                return start;
            }

            var end = start;
            while (end < line.Length && line[end] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' '))
            {
                end++;
            }

            return end;
        }

        private readonly record struct Slot(int Start, int Length);
    }
}
