namespace SentryBrain.Signals.Sentiment.Onnx;

/// <summary>How <see cref="BertOnnxRunner.Pooled"/> turns a text's token embeddings into one vector. Padding never counts.</summary>
public enum TokenPooling
{
    /// <summary>The mean over the text's tokens ([CLS] and [SEP] included): <c>HiddenSize</c> wide.</summary>
    Mean,

    /// <summary>The mean, L2-normalised, as sentence-transformers return it: <c>HiddenSize</c> wide.</summary>
    NormalizedMean,

    /// <summary>The mean, the per-dimension max, then the [CLS] vector: <c>3 × HiddenSize</c> wide.</summary>
    MeanMaxCls,
}
