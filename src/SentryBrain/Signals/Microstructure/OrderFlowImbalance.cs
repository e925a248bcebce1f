namespace SentryBrain.Signals.Microstructure;

/// <summary>
/// Streaming order-flow imbalance of one symbol (BEHAVIOR §3.6): OFI = (B − S)/(B + S) over the last N classified
/// trades (<c>OFI_WINDOW_TRADES</c>, default 100), clamped to ±1; null while the window holds no volume.
/// <para>
/// A trade is classified against the latest quote, which must have a positive bid and ask with ask &gt; bid (no
/// quote yet, or a locked/crossed quote ⇒ the trade is not classified and the value stays as it was). price ≥ ask ⇒
/// buy volume; price ≤ bid ⇒ sell volume; inside the spread: above the mid ⇒ buy, below ⇒ sell, exactly at the mid ⇒
/// ignored (not added to the window). Trades with a non-positive or non-finite size or a non-finite price are ignored.
/// </para>
/// <para>
/// O(1) per update and allocation-free after the first classified trade: a ring buffer of signed sizes (+buy, −sell,
/// allocated at that trade, so a symbol that never trades costs no window) with running sums. A side's sum is reset
/// to exactly 0 whenever it has no trade left in the window, so rounding can never leave
/// a phantom volume behind.
/// </para>
/// </summary>
/// <summary>One tape event for <see cref="OrderFlowImbalance.Series"/>: a quote (bid/ask) or a trade (price/size).</summary>
public readonly record struct TapeEvent(bool IsQuote, double BidOrPrice, double AskOrSize)
{
    public static TapeEvent Quote(double bid, double ask) => new(true, bid, ask);

    public static TapeEvent Trade(double price, double size) => new(false, price, size);
}

public sealed class OrderFlowImbalance
{
    /// <summary>Default window (<c>OFI_WINDOW_TRADES</c>).</summary>
    public const int DefaultWindowTrades = 100;

    private readonly int _window;
    private double[]? _signedSizes;
    private int _next;
    private int _count;
    private int _buyTrades;
    private int _sellTrades;
    private double _buyVolume;
    private double _sellVolume;
    private double _bid = double.NaN;
    private double _ask = double.NaN;

    public OrderFlowImbalance(int windowTrades = DefaultWindowTrades)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowTrades, 1);
        _window = windowTrades;
    }

    /// <summary>Window length N.</summary>
    public int WindowTrades => _window;

    /// <summary>Classified trades currently in the window (≤ N).</summary>
    public int Count => _count;

    /// <summary>Buy volume B in the window.</summary>
    public double BuyVolume => _buyVolume;

    /// <summary>Sell volume S in the window.</summary>
    public double SellVolume => _sellVolume;

    /// <summary>(B − S)/(B + S) clamped to ±1; null while the window is empty.</summary>
    public double? Value
    {
        get
        {
            var total = _buyVolume + _sellVolume;
            if (_count == 0 || !(total > 0))
            {
                return null;
            }

            return Math.Clamp((_buyVolume - _sellVolume) / total, -1.0, 1.0);
        }
    }

    /// <summary>Records the latest quote (kept even when locked or crossed: it then blocks classification).</summary>
    public void OnQuote(double bid, double ask)
    {
        _bid = bid;
        _ask = ask;
    }

    /// <summary>Classifies a trade against the latest quote and adds it to the window (see the type remarks).</summary>
    public void OnTrade(double price, double size)
    {
        if (Classify(price, size, _bid, _ask) is not { } signed)
        {
            return;
        }

        _signedSizes ??= new double[_window];
        if (_count == _window)
        {
            Remove(_signedSizes[_next]);
        }
        else
        {
            _count++;
        }

        _signedSizes[_next] = signed;
        _next = _next + 1 == _window ? 0 : _next + 1;
        if (signed > 0)
        {
            _buyVolume += signed;
            _buyTrades++;
        }
        else
        {
            _sellVolume -= signed;
            _sellTrades++;
        }
    }

    /// <summary>
    /// Series form: the OFI after each tape event, computed from the definition (classify every trade against the
    /// latest quote, keep the last <paramref name="windowTrades"/> classified trades, sum each side) rather than by
    /// running sums, so that tests can prove the streaming form equal to it. O(n·N); for tests and tools.
    /// </summary>
    public static double?[] Series(ReadOnlySpan<TapeEvent> tape, int windowTrades = DefaultWindowTrades)
    {
        var result = new double?[tape.Length];
        var signed = new List<double>();
        double bid = double.NaN, ask = double.NaN;
        for (var i = 0; i < tape.Length; i++)
        {
            var e = tape[i];
            if (e.IsQuote)
            {
                (bid, ask) = (e.BidOrPrice, e.AskOrSize);
            }
            else if (Classify(e.BidOrPrice, e.AskOrSize, bid, ask) is { } side)
            {
                signed.Add(side);
            }

            double buy = 0, sell = 0;
            for (var k = Math.Max(0, signed.Count - windowTrades); k < signed.Count; k++)
            {
                if (signed[k] > 0)
                {
                    buy += signed[k];
                }
                else
                {
                    sell -= signed[k];
                }
            }

            result[i] = signed.Count == 0 || !(buy + sell > 0) ? null : Math.Clamp((buy - sell) / (buy + sell), -1.0, 1.0);
        }

        return result;
    }

    /// <summary>The signed size of a trade (+buy, −sell), or null when it cannot be classified.</summary>
    private static double? Classify(double price, double size, double bid, double ask)
    {
        if (!(size > 0) || !double.IsFinite(size) || !double.IsFinite(price) || !(bid > 0) || !(ask > bid) || !double.IsFinite(ask))
        {
            return null;
        }

        if (price >= ask)
        {
            return size;
        }

        if (price <= bid)
        {
            return -size;
        }

        var mid = (bid + ask) / 2;
        return price == mid ? null : price > mid ? size : -size;
    }

    /// <summary>Forgets the quote and empties the window.</summary>
    public void Reset()
    {
        _next = 0;
        _count = 0;
        _buyTrades = 0;
        _sellTrades = 0;
        _buyVolume = 0;
        _sellVolume = 0;
        _bid = double.NaN;
        _ask = double.NaN;
    }

    private void Remove(double signed)
    {
        if (signed > 0)
        {
            _buyTrades--;
            _buyVolume = _buyTrades == 0 ? 0 : _buyVolume - signed;
        }
        else
        {
            _sellTrades--;
            _sellVolume = _sellTrades == 0 ? 0 : _sellVolume + signed;
        }
    }
}
