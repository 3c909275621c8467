namespace LiteLlm.Providers;

/// <summary>
/// The <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> keys provider clients write and cost reads
/// (public as <see cref="Cost.CostCalculator.CacheCreationInputTokens"/> and
/// <see cref="Cost.CostCalculator.CacheCreation1HourInputTokens"/>); defined here, below both.
/// </summary>
internal static class UsageCounts
{
    /// <summary>Tokens written to the prompt cache.</summary>
    public const string CacheCreationInputTokens = "CacheCreationInputTokens";

    /// <summary>The part of <see cref="CacheCreationInputTokens"/> written for one hour.</summary>
    public const string CacheCreation1HourInputTokens = "CacheCreation1HourInputTokens";
}
