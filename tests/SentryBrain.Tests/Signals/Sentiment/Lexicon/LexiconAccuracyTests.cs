using SentryBrain.Signals.Sentiment;
using SentryBrain.Signals.Sentiment.Evaluation;
using SentryBrain.Signals.Sentiment.Lexicon;
using SentryBrain.Tests.TestKit;
using Xunit.Abstractions;

namespace SentryBrain.Tests.Signals.Sentiment.Lexicon;

/// <summary>The acceptance bar of issue 14 on the Financial PhraseBank (read from ../shared/data, never committed).</summary>
public sealed class LexiconAccuracyTests(ITestOutputHelper output)
{
    [PhraseBankFact]
    public void LexiconReachesSixtyFivePercentOnTheWholePhraseBank()
    {
        var all = LabelledSentences.Read(SharedData.PhraseBank!);
        var whole = SentimentEvaluator.Run(LexiconSentimentModel.Default, all, 64, TimeProvider.System);
        var heldOut = SentimentEvaluator.Run(LexiconSentimentModel.Default, LabelledSentences.Split(all).HeldOut, 64, TimeProvider.System);
        var vader = SentimentEvaluator.Run(VaderSentimentModel.Default, all, 64, TimeProvider.System);
        output.WriteLine($"lexicon: whole {whole.Accuracy:0.0000} (macro-F1 {whole.MacroF1:0.0000}), held-out {heldOut.Accuracy:0.0000}; vader whole {vader.Accuracy:0.0000}");

        Assert.Equal(4846, whole.N);
        Assert.True(whole.Accuracy >= 0.65, $"lexicon accuracy {whole.Accuracy:0.0000} on the whole PhraseBank is below 0.65");
        Assert.True(whole.Accuracy > vader.Accuracy, $"lexicon {whole.Accuracy:0.0000} does not beat VADER {vader.Accuracy:0.0000}");
    }
}
