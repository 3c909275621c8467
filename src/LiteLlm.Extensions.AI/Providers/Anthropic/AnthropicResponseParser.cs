using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>Reads a non-streamed Anthropic Messages response, and the pieces the stream parser shares.</summary>
internal static class AnthropicResponseParser
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key for tokens written to the prompt cache.</summary>
    public const string CacheCreationInputTokens = UsageCounts.CacheCreationInputTokens;

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key for the part of the cache writes kept for one hour.</summary>
    public const string CacheCreation1HourInputTokens = UsageCounts.CacheCreation1HourInputTokens;

    public static ChatResponse Parse(JsonElement root, string? jsonToolName)
    {
        // An answer in another shape (an anthropic/ deployment pointed at an OpenAI-compatible server, a proxy's page) is
        // the provider's fault, not an empty answer.
        if (root.ValueKind != JsonValueKind.Object || !(root.TryGetProperty("content", out var answer) && answer.ValueKind == JsonValueKind.Array))
        {
            throw new JsonException("The answer is not an Anthropic Messages object (no 'content' array).");
        }

        var id = String(root, "id");
        var contents = new List<AIContent>();
        var answeredJson = false;
        if (root.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                if (jsonToolName is not null && String(block, "type") == "tool_use" && String(block, "name") == jsonToolName)
                {
                    // JSON mode through a forced tool: its input is the answer.
                    contents.Add(new TextContent(block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}") { RawRepresentation = block.Clone() });
                    answeredJson = true;
                }
                else if (Block(block) is { } content)
                {
                    contents.Add(content);
                }
            }
        }

        var finish = FinishReason(String(root, "stop_reason"));
        if (answeredJson && finish == ChatFinishReason.ToolCalls)
        {
            finish = ChatFinishReason.Stop;
        }

        var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = id };
        return new ChatResponse(message)
        {
            ResponseId = id,
            ModelId = String(root, "model"),
            FinishReason = finish,
            Usage = root.TryGetProperty("usage", out var usage) ? Usage(usage, null) : null,
            // The provider's own answer, for a host answering in Anthropic's format; in JSON mode the answer was rewritten.
            RawRepresentation = jsonToolName is null ? new WireJson(WireFormat.AnthropicMessages, root.Clone()) : root.Clone(),
        };
    }

    /// <summary>One content block of a response, or null for block types we do not surface.</summary>
    public static AIContent? Block(JsonElement block)
    {
        var raw = block.Clone();
        switch (String(block, "type"))
        {
            case "text":
                return new TextContent(String(block, "text") ?? string.Empty) { RawRepresentation = raw };
            case "tool_use":
                var input = block.TryGetProperty("input", out var i) ? i : default;
                return new FunctionCallContent(String(block, "id") ?? string.Empty, String(block, "name") ?? string.Empty, Arguments(input))
                {
                    RawRepresentation = raw,
                };
            case "thinking":
                return new TextReasoningContent(String(block, "thinking") ?? string.Empty)
                {
                    ProtectedData = NullIfEmpty(String(block, "signature")),
                    RawRepresentation = raw,
                };
            case "redacted_thinking":
                return new TextReasoningContent(string.Empty)
                {
                    ProtectedData = String(block, "data"),
                    RawRepresentation = raw,
                    AdditionalProperties = new() { [AnthropicRequestBuilder.RedactedKey] = true },
                };
            default:
                return null; // server tool blocks and future types
        }
    }

    /// <summary>A tool_use input object as MEAI arguments (values are <see cref="JsonElement"/>s).</summary>
    public static Dictionary<string, object?> Arguments(JsonElement input)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (input.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in input.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        return arguments;
    }

    public static ChatFinishReason? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        var other => new ChatFinishReason(other), // pause_turn and future reasons, as they are
    };

    /// <summary>
    /// Usage with OpenAI's semantics: input counts include cached input (read and written).
    /// <paramref name="previous"/> supplies counts a streamed message_delta leaves out.
    /// </summary>
    public static UsageDetails Usage(JsonElement usage, UsageDetails? previous)
    {
        var fresh = Long(usage, "input_tokens");
        var cacheRead = Long(usage, "cache_read_input_tokens");
        var cacheWrite = Long(usage, "cache_creation_input_tokens");
        long? input = fresh is null && cacheRead is null && cacheWrite is null
            ? previous?.InputTokenCount
            : (fresh ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
        var output = Long(usage, "output_tokens") ?? previous?.OutputTokenCount;
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input is null && output is null ? null : (input ?? 0) + (output ?? 0),
            CachedInputTokenCount = cacheRead ?? previous?.CachedInputTokenCount,
        };

        var creation = cacheWrite ?? Previous(previous, CacheCreationInputTokens);
        if (creation is { } created)
        {
            details.AdditionalCounts = new AdditionalPropertiesDictionary<long> { [CacheCreationInputTokens] = created };
        }

        // cache_creation splits the writes by lifetime; the 1-hour ones have their own price.
        var oneHour = usage.TryGetProperty("cache_creation", out var split) ? Long(split, "ephemeral_1h_input_tokens") : null;
        if ((oneHour ?? Previous(previous, CacheCreation1HourInputTokens)) is { } hour and > 0)
        {
            (details.AdditionalCounts ??= [])[CacheCreation1HourInputTokens] = hour;
        }

        if (usage.TryGetProperty("output_tokens_details", out var outputDetails) && Long(outputDetails, "thinking_tokens") is { } thinking)
        {
            details.ReasoningTokenCount = thinking;
        }
        else
        {
            details.ReasoningTokenCount = previous?.ReasoningTokenCount;
        }

        return details;
    }

    private static long? Previous(UsageDetails? previous, string key)
        => previous?.AdditionalCounts?.TryGetValue(key, out var value) == true ? value : null;

    public static string? String(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static long? Long(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out var n)
            ? n
            : null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
