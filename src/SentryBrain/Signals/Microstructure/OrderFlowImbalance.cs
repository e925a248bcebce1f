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
/// O(1) per update and allocation-free after construction: a ring buffer of signed sizes (+buy, −sell) with running
/// sums. A side's sum is reset to exactly 0 whenever it has no trade left in the window, so rounding can never leave
/// a phantom volume behind.
/// </para>
/// </summary>
public sealed class OrderFlowImbalance
{
    /// <summary>Default window (<c>OFI_WINDOW_TRADES</c>).</summary>
    public const int DefaultWindowTrades = 100;

    private readonly double[] _signedSizes;
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
        _signedSizes = new double[windowTrades];
    }

    /// <summary>Window length N.</summary>
    public int WindowTrades => _signedSizes.Length;

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
        if (!(size > 0) || !double.IsFinite(size) || !double.IsFinite(price))
        {
            return;
        }

        var bid = _bid;
        var ask = _ask;
        if (!(bid > 0) || !(ask > bid) || !double.IsFinite(ask))
        {
            return;
        }

        double signed;
        if (price >= ask)
        {
            signed = size;
        }
        else if (price <= bid)
        {
            signed = -size;
        }
        else
        {
            var mid = (bid + ask) / 2;
            if (price == mid)
            {
                return;
            }

            signed = price > mid ? size : -size;
        }

        if (_count == _signedSizes.Length)
        {
            Remove(_signedSizes[_next]);
        }
        else
        {
            _count++;
        }

        _signedSizes[_next] = signed;
        _next = _next + 1 == _signedSizes.Length ? 0 : _next + 1;
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
