using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>Reads OpenAI Chat Completions answers (a whole completion, or the chunks of a stream) into MEAI types.</summary>
/// <remarks>
/// The provider's own JSON travels along as <see cref="WireJson"/> in <c>RawRepresentation</c> (the whole answer; each
/// chunk), so a host answering in the same protocol can return every field, choices beyond the first included.
/// Only the first choice is read into MEAI types. Reasoning text (<c>reasoning_content</c>, or <c>reasoning</c> as some
/// compatible hosts name it) becomes <see cref="TextReasoningContent"/>. A refusal becomes an <see cref="ErrorContent"/> with the code <c>Refusal</c>. In a
/// stream, tool-call fragments are gathered by index and given as whole <see cref="FunctionCallContent"/>s on one last
/// update after the provider's last chunk; once the role and finish reason have arrived they stay on every later update.
/// (These are the shapes Microsoft.Extensions.AI.OpenAI produced, which the rest of the pipeline was built on.)
/// </remarks>
internal static class OpenAIChatResponse
{
    /// <summary>Reads a whole completion.</summary>
    public static ChatResponse Parse(JsonElement root)
    {
        var contents = new List<AIContent>();
        ChatFinishReason? finish = null;
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            var choice = choices[0];
            finish = FinishReason(choice);
            if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
            {
                if (Reasoning(message) is { Length: > 0 } reasoning)
                {
                    contents.Add(new TextReasoningContent(reasoning));
                }

                if (String(message, "content") is { Length: > 0 } text)
                {
                    contents.Add(new TextContent(text));
                }

                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray())
                    {
                        if (call.TryGetProperty("function", out var function) && String(function, "name") is { Length: > 0 } name)
                        {
                            contents.Add(Call(String(function, "arguments"), String(call, "id") ?? string.Empty, name));
                        }
                    }
                }

                if (String(message, "refusal") is { Length: > 0 } refusal)
                {
                    contents.Add(new ErrorContent(refusal) { ErrorCode = "Refusal" });
                }
            }
        }

        var id = String(root, "id");
        var chatMessage = new ChatMessage(ChatRole.Assistant, contents) { MessageId = id };
        return new ChatResponse(chatMessage)
        {
            ResponseId = id,
            ModelId = String(root, "model"),
            CreatedAt = Created(root),
            FinishReason = finish,
            Usage = root.TryGetProperty("usage", out var usage) ? Usage(usage) : null,
            RawRepresentation = new WireJson(WireFormat.OpenAIChat, root),
        };
    }

    /// <summary>Throws when <paramref name="root"/> is not a Chat Completions answer (a server of another protocol, a proxy's page).</summary>
    internal static void RequireCompletion(JsonElement root, bool chunk)
    {
        if (root.ValueKind != JsonValueKind.Object || !(root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array
            || (chunk && (root.TryGetProperty("usage", out _) || root.TryGetProperty("id", out _)))))
        {
            throw new JsonException(chunk
                ? "A stream event is not a Chat Completions chunk (no 'choices' array)."
                : "The answer is not a Chat Completions object (no 'choices' array).");
        }
    }

    private static string? Reasoning(JsonElement messageOrDelta)
        => String(messageOrDelta, "reasoning_content") ?? String(messageOrDelta, "reasoning");

    /// <summary>Reads a tool call's arguments (given as JSON text) as MEAI does: a parse failure is kept on the content.</summary>
    internal static FunctionCallContent Call(string? arguments, string callId, string name)
        => FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrEmpty(arguments) ? "{}" : arguments,
            callId,
            name,
            static json => JsonSerializer.Deserialize(json, ToolJson.ArgumentsJson) as IDictionary<string, object?>);

    /// <summary>The usage object, or null when it is absent or null.</summary>
    internal static UsageDetails? Usage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var hasInput = usage.TryGetProperty("prompt_tokens_details", out var input);
        var hasOutput = usage.TryGetProperty("completion_tokens_details", out var output);
        var details = new UsageDetails
        {
            InputTokenCount = Count(usage, "prompt_tokens"),
            OutputTokenCount = Count(usage, "completion_tokens"),
            TotalTokenCount = Count(usage, "total_tokens"),
            CachedInputTokenCount = hasInput ? Count(input, "cached_tokens") : null,
            ReasoningTokenCount = hasOutput ? Count(output, "reasoning_tokens") : null,
        };

        // The counts MEAI.OpenAI reports beside the standard ones, under its names.
        // (a details object the answer has reports all of its counts, 0 for the ones it leaves out, as MEAI.OpenAI does)
        AddCount(details, "InputTokenDetails.AudioTokenCount", hasInput ? Count(input, "audio_tokens") ?? 0 : null);
        AddCount(details, "OutputTokenDetails.AudioTokenCount", hasOutput ? Count(output, "audio_tokens") ?? 0 : null);
        AddCount(details, "OutputTokenDetails.AcceptedPredictionTokenCount", hasOutput ? Count(output, "accepted_prediction_tokens") ?? 0 : null);
        AddCount(details, "OutputTokenDetails.RejectedPredictionTokenCount", hasOutput ? Count(output, "rejected_prediction_tokens") ?? 0 : null);
        return details;
    }

    private static void AddCount(UsageDetails details, string name, long? value)
    {
        if (value is { } n)
        {
            (details.AdditionalCounts ??= [])[name] = n;
        }
    }

    internal static ChatFinishReason? FinishReason(JsonElement choice)
        => String(choice, "finish_reason") switch
        {
            null => null,
            "stop" => ChatFinishReason.Stop,
            "length" => ChatFinishReason.Length,
            "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
            "content_filter" => ChatFinishReason.ContentFilter,
            var other => new ChatFinishReason(other),
        };

    internal static DateTimeOffset? Created(JsonElement root)
        => root.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.Number && created.TryGetInt64(out var seconds) && seconds > 0
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    internal static string? String(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Count(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? (value.TryGetInt64(out var n) ? n : (long)value.GetDouble())
            : null;

    /// <summary>What a stream has said so far; one per stream.</summary>
    internal sealed class StreamState
    {
        private Dictionary<int, (string? Id, string? Name, StringBuilder? Arguments)>? _calls;
        private StringBuilder? _refusal;

        public ChatRole? Role { get; private set; }

        /// <summary>Gets whether the stream's <c>[DONE]</c> has arrived (nothing after it is read).</summary>
        public bool Done { get; private set; }

        public ChatFinishReason? Finish { get; private set; }

        public string? ResponseId { get; private set; }

        public string? ModelId { get; private set; }

        public DateTimeOffset? CreatedAt { get; private set; }

        /// <summary>Reads one event's data as the SSE parser hands it over; null for an empty event, <c>[DONE]</c> and anything after it.</summary>
        public ChatResponseUpdate? Read(ReadOnlySpan<byte> data)
        {
            data = data.Trim(" \r\n\t"u8);
            if (data.IsEmpty || Done)
            {
                return null;
            }

            if (data.SequenceEqual("[DONE]"u8))
            {
                Done = true;
                return null;
            }

            // JsonDocument reads from memory, so the span is copied once into a pooled array for the length of the parse.
            var rented = ArrayPool<byte>.Shared.Rent(data.Length);
            try
            {
                data.CopyTo(rented);
                using var document = JsonDocument.Parse(rented.AsMemory(0, data.Length));
                RequireCompletion(document.RootElement, chunk: true);
                var update = Read(document.RootElement);
                update.RawRepresentation = new WireJson(WireFormat.OpenAIChat, document.RootElement.Clone());
                return update;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        /// <summary>Reads one chunk.</summary>
        private ChatResponseUpdate Read(JsonElement chunk)
        {
            ResponseId ??= NonEmpty(String(chunk, "id"));
            ModelId ??= NonEmpty(String(chunk, "model"));
            var created = Created(chunk);
            CreatedAt ??= created;
            var update = new ChatResponseUpdate
            {
                CreatedAt = created,
                ResponseId = ResponseId,
                MessageId = ResponseId,
                ModelId = ModelId,
            };

            if (chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
            {
                var choice = choices[0];
                Finish ??= FinishReason(choice);
                if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                {
                    if (String(delta, "role") is { Length: > 0 } role)
                    {
                        Role ??= new ChatRole(role);
                    }

                    if (Reasoning(delta) is { Length: > 0 } reasoning)
                    {
                        update.Contents.Add(new TextReasoningContent(reasoning));
                    }

                    if (String(delta, "content") is { Length: > 0 } text)
                    {
                        update.Contents.Add(new TextContent(text));
                    }

                    if (String(delta, "refusal") is { Length: > 0 } refusal)
                    {
                        (_refusal ??= new StringBuilder()).Append(refusal);
                    }

                    if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var call in calls.EnumerateArray())
                        {
                            Gather(call);
                        }
                    }
                }
            }

            update.Role = Role;
            update.FinishReason = Finish;
            if (chunk.TryGetProperty("usage", out var usage) && Usage(usage) is { } details)
            {
                update.Contents.Add(new UsageContent(details));
            }

            return update;
        }

        /// <summary>The whole tool calls and refusal, after the last chunk; null when there are none.</summary>
        public ChatResponseUpdate? Complete()
        {
            if (_calls is null && _refusal is null)
            {
                return null;
            }

            var update = new ChatResponseUpdate
            {
                CreatedAt = CreatedAt,
                FinishReason = Finish,
                ModelId = ModelId,
                ResponseId = ResponseId,
                MessageId = ResponseId,
                Role = Role,
            };
            if (_calls is not null)
            {
                foreach (var (_, (id, name, arguments)) in _calls.OrderBy(c => c.Key))
                {
                    if (!string.IsNullOrWhiteSpace(name))
                    {
                        update.Contents.Add(Call(arguments?.ToString(), id ?? string.Empty, name!));
                    }
                }
            }

            if (_refusal is not null)
            {
                update.Contents.Add(new ErrorContent(_refusal.ToString()) { ErrorCode = "Refusal" });
            }

            return update;
        }

        private void Gather(JsonElement call)
        {
            var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : 0;
            _calls ??= [];
            var (id, name, arguments) = _calls.TryGetValue(index, out var existing) ? existing : default;
            id ??= String(call, "id");
            if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            {
                name ??= String(function, "name");
                if (String(function, "arguments") is { Length: > 0 } fragment)
                {
                    (arguments ??= new StringBuilder()).Append(fragment);
                }
            }

            _calls[index] = (id, name, arguments);
        }

        private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }
}
