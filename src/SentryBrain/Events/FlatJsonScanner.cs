namespace SentryBrain.Events;

internal enum FlatValueKind : byte
{
    String = 0,
    Number = 1,
    True = 2,
    False = 3,
    Null = 4,
    Object = 5,
}

/// <summary>
/// A minimal scanner for the flat JSON objects of the hot path (trade and quote envelopes). It walks
/// key/value pairs of one object whose values are scalars or (one level down) flat objects, with no escapes.
/// Anything else — escapes, arrays, deeper nesting, malformed input — makes it fail, and the caller falls back
/// to the full <see cref="System.Text.Json.Utf8JsonReader"/> path, which is authoritative for error messages.
/// </summary>
internal ref struct FlatJsonScanner
{
    private readonly ReadOnlySpan<byte> _s;
    private int _i;
    private bool _first;

    public FlatJsonScanner(ReadOnlySpan<byte> s)
    {
        _s = s;
        _i = 0;
        _first = true;
        KeyStart = 0;
    }

    /// <summary>Consumes leading white space and the opening brace.</summary>
    public bool Begin()
    {
        SkipWhiteSpace();
        if (_i >= _s.Length || _s[_i] != '{')
        {
            return false;
        }

        _i++;
        return true;
    }

    /// <summary>After the closing brace: true when only white space remains.</summary>
    public bool AtEnd()
    {
        SkipWhiteSpace();
        return _i == _s.Length;
    }

    /// <summary>Position after the object's closing brace (valid once <see cref="Next"/> returned 0).</summary>
    public readonly int Position => _i;

    /// <summary>Where the key of the pair <see cref="Next"/> last read starts (after its opening quote).</summary>
    public int KeyStart { get; private set; }

    /// <summary>1: a pair was read; 0: the object closed; −1: not something this scanner handles.</summary>
    public int Next(out ReadOnlySpan<byte> key, out FlatValueKind kind, out ReadOnlySpan<byte> value, bool allowObject)
    {
        key = default;
        value = default;
        kind = default;
        SkipWhiteSpace();
        if (_i >= _s.Length)
        {
            return -1;
        }

        if (_s[_i] == '}')
        {
            _i++;
            return 0;
        }

        if (!_first)
        {
            if (_s[_i] != ',')
            {
                return -1;
            }

            _i++;
            SkipWhiteSpace();
        }

        _first = false;
        KeyStart = _i + 1;
        if (!ReadString(out key))
        {
            return -1;
        }

        SkipWhiteSpace();
        if (_i >= _s.Length || _s[_i] != ':')
        {
            return -1;
        }

        _i++;
        SkipWhiteSpace();
        if (_i >= _s.Length)
        {
            return -1;
        }

        var c = _s[_i];
        switch (c)
        {
            case (byte)'"':
                kind = FlatValueKind.String;
                return ReadString(out value) ? 1 : -1;
            case (byte)'{':
                if (!allowObject)
                {
                    return -1;
                }

                // The caller reads the nested object with its own scanner, then calls Skip with its length.
                kind = FlatValueKind.Object;
                value = _s[_i..];
                return 1;
            case (byte)'t':
                kind = FlatValueKind.True;
                return Literal("true"u8) ? 1 : -1;
            case (byte)'f':
                kind = FlatValueKind.False;
                return Literal("false"u8) ? 1 : -1;
            case (byte)'n':
                kind = FlatValueKind.Null;
                return Literal("null"u8) ? 1 : -1;
            default:
                if (c != '-' && (uint)(c - '0') > 9)
                {
                    return -1;
                }

                var start = _i;
                while (_i < _s.Length && IsNumberChar(_s[_i]))
                {
                    _i++;
                }

                kind = FlatValueKind.Number;
                value = _s[start.._i];
                return IsJsonNumber(value) ? 1 : -1;
        }
    }

    /// <summary>Moves past a nested object the caller has read (see <see cref="FlatValueKind.Object"/>).</summary>
    public void Skip(int length) => _i += length;

    /// <summary>Reads a nested flat object to its end without interpreting it; false when it is not flat.</summary>
    public static bool TrySkipObject(ReadOnlySpan<byte> s, out int length)
    {
        var nested = new FlatJsonScanner(s);
        length = 0;
        if (!nested.Begin())
        {
            return false;
        }

        int r;
        while ((r = nested.Next(out _, out _, out _, allowObject: false)) == 1)
        {
        }

        length = nested.Position;
        return r == 0;
    }

    /// <summary>JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</summary>
    public static bool IsJsonNumber(ReadOnlySpan<byte> s)
    {
        var i = 0;
        if (i < s.Length && s[i] == '-')
        {
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        if (s[i] == '0')
        {
            i++;
        }
        else if (!Digits(s, ref i))
        {
            return false;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            if (!Digits(s, ref i))
            {
                return false;
            }
        }

        if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if (!Digits(s, ref i))
            {
                return false;
            }
        }

        return i == s.Length;
    }

    private static bool Digits(ReadOnlySpan<byte> s, ref int i)
    {
        var start = i;
        while (i < s.Length && (uint)(s[i] - '0') <= 9)
        {
            i++;
        }

        return i > start;
    }

    private static bool IsNumberChar(byte b) => (uint)(b - '0') <= 9 || b is (byte)'.' or (byte)'-' or (byte)'+' or (byte)'e' or (byte)'E';

    private bool Literal(ReadOnlySpan<byte> literal)
    {
        if (!_s[_i..].StartsWith(literal))
        {
            return false;
        }

        _i += literal.Length;
        return true;
    }

    private bool ReadString(out ReadOnlySpan<byte> text)
    {
        text = default;
        if (_i >= _s.Length || _s[_i] != '"')
        {
            return false;
        }

        // Scalar loop: keys and values here are a few bytes long, where vector searches cost more than they save.
        var start = _i + 1;
        for (var j = start; j < _s.Length; j++)
        {
            var b = _s[j];
            if (b == '"')
            {
                text = _s[start..j];
                _i = j + 1;
                return true;
            }

            if (b == '\\' || b < 0x20)
            {
                return false;
            }
        }

        return false;
    }

    private void SkipWhiteSpace()
    {
        while (_i < _s.Length && _s[_i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            _i++;
        }
    }
}
