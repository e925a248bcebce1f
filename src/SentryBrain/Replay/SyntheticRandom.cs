using System.Numerics;

namespace SentryBrain.Replay;

/// <summary>xoshiro256** seeded through SplitMix64: tiny, fast, and identical on every platform.</summary>
internal struct SyntheticRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SyntheticRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    public ulong Next()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [min, maxInclusive].</summary>
    public int NextInt(int min, int maxInclusive) => (int)NextLong(min, maxInclusive);

    /// <summary>Uniform integer in [min, maxInclusive] (multiply-shift; bias below 2⁻³² for small ranges).</summary>
    public long NextLong(long min, long maxInclusive)
    {
        var range = (ulong)(maxInclusive - min) + 1;
        return min + (long)Math.BigMul(Next(), range, out _);
    }

    /// <summary>Approximately standard normal (Irwin–Hall, 12 uniforms): only additions, so bit-identical everywhere.</summary>
    public double NextGaussian()
    {
        var sum = 0.0;
        for (var i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }

        return sum - 6.0;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
