using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Gemini;

/// <summary>Translates Gemini <c>GenerateContentResponse</c> bodies and stream chunks into Microsoft.Extensions.AI.</summary>
internal static class GeminiResponse
{
    public static ChatResponse Parse(JsonElement root, string provider, string model)
    {
        ThrowIfPromptBlocked(root, provider, model);
        var candidate = root.Items("candidates").FirstOrDefault();
        var contents = Contents(candidate, out var hasCalls);
        var responseId = root.Str("responseId");
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = responseId })
        {
            ResponseId = responseId,
            ModelId = root.Str("modelVersion"),
            FinishReason = Finish(candidate.Str("finishReason"), hasCalls),
            Usage = Usage(root),
            RawRepresentation = root,
        };
    }

    /// <summary>Translates one stream chunk; usage is kept in <paramref name="state"/> and reported once at the end.</summary>
    public static ChatResponseUpdate ParseChunk(JsonElement root, StreamState state, string provider, string model)
    {
        ThrowIfPromptBlocked(root, provider, model);
        var candidate = root.Items("candidates").FirstOrDefault();
        var contents = Contents(candidate, out var hasCalls);
        state.SawFunctionCall |= hasCalls;
        state.Usage = Usage(root) ?? state.Usage;
        state.ResponseId ??= root.Str("responseId");
        state.ModelId ??= root.Str("modelVersion");
        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = state.ResponseId,
            MessageId = state.ResponseId,
            ModelId = state.ModelId,
            FinishReason = Finish(candidate.Str("finishReason"), state.SawFunctionCall),
            RawRepresentation = root,
        };
    }

    /// <summary>
    /// A blocked prompt is a 200 with no candidates and <c>promptFeedback.blockReason</c> (or only a
    /// <c>blockReasonMessage</c>); it is refused like any content-policy error.
    /// </summary>
    public static void ThrowIfPromptBlocked(JsonElement root, string provider, string model)
    {
        var feedback = root.Prop("promptFeedback");
        if (feedback.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var reason = feedback.Str("blockReason");
        var detail = feedback.Str("blockReasonMessage");
        if (reason is null && (detail is null || root.Items("candidates").Any()))
        {
            return;
        }

        var message = "Gemini blocked the prompt (" + (reason ?? "no reason given") + ")" + (detail is null ? "." : ": " + detail);
        throw new ContentPolicyViolationException(new ProviderErrorDetails(provider, model, null, message, reason ?? "PROMPT_BLOCKED"));
    }

    public static UsageDetails? Usage(JsonElement root)
    {
        var usage = root.Prop("usageMetadata");
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var candidates = usage.Count("candidatesTokenCount");
        var thoughts = usage.Count("thoughtsTokenCount");
        return new UsageDetails
        {
            InputTokenCount = usage.Count("promptTokenCount"),
            OutputTokenCount = candidates is null && thoughts is null ? null : (candidates ?? 0) + (thoughts ?? 0),
            ReasoningTokenCount = thoughts,
            CachedInputTokenCount = usage.Count("cachedContentTokenCount"),
            TotalTokenCount = usage.Count("totalTokenCount"),
        };
    }

    // Gemini ends a turn that calls functions with STOP; callers expect tool_calls.
    private static ChatFinishReason? Finish(string? reason, bool hasCalls) => reason switch
    {
        null or "" => null,
        "STOP" when hasCalls => ChatFinishReason.ToolCalls,
        _ => new ChatFinishReason(reason),
    };

    private static List<AIContent> Contents(JsonElement candidate, out bool hasCalls)
    {
        hasCalls = false;
        var contents = new List<AIContent>();
        foreach (var part in candidate.Prop("content").Items("parts"))
        {
            var signature = part.Str(GeminiRequest.ThoughtSignature);
            if (part.Str("text") is { } text)
            {
                if (part.Prop("thought").ValueKind == JsonValueKind.True)
                {
                    contents.Add(new TextReasoningContent(text) { ProtectedData = signature, RawRepresentation = part });
                }
                else if (text.Length > 0)
                {
                    contents.Add(new TextContent(text) { RawRepresentation = part });
                }
            }
            else if (part.Prop("functionCall") is { ValueKind: JsonValueKind.Object } call)
            {
                hasCalls = true;
                var content = new FunctionCallContent(call.Str("id") ?? GeminiRequest.NewCallId(), call.Str("name") ?? string.Empty, ToolJson.ParseArguments(call.Prop("args")))
                {
                    RawRepresentation = part,
                };
                if (signature is not null)
                {
                    content.AdditionalProperties = new() { [GeminiRequest.ThoughtSignature] = signature };
                }

                contents.Add(content);
            }
            else if (part.Prop("inlineData") is { ValueKind: JsonValueKind.Object } data && data.Str("data") is { } base64)
            {
                contents.Add(new DataContent(Convert.FromBase64String(base64), data.Str("mimeType") ?? "application/octet-stream") { RawRepresentation = part });
            }
        }

        return contents;
    }

    /// <summary>What a stream carries across chunks.</summary>
    internal sealed class StreamState
    {
        public bool SawFunctionCall { get; set; }

        public UsageDetails? Usage { get; set; }

        public string? ResponseId { get; set; }

        public string? ModelId { get; set; }
    }
}
