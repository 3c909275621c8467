using System.Text;
using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAIResponses;

/// <summary>
/// Reads OpenAI Responses answers into MEAI types: a whole <c>response</c> object, or one stream event at a time. Every
/// answer and every event keeps the provider's document as a <see cref="WireJson"/> (events with their
/// <see cref="WireJson.EventType"/>), so a host answering in Responses' format returns them unchanged.
/// </summary>
internal static class OpenAIResponsesResponse
{
    /// <summary>Reads a whole response object.</summary>
    public static ChatResponse Parse(JsonElement root, string provider, string model)
    {
        ThrowIfFailed(root, provider, model);
        var contents = new List<AIContent>();
        foreach (var item in JsonHttp.Items(root, "output"))
        {
            AddItem(contents, item, includeText: true);
        }

        var id = JsonHttp.Str(root, "id");
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = id })
        {
            ResponseId = id,
            ModelId = JsonHttp.Str(root, "model"),
            CreatedAt = Created(root),
            FinishReason = Finish(root, contents.Exists(c => c is FunctionCallContent)),
            Usage = Usage(root),
            RawRepresentation = new WireJson(WireFormat.OpenAIResponses, root.Clone()),
        };
    }

    /// <summary>Reads one stream event: text and reasoning deltas, whole function calls, and the final usage and finish.</summary>
    public static ChatResponseUpdate ReadEvent(string eventType, JsonElement data, string provider, string model, ref bool sawToolCall)
    {
        var type = JsonHttp.Str(data, "type") ?? eventType;
        var update = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            RawRepresentation = new WireJson(WireFormat.OpenAIResponses, data) { EventType = type },
        };
        switch (type)
        {
            case "response.output_text.delta" when JsonHttp.Str(data, "delta") is { Length: > 0 } delta:
                update.Contents.Add(new TextContent(delta));
                break;
            case "response.refusal.delta" when JsonHttp.Str(data, "delta") is { Length: > 0 } delta:
                update.Contents.Add(new ErrorContent(delta) { ErrorCode = "Refusal" });
                break;
            case "response.reasoning_summary_text.delta" or "response.reasoning_text.delta" when JsonHttp.Str(data, "delta") is { Length: > 0 } delta:
                update.Contents.Add(new TextReasoningContent(delta));
                break;
            case "response.output_item.done" when data.TryGetProperty("item", out var item) && JsonHttp.Str(item, "type") == "function_call":
                AddItem(update.Contents, item, includeText: false);
                sawToolCall = true;
                break;
            case "response.created" or "response.in_progress" when data.TryGetProperty("response", out var started):
                update.ResponseId = JsonHttp.Str(started, "id");
                update.ModelId = JsonHttp.Str(started, "model");
                break;
            case "response.completed" or "response.incomplete" when data.TryGetProperty("response", out var done):
                update.ResponseId = JsonHttp.Str(done, "id");
                update.ModelId = JsonHttp.Str(done, "model");
                update.FinishReason = Finish(done, sawToolCall);
                if (Usage(done) is { } usage)
                {
                    update.Contents.Add(new UsageContent(usage));
                }

                break;
            case "response.failed" when data.TryGetProperty("response", out var failed):
                ThrowIfFailed(failed, provider, model);
                break;
            case "error":
                throw Error(JsonHttp.Str(data, "code"), JsonHttp.Str(data, "message"), provider, model);
        }

        return update;
    }

    private static void AddItem(IList<AIContent> contents, JsonElement item, bool includeText)
    {
        switch (JsonHttp.Str(item, "type"))
        {
            case "message" when includeText:
                foreach (var part in JsonHttp.Items(item, "content"))
                {
                    if (JsonHttp.Str(part, "type") == "output_text" && JsonHttp.Str(part, "text") is { } text)
                    {
                        contents.Add(new TextContent(text));
                    }
                    else if (JsonHttp.Str(part, "type") == "refusal" && JsonHttp.Str(part, "refusal") is { } refusal)
                    {
                        contents.Add(new ErrorContent(refusal) { ErrorCode = "Refusal" });
                    }
                }

                break;
            case "function_call":
                var arguments = JsonHttp.Str(item, "arguments");
                contents.Add(FunctionCallContent.CreateFromParsedArguments(
                    string.IsNullOrEmpty(arguments) ? "{}" : arguments,
                    JsonHttp.Str(item, "call_id") ?? string.Empty,
                    JsonHttp.Str(item, "name") ?? string.Empty,
                    static json => JsonSerializer.Deserialize(json, ToolJson.ArgumentsJson) as IDictionary<string, object?>));
                break;
            case "reasoning" when includeText:
                var summary = new StringBuilder();
                foreach (var part in JsonHttp.Items(item, "summary"))
                {
                    summary.Append(JsonHttp.Str(part, "text"));
                }

                contents.Add(new TextReasoningContent(summary.ToString()) { ProtectedData = JsonHttp.Str(item, "encrypted_content") });
                break;
        }
    }

    private static ChatFinishReason Finish(JsonElement response, bool toolCalls)
    {
        if (JsonHttp.Str(response, "status") == "incomplete")
        {
            return response.TryGetProperty("incomplete_details", out var details) && JsonHttp.Str(details, "reason") == "content_filter"
                ? ChatFinishReason.ContentFilter
                : ChatFinishReason.Length;
        }

        return toolCalls || JsonHttp.Items(response, "output").Any(i => JsonHttp.Str(i, "type") == "function_call") ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;
    }

    private static UsageDetails? Usage(JsonElement response)
    {
        if (!response.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new UsageDetails
        {
            InputTokenCount = JsonHttp.Count(usage, "input_tokens"),
            OutputTokenCount = JsonHttp.Count(usage, "output_tokens"),
            TotalTokenCount = JsonHttp.Count(usage, "total_tokens"),
            CachedInputTokenCount = usage.TryGetProperty("input_tokens_details", out var input) ? JsonHttp.Count(input, "cached_tokens") : null,
            ReasoningTokenCount = usage.TryGetProperty("output_tokens_details", out var output) ? JsonHttp.Count(output, "reasoning_tokens") : null,
        };
    }

    /// <summary>A failed response is an error: rate limits and server errors as the unified exceptions the router acts on.</summary>
    private static void ThrowIfFailed(JsonElement response, string provider, string model)
    {
        if (JsonHttp.Str(response, "status") == "failed" && response.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw Error(JsonHttp.Str(error, "code"), JsonHttp.Str(error, "message"), provider, model);
        }
    }

    private static LiteLlmException Error(string? code, string? message, string provider, string model)
    {
        var details = new ProviderErrorDetails(provider, model, null, message ?? "The response failed.", code);
        return code switch
        {
            "rate_limit_exceeded" => new RateLimitException(details),
            "server_error" or null => new InternalServerException(details),
            _ => new BadRequestException(details),
        };
    }

    private static DateTimeOffset? Created(JsonElement root)
        => root.TryGetProperty("created_at", out var c) && c.ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeSeconds((long)c.GetDouble()) : null;
}
