using System.Runtime.CompilerServices;
using LiteLlm.Models;
using Microsoft.Extensions.AI;

namespace LiteLlm.Cost;

/// <summary>
/// Prices every call: sets <see cref="ResponseProperties.Cost"/> (a <see cref="decimal"/> in USD) on each
/// <see cref="ChatResponse"/>, and on the final update of each stream. When the cost cannot be known (no usage,
/// or a model without a price) the property is not set.
/// </summary>
/// <remarks>
/// Streams: usage is summed over every <see cref="UsageContent"/> (as <c>ToChatResponse()</c> does). The update that
/// carries usage is held back until the next update arrives or the stream ends, so the cost rides on the last update
/// without delaying any text; if usage arrived earlier than the end, a final update carrying only the cost is added.
/// </remarks>
public sealed class CostTrackingChatClient : DelegatingChatClient
{
    private readonly CostCalculator _calculator;

    /// <summary>Initializes the middleware over <paramref name="innerClient"/>, pricing with <paramref name="catalog"/> (default: <see cref="ModelCatalog.Default"/>).</summary>
    public CostTrackingChatClient(IChatClient innerClient, ModelCatalog? catalog = null)
        : base(innerClient)
        => _calculator = catalog is null ? CostCalculator.Default : new CostCalculator(catalog);

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        SetCost(response.AdditionalProperties ??= [], _calculator.GetCost(response, options?.ModelId));
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        UsageDetails? usage = null;
        string? provider = null;
        string? modelId = null;
        string? responseId = null;
        ChatResponseUpdate? held = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (held is not null)
            {
                yield return held;
                held = null;
            }

            modelId = update.ModelId ?? modelId;
            responseId = update.ResponseId ?? responseId;
            if (update.AdditionalProperties?.TryGetValue(ResponseProperties.Provider, out var p) == true && p is string name)
            {
                provider = name;
            }

            var hasUsage = false;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent u)
                {
                    (usage ??= new UsageDetails()).Add(u.Details);
                    hasUsage = true;
                }
            }

            if (hasUsage)
            {
                held = update;
            }
            else
            {
                yield return update;
            }
        }

        var cost = _calculator.GetCost(usage, provider, modelId, options?.ModelId);
        if (held is not null)
        {
            SetCost(held.AdditionalProperties ??= [], cost);
            yield return held;
        }
        else if (cost is not null)
        {
            var final = new ChatResponseUpdate { ResponseId = responseId, ModelId = modelId, AdditionalProperties = [] };
            SetCost(final.AdditionalProperties, cost);
            yield return final;
        }
    }

    private static void SetCost(AdditionalPropertiesDictionary properties, decimal? cost)
    {
        if (cost is { } known)
        {
            properties[ResponseProperties.Cost] = known;
        }
        else
        {
            properties.Remove(ResponseProperties.Cost);
        }
    }
}
