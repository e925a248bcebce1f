namespace SentryBrain.Screening;

/// <summary>
/// Daily bars of many symbols in columns (the backtester's columnar layout, flattened): symbol s owns rows
/// [<see cref="Offsets"/>[s], <see cref="Offsets"/>[s + 1]) of <see cref="Dates"/>, <see cref="Close"/> and
/// <see cref="Volume"/>, oldest first. Immutable once built; scoring reads spans of it and allocates nothing per bar.
/// </summary>
public sealed class ScreenColumns
{
    private ScreenColumns(string[] symbols, int[] offsets, DateOnly[] dates, double[] close, double[] volume)
    {
        Symbols = symbols;
        Offsets = offsets;
        Dates = dates;
        Close = close;
        Volume = volume;
    }

    public string[] Symbols { get; }

    public int[] Offsets { get; }

    public DateOnly[] Dates { get; }

    public double[] Close { get; }

    public double[] Volume { get; }

    public int Count => Symbols.Length;

    public ReadOnlySpan<double> ClosesOf(int s) => Close.AsSpan(Offsets[s], Offsets[s + 1] - Offsets[s]);

    public ReadOnlySpan<double> VolumesOf(int s) => Volume.AsSpan(Offsets[s], Offsets[s + 1] - Offsets[s]);

    /// <summary>The date of symbol <paramref name="s"/>'s last bar; null when it has none.</summary>
    public DateOnly? LastDateOf(int s) => Offsets[s + 1] > Offsets[s] ? Dates[Offsets[s + 1] - 1] : null;

    /// <summary>Collects bars symbol by symbol; only bars dated strictly before the as-of date are kept (no look-ahead).</summary>
    public sealed class Builder(DateOnly before, int capacity = 1024)
    {
        private readonly List<string> _symbols = [];
        private readonly List<int> _offsets = [0];
        private readonly List<DateOnly> _dates = new(capacity);
        private readonly List<double> _close = new(capacity);
        private readonly List<double> _volume = new(capacity);
        private DateOnly _lastDate;

        /// <summary>Starts the next symbol; its bars follow through <see cref="Add"/>.</summary>
        public Builder Symbol(string symbol)
        {
            if (_symbols.Count > 0)
            {
                _offsets.Add(_close.Count);
            }

            _symbols.Add(symbol);
            _lastDate = DateOnly.MinValue;
            return this;
        }

        /// <summary>A bar of the current symbol, oldest first; bars on or after the as-of date, and out-of-order or repeated dates, are dropped.</summary>
        public Builder Add(DateOnly date, double close, double volume)
        {
            if (_symbols.Count == 0)
            {
                throw new InvalidOperationException("Symbol() first");
            }

            if (date >= before || date <= _lastDate)
            {
                return this;
            }

            _lastDate = date;
            _dates.Add(date);
            _close.Add(close);
            _volume.Add(volume);
            return this;
        }

        public ScreenColumns Build()
        {
            var offsets = new List<int>(_offsets);
            if (_symbols.Count > 0)
            {
                offsets.Add(_close.Count);
            }

            return new ScreenColumns([.. _symbols], [.. offsets], [.. _dates], [.. _close], [.. _volume]);
        }
    }
}
