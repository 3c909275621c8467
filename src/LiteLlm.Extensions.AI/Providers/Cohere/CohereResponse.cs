using System.Text;
using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Cohere;

/// <summary>Translates Cohere v2 chat answers and stream events into Microsoft.Extensions.AI.</summary>
/// <remarks>
/// <c>tool_plan</c> (the model's plan before it calls tools) and <c>thinking</c> blocks become
/// <see cref="TextReasoningContent"/>: they explain the answer rather than being part of it.
/// </remarks>
internal static class CohereResponse
{
    public static ChatResponse Parse(JsonElement root)
    {
        var message = root.Prop("message");
        var contents = new List<AIContent>();
        if (message.Str("tool_plan") is { Length: > 0 } plan)
        {
            contents.Add(new TextReasoningContent(plan));
        }

        foreach (var block in message.Items("content"))
        {
            if (Block(block) is { } content)
            {
                contents.Add(content);
            }
        }

        foreach (var call in message.Items("tool_calls"))
        {
            var function = call.Prop("function");
            contents.Add(new FunctionCallContent(call.Str("id") ?? string.Empty, function.Str("name") ?? string.Empty, ToolJson.ParseArguments(function.Str("arguments")))
            {
                RawRepresentation = call,
            });
        }

        var id = root.Str("id");
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = id })
        {
            ResponseId = id,
            FinishReason = root.Str("finish_reason") is { } finish ? new ChatFinishReason(finish) : null,
            Usage = Usage(root.Prop("usage")),
            RawRepresentation = root,
        };
    }

    /// <summary>Translates one stream event; null for events that carry nothing for the caller.</summary>
    public static ChatResponseUpdate? ParseEvent(JsonElement data, StreamState state, string provider, string model)
    {
        var delta = data.Prop("delta");
        var message = delta.Prop("message");
        var index = data.Prop("index") is { ValueKind: JsonValueKind.Number } i ? i.GetInt32() : 0;
        switch (data.Str("type"))
        {
            case "message-start":
                state.Id = data.Str("id") ?? state.Id;
                return null;
            case "content-delta" when Block(message.Prop("content")) is { } content:
                return state.Update([content]);
            case "tool-plan-delta" when message.Str("tool_plan") is { Length: > 0 } plan:
                return state.Update([new TextReasoningContent(plan)]);
            case "tool-call-start":
                var call = message.Prop("tool_calls") is { ValueKind: JsonValueKind.Array } calls ? calls.EnumerateArray().FirstOrDefault() : message.Prop("tool_calls");
                state.Calls[index] = (call.Str("id") ?? string.Empty, call.Prop("function").Str("name") ?? string.Empty,
                    new StringBuilder(call.Prop("function").Str("arguments")));
                return null;
            case "tool-call-delta" when state.Calls.TryGetValue(index, out var pending):
                pending.Arguments.Append(message.Prop("tool_calls").Prop("function").Str("arguments"));
                return null;
            case "tool-call-end" when state.Calls.Remove(index, out var done):
                return state.Update([new FunctionCallContent(done.Id, done.Name, ToolJson.ParseArguments(done.Arguments.ToString()))]);
            case "message-end":
                var finish = delta.Str("finish_reason");
                if (delta.Str("error") is { } error || finish == "ERROR")
                {
                    throw ErrorMapper.Classify(new ProviderErrorDetails(provider, model, null,
                        delta.Str("error") ?? "The generation failed.", null, IsMidStream: state.YieldedAny));
                }

                var update = state.Update(Usage(delta.Prop("usage")) is { } usage ? [new UsageContent(usage)] : []);
                update.FinishReason = finish is null ? null : new ChatFinishReason(finish);
                return update;
            default:
                return null;
        }
    }

    public static UsageDetails? Usage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // "tokens" counts what the model saw; "billed_units" what was charged (it excludes the prompt template).
        var tokens = usage.Prop("tokens");
        var billed = usage.Prop("billed_units");
        var input = tokens.Count("input_tokens") ?? billed.Count("input_tokens");
        var output = tokens.Count("output_tokens") ?? billed.Count("output_tokens");
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            CachedInputTokenCount = usage.Count("cached_tokens"),
            TotalTokenCount = input is null && output is null ? null : (input ?? 0) + (output ?? 0),
        };
    }

    private static AIContent? Block(JsonElement block)
    {
        if (block.Str("thinking") is { Length: > 0 } thinking)
        {
            return new TextReasoningContent(thinking);
        }

        return block.Str("text") is { Length: > 0 } text ? new TextContent(text) : null;
    }

    /// <summary>What a stream carries across events.</summary>
    internal sealed class StreamState
    {
        public string? Id { get; set; }

        public bool YieldedAny { get; private set; }

        public Dictionary<int, (string Id, string Name, StringBuilder Arguments)> Calls { get; } = [];

        public ChatResponseUpdate Update(IList<AIContent> contents)
        {
            YieldedAny = true;
            return new ChatResponseUpdate(ChatRole.Assistant, contents) { ResponseId = Id, MessageId = Id };
        }
    }
}
