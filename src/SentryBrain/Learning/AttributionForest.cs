using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace SentryBrain.Learning;

/// <summary>How much the held-out accuracy drops when one feature's values are shuffled (mean over the repeats).</summary>
public sealed record FeatureImportance(string Feature, double AccuracyDrop);

/// <summary>
/// The forest's verdict: held-out accuracy (against always guessing the training majority) and the permutation
/// importance of every feature; <see cref="Note"/> says why there is no forest when <see cref="Trained"/> is false.
/// </summary>
public sealed record ForestResult(bool Trained, string? Note, int TrainRows, int TestRows, double? Accuracy, double? BaselineAccuracy, IReadOnlyList<FeatureImportance> Importances)
{
    public static ForestResult NotTrained(string note, int trainRows, int testRows) => new(false, note, trainRows, testRows, null, null, []);
}

/// <summary>
/// A random forest (ML.NET FastForest, <see cref="Trees"/> trees, <c>MLContext(seed: 42)</c>, one thread so a run is
/// reproducible) trained on the earlier rows of a <see cref="FeatureMatrix"/> (imputed values), scored on the later
/// ones, with permutation feature importances computed here over the held-out rows (a fixed-seed shuffle of one
/// column at a time, <see cref="Repeats"/> times). With one class in the training rows, or no held-out rows, there
/// is nothing to learn and it says so.
/// </summary>
public static class AttributionForest
{
    public const int Seed = 42;
    public const int Trees = 100;
    public const int Leaves = 32;
    public const int MinRowsPerLeaf = 10;
    public const int Repeats = 3;

    /// <param name="trainRows">The first rows train, the rest are held out.</param>
    public static ForestResult Train(FeatureMatrix matrix, int trainRows)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var testRows = matrix.Rows - trainRows;
        if (matrix.Columns == 0)
        {
            return ForestResult.NotTrained("no feature is known on any exit", trainRows, testRows);
        }

        if (trainRows < 2 || testRows < 1)
        {
            return ForestResult.NotTrained("too few rows to train and hold out", trainRows, testRows);
        }

        var trainSuccesses = matrix.Labels.Take(trainRows).Count(l => l);
        if (trainSuccesses == 0 || trainSuccesses == trainRows)
        {
            return ForestResult.NotTrained($"the training rows have one class only (all {(trainSuccesses == 0 ? "failures" : "successes")}): nothing to tell apart", trainRows, testRows);
        }

        var ml = new MLContext(seed: Seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, matrix.Columns);
        var columns = matrix.Imputed.Select(c => (float[])c.Clone()).ToArray();
        var train = ml.Data.LoadFromEnumerable(Rows(columns, matrix.Labels, 0, trainRows), schema);
        var trainer = ml.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
        {
            NumberOfTrees = Trees,
            NumberOfLeaves = Leaves,
            MinimumExampleCountPerLeaf = MinRowsPerLeaf,
            NumberOfThreads = 1,
            Seed = Seed,
            FeatureColumnName = nameof(Row.Features),
            LabelColumnName = nameof(Row.Label),
        });
        var model = trainer.Fit(train);

        bool[] MlNetPredictions()
        {
            var scored = model.Transform(ml.Data.LoadFromEnumerable(Rows(columns, matrix.Labels, trainRows, matrix.Rows), schema));
            return scored.GetColumn<bool>("PredictedLabel").ToArray();
        }

        // The permutations score the held-out rows ~40 times: walking the trees here is far cheaper than an ML.NET
        // transform each time. It is used only if it predicts exactly what ML.NET predicts on the held-out rows.
        var reference = MlNetPredictions();
        var trees = model.Model.TrainedTreeEnsemble.Trees.Select(Tree.From).ToArray();
        var own = Enumerable.Range(trainRows, testRows).Select(row => Predict(trees, columns, row)).ToArray();
        var fast = own.AsSpan().SequenceEqual(reference);

        double Accuracy()
        {
            var right = 0;
            var predicted = fast ? null : MlNetPredictions();
            for (var i = 0; i < testRows; i++)
            {
                var p = predicted?[i] ?? Predict(trees, columns, trainRows + i);
                right += p == matrix.Labels[trainRows + i] ? 1 : 0;
            }

            return (double)right / testRows;
        }

        var accuracy = Accuracy();
        var majority = trainSuccesses * 2 >= trainRows;
        var baseline = (double)matrix.Labels.Skip(trainRows).Count(l => l == majority) / testRows;
        var random = new Random(Seed);
        var importances = new List<FeatureImportance>(matrix.Columns);
        for (var c = 0; c < matrix.Columns; c++)
        {
            var original = columns[c];
            var drop = 0.0;
            for (var r = 0; r < Repeats; r++)
            {
                var shuffled = (float[])original.Clone();
                random.Shuffle(shuffled.AsSpan(trainRows));
                columns[c] = shuffled;
                drop += accuracy - Accuracy();
            }

            columns[c] = original;
            importances.Add(new FeatureImportance(matrix.Names[c], drop / Repeats));
        }

        return new ForestResult(true, null, trainRows, testRows, accuracy, baseline, [.. importances.OrderByDescending(i => i.AccuracyDrop).ThenBy(i => i.Feature, StringComparer.Ordinal)]);
    }

    /// <summary>The forest's label for one row: the trees' summed output above zero (a tree goes left when value ≤ threshold).</summary>
    private static bool Predict(Tree[] trees, float[][] columns, int row)
    {
        var sum = 0.0;
        foreach (var tree in trees)
        {
            var node = tree.Leaves > 1 ? 0 : -1;
            while (node >= 0)
            {
                var value = columns[tree.Features[node]][row];
                node = value <= tree.Thresholds[node] ? tree.Left[node] : tree.Right[node];
            }

            sum += tree.Values[~node];
        }

        return sum > 0;
    }

    private static IEnumerable<Row> Rows(float[][] columns, bool[] labels, int from, int to)
    {
        for (var row = from; row < to; row++)
        {
            var features = new float[columns.Length];
            for (var c = 0; c < columns.Length; c++)
            {
                features[c] = columns[c][row];
            }

            yield return new Row { Label = labels[row], Features = features };
        }
    }

    /// <summary>One tree copied out of ML.NET once (its properties build a new list on every access).</summary>
    private sealed record Tree(int Leaves, int[] Features, float[] Thresholds, int[] Left, int[] Right, double[] Values)
    {
        public static Tree From(RegressionTreeBase t) => new(
            t.NumberOfLeaves, [.. t.NumericalSplitFeatureIndexes], [.. t.NumericalSplitThresholds], [.. t.LeftChild], [.. t.RightChild], [.. t.LeafValues]);
    }

    private sealed class Row
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
