namespace SentryBrain.Engine.News;

/// <summary>What happened to the news of a run (logged with the summary; tests read it).</summary>
/// <param name="Received">News events handed to the intake.</param>
/// <param name="Duplicates">Items that were no new story for any of their symbols (same id, or the same story from another source).</param>
/// <param name="FutureDated">Items held until event time reached their <c>created_at</c>.</param>
/// <param name="FutureDropped">Future-dated items dropped because the holding queue was full.</param>
/// <param name="NeverVisible">Future-dated items still held at the end (event time never reached them).</param>
/// <param name="ModelScored">Items that counted with the model's own score.</param>
/// <param name="Overflow">Items that kept their VADER score because the scoring backlog was full.</param>
/// <param name="Timeouts">Items that kept their VADER score because a wait for the model timed out.</param>
/// <param name="Failed">Items that kept their VADER score because the model failed on them.</param>
/// <param name="Abandoned">Items still being scored when the run stopped without waiting (live): never counted.</param>
public readonly record struct NewsCounts(
    long Received,
    long Duplicates,
    long FutureDated,
    long FutureDropped,
    long NeverVisible,
    long ModelScored,
    long Overflow,
    long Timeouts,
    long Failed,
    long Abandoned);
