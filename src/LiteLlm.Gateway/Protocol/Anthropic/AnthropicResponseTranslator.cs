using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Anthropic;

/// <summary>
/// MEAI → Anthropic Messages answers. An answer that came from an Anthropic deployment (its <see cref="WireJson"/>) is
/// written as the provider sent it; any other is translated, thinking included.
/// </summary>
internal static class AnthropicResponseTranslator
{
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo ArgumentsInfo
        = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));

    /// <summary>The provider's own answer, when the deployment spoke Anthropic Messages.</summary>
    public static WireJson? Upstream(object? raw) => WireJson.As(raw, WireFormat.AnthropicMessages) is { Json.ValueKind: JsonValueKind.Object } w ? w : null;

    public static byte[] Serialize(ChatResponse response, string callId, string model)
        => Upstream(response.RawRepresentation) is { } upstream
            ? JsonSerializer.SerializeToUtf8Bytes(upstream.Json, GatewayJson.Context.JsonElement)
            : JsonSerializer.SerializeToUtf8Bytes(ToResponse(response, callId, model), GatewayJson.Context.AnthropicResponse);

    public static async Task WriteAsync(InferenceCall call, byte[] body, CancellationToken cancellationToken)
    {
        call.ApplyHeaders();
        var response = call.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    public static AnthropicResponse ToResponse(ChatResponse response, string callId, string model)
    {
        var blocks = new List<AnthropicBlockDto>();
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case TextContent t when blocks.Count > 0 && blocks[^1].Type == "text":
                    blocks[^1].Text += t.Text;
                    break;
                case TextContent t:
                    blocks.Add(new AnthropicBlockDto { Type = "text", Text = t.Text });
                    break;
                case TextReasoningContent r when IsRedacted(r):
                    blocks.Add(new AnthropicBlockDto { Type = "redacted_thinking", Data = r.ProtectedData });
                    break;
                case TextReasoningContent r when blocks.Count > 0 && blocks[^1] is { Type: "thinking", Signature: null } open:
                    open.Thinking += r.Text;
                    open.Signature = r.ProtectedData;
                    break;
                case TextReasoningContent r:
                    blocks.Add(new AnthropicBlockDto { Type = "thinking", Thinking = r.Text, Signature = r.ProtectedData });
                    break;
                case FunctionCallContent fc:
                    blocks.Add(new AnthropicBlockDto { Type = "tool_use", Id = fc.CallId, Name = fc.Name, Input = JsonDocument.Parse(Arguments(fc)).RootElement });
                    break;
            }
        }

        foreach (var block in blocks)
        {
            if (block.Type == "thinking")
            {
                block.Signature ??= string.Empty; // the field is required in Anthropic's shape; a signature-less thinking has ""
            }
        }

        return new AnthropicResponse
        {
            Id = MessageId(response.ResponseId, callId),
            Model = response.ModelId ?? model,
            Content = blocks,
            StopReason = StopReason(response.FinishReason, blocks.Exists(b => b.Type == "tool_use")),
            Usage = Usage(response.Usage),
        };
    }

    public static string MessageId(string? upstream, string callId)
        => upstream is not null && upstream.StartsWith("msg_", StringComparison.Ordinal) ? upstream
            : "msg_" + callId.Replace("chatcmpl-", string.Empty, StringComparison.Ordinal);

    public static string Arguments(FunctionCallContent call)
        => call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, ArgumentsInfo);

    public static bool IsRedacted(TextReasoningContent reasoning)
        => reasoning.AdditionalProperties?.TryGetValue(AnthropicBlockTranslator.RedactedKey, out var redacted) == true && redacted is true;

    public static string StopReason(ChatFinishReason? reason, bool toolUse) => reason?.Value switch
    {
        "length" => "max_tokens",
        "tool_calls" => "tool_use",
        "content_filter" => "refusal",
        null when toolUse => "tool_use",
        _ => "end_turn",
    };

    /// <summary>Usage in Anthropic's terms: input excludes the cached input read and written, which have their own counts.</summary>
    public static AnthropicUsageDto Usage(UsageDetails? usage)
    {
        var read = usage?.CachedInputTokenCount;
        var written = usage?.AdditionalCounts?.TryGetValue(Cost.CostCalculator.CacheCreationInputTokens, out var w) == true ? w : (long?)null;
        return new()
        {
            InputTokens = Math.Max(0, (usage?.InputTokenCount ?? 0) - (read ?? 0) - (written ?? 0)),
            OutputTokens = usage?.OutputTokenCount ?? 0,
            CacheReadInputTokens = read,
            CacheCreationInputTokens = written,
        };
    }
}
