using LiteLlm.Cost;
using LiteLlm.Models;

namespace LiteLlm.Tests.Cost;

/// <summary>A priced test model and an inner client that answers after a short delay at a fixed cost.</summary>
internal static class BudgetTestKit
{
    public const string Model = "budget-test-model";

    /// <summary>What every call costs (set on the response, as CostTrackingChatClient would).</summary>
    public const decimal CallCost = 0.0001m;

    /// <summary>The estimate of a "hi" request with MaxOutputTokens = 100: (8 prompt + 100 output) × 0.000001.</summary>
    public const decimal Estimate = 0.000108m;

    public static ModelCatalog Catalog()
    {
        var catalog = new ModelCatalog();
        catalog.Register(new ModelInfo { Name = Model, Provider = "test", InputCostPerToken = 0.000001m, OutputCostPerToken = 0.000001m, MaxOutputTokens = 1000 });
        return catalog;
    }

    public static ChatOptions Options(string? user = null, string? team = null, string? key = null)
    {
        var metadata = new Dictionary<string, object?>();
        if (user is not null)
        {
            metadata["user_id"] = user;
        }

        if (team is not null)
        {
            metadata["team_id"] = team;
        }

        if (key is not null)
        {
            metadata["key_id"] = key;
        }

        return new ChatOptions { ModelId = Model, MaxOutputTokens = 100, AdditionalProperties = new() { ["metadata"] = metadata } };
    }

    public static TestChatClient FixedCostClient(TimeSpan delay, Func<int>? onCall = null) => new()
    {
        GetResponseAsyncCallback = async (_, _, ct) =>
        {
            onCall?.Invoke();
            await Task.Delay(delay, ct);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { AdditionalProperties = new() { [ResponseProperties.Cost] = CallCost } };
        },
        GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(
            new ChatResponseUpdate(ChatRole.Assistant, "o"),
            new ChatResponseUpdate(null, "k"),
            new ChatResponseUpdate { AdditionalProperties = new() { [ResponseProperties.Cost] = CallCost } }),
    };

    public static async Task<(int Succeeded, int Refused)> RunConcurrently(IChatClient client, int requests)
    {
        var succeeded = 0;
        var refused = 0;
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, requests).Select(async _ =>
        {
            await start.WaitAsync();
            try
            {
                await client.GetResponseAsync("hi", Options(user: "u"));
                Interlocked.Increment(ref succeeded);
            }
            catch (LiteLlm.Cost.BudgetExceededException)
            {
                Interlocked.Increment(ref refused);
            }
        }).ToArray();
        start.Release(requests);
        await Task.WhenAll(tasks);
        return (succeeded, refused);
    }

    public static Budget Global(decimal limit, string? duration = null) => new("global", BudgetScope.Global, limit, duration);
}
