using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Bedrock;

/// <summary>
/// Anthropic's prompt caching and thinking on Converse. A content whose <see cref="AIContent.RawRepresentation"/> is the
/// Anthropic block it came from (as a host reading Anthropic Messages sets it) and that block has <c>cache_control</c> is
/// followed by a Converse <c>cachePoint</c>; so is a tool marked in the caller's Anthropic body. Thinking goes in
/// <c>additionalModelRequestFields.thinking</c> for Anthropic models: the caller's own Anthropic <c>thinking</c> as it is,
/// or a reasoning effort at LiteLLM's budgets.
/// </summary>
internal static partial class BedrockConverse
{
    private static JsonObject CachePoint() => new() { ["cachePoint"] = new JsonObject { ["type"] = "default" } };

    private static bool HasCacheControl(AIContent content)
        => content.RawRepresentation is JsonElement { ValueKind: JsonValueKind.Object } block
        && block.TryGetProperty("cache_control", out var cacheControl) && cacheControl.ValueKind == JsonValueKind.Object;

    private static void AddCachePoint(JsonArray blocks, AIContent content)
    {
        if (HasCacheControl(content))
        {
            blocks.AddNode(CachePoint());
        }
    }

    private static bool IsRedacted(TextReasoningContent reasoning)
        => reasoning.AdditionalProperties?.TryGetValue(Anthropic.AnthropicRequestBuilder.RedactedKey, out var redacted) == true && redacted is true;

    private static bool IsAnthropic(string model)
        => model.Contains("anthropic.", StringComparison.OrdinalIgnoreCase) || model.Contains("claude", StringComparison.OrdinalIgnoreCase);

    private static WireJson? AnthropicBody(ChatOptions? options)
        => options?.RawRepresentationFactory is { } factory && WireJson.As(factory(null!), WireFormat.AnthropicMessages) is { Json.ValueKind: JsonValueKind.Object } wire ? wire : null;

    /// <summary>The names of the tools the caller's Anthropic body marks with <c>cache_control</c>.</summary>
    private static HashSet<string>? CachedTools(ChatOptions? options)
    {
        if (AnthropicBody(options) is not { } wire || !wire.Json.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        HashSet<string>? cached = null;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("cache_control", out _) && StringOf(tool, "name") is { } name)
            {
                (cached ??= new(StringComparer.Ordinal)).Add(name);
            }
        }

        return cached;
    }

    /// <summary>The <c>thinking</c> config for an Anthropic model, and its budget (to keep maxTokens above it).</summary>
    private static (JsonNode Config, int? Budget)? Thinking(ChatOptions? options, string model)
    {
        if (!IsAnthropic(model))
        {
            return null;
        }

        if (AnthropicBody(options) is { } wire && wire.Json.TryGetProperty("thinking", out var own) && own.ValueKind == JsonValueKind.Object)
        {
            var budget = own.TryGetProperty("budget_tokens", out var b) && b.TryGetInt32(out var n) ? n : (int?)null;
            return (JsonNode.Parse(own.GetRawText())!, budget);
        }

        if (Anthropic.AnthropicRequestBuilder.ThinkingBudget(options?.Reasoning) is { } effortBudget)
        {
            return (new JsonObject { ["type"] = "enabled", ["budget_tokens"] = effortBudget }, effortBudget);
        }

        return null;
    }
}
