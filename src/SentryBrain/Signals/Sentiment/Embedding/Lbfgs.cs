namespace SentryBrain.Signals.Sentiment.Embedding;

/// <summary>
/// Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives such as the
/// L2-regularised softmax loss. Single-threaded and allocation-stable, so a run is bit-for-bit repeatable.
/// </summary>
internal static class Lbfgs
{
    /// <summary>An objective: returns f(x) and writes ∇f(x) into the second argument.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>Minimises <paramref name="f"/> from <paramref name="x"/> (updated in place); returns the iterations run.</summary>
    public static int Minimize(Objective f, double[] x, int maxIterations, int memory = 10, double gradientTolerance = 1e-5, double relativeTolerance = 1e-10)
    {
        var n = x.Length;
        var g = new double[n];
        var fx = f(x, g);
        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        var alpha = new double[memory];
        var stored = 0;
        var newest = -1;
        var next = new double[n];
        var nextGradient = new double[n];
        var direction = new double[n];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            // Two-loop recursion: direction = −H·g with H the inverse Hessian estimate of the last pairs.
            g.CopyTo(direction, 0);
            for (var k = 0; k < stored; k++)
            {
                var j = Index(newest - k, memory);
                alpha[j] = rho[j] * Dot(s[j], direction);
                Axpy(-alpha[j], y[j], direction);
            }

            if (stored > 0)
            {
                var gamma = Dot(s[newest], y[newest]) / Dot(y[newest], y[newest]);
                Scale(gamma, direction);
            }

            for (var k = stored - 1; k >= 0; k--)
            {
                var j = Index(newest - k, memory);
                var beta = rho[j] * Dot(y[j], direction);
                Axpy(alpha[j] - beta, s[j], direction);
            }

            Scale(-1, direction);
            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature lost): restart from steepest descent.
                for (var i = 0; i < n; i++)
                {
                    direction[i] = -g[i];
                }

                slope = Dot(g, direction);
                stored = 0;
            }

            var step = stored == 0 ? 1.0 / Math.Sqrt(Math.Max(Dot(g, g), 1e-300)) : 1.0;
            var fNext = fx;
            for (var search = 0; search < 40; search++)
            {
                for (var i = 0; i < n; i++)
                {
                    next[i] = x[i] + (step * direction[i]);
                }

                fNext = f(next, nextGradient);
                if (fNext <= fx + (1e-4 * step * slope))
                {
                    break;
                }

                step *= 0.5;
            }

            newest = Index(newest + 1, memory);
            s[newest] ??= new double[n];
            y[newest] ??= new double[n];
            for (var i = 0; i < n; i++)
            {
                s[newest][i] = next[i] - x[i];
                y[newest][i] = nextGradient[i] - g[i];
            }

            var sy = Dot(s[newest], y[newest]);
            var decrease = fx - fNext;
            next.CopyTo(x, 0);
            nextGradient.CopyTo(g, 0);
            fx = fNext;
            if (sy > 1e-12)
            {
                rho[newest] = 1 / sy;
                stored = Math.Min(stored + 1, memory);
            }
            else
            {
                // Drop a pair without positive curvature; when the ring was full its slot held the oldest pair.
                newest = Index(newest - 1, memory);
                stored = Math.Min(stored, memory - 1);
            }

            if (Math.Sqrt(Dot(g, g)) < gradientTolerance || decrease < relativeTolerance * Math.Max(1, Math.Abs(fx)))
            {
                return iteration + 1;
            }
        }

        return maxIterations;
    }

    private static int Index(int i, int memory) => ((i % memory) + memory) % memory;

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double a, Span<double> x)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }
}
