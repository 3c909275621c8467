using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>The same-protocol path: a caller's own Anthropic body, written with only what the provider client owns changed.</summary>
internal static partial class AnthropicRequestBuilder
{
    /// <summary>The <see cref="AIContent.AdditionalProperties"/> key marking a <see cref="TextReasoningContent"/> as a <c>redacted_thinking</c> block.</summary>
    public const string RedactedKey = "redacted";

    // The fields Anthropic's count_tokens endpoint accepts; a messages body sent there keeps only these.
    private static readonly HashSet<string> CountTokensFields = new(StringComparer.Ordinal)
    {
        "model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management", "output_format",
    };

    /// <summary>
    /// Writes <paramref name="body"/> (the caller's Anthropic request) with <c>model</c> set to <paramref name="model"/> and
    /// <c>stream</c> to what this call does. <c>messages</c> and <c>system</c> are written from <paramref name="messages"/>:
    /// the caller's own messages (an Anthropic <see cref="WireJson"/> in <see cref="ChatMessage.RawRepresentation"/>) as they
    /// came, messages added on the way (by middleware) translated. Every other field is copied as it is.
    /// </summary>
    public static byte[] BuildFromWire(JsonElement body, IReadOnlyList<ChatMessage> messages, ChatOptions? options, string model, bool stream, bool countTokens = false)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            var wroteModel = false;
            var wroteSystem = false;
            var wroteMessages = false;
            foreach (var property in body.EnumerateObject())
            {
                if (countTokens && !CountTokensFields.Contains(property.Name))
                {
                    continue;
                }

                switch (property.Name)
                {
                    case "model":
                        w.WriteString("model", model);
                        wroteModel = true;
                        break;
                    case "stream":
                        break; // this call's own, written below
                    case "max_tokens" when options?.MaxOutputTokens is { } limit:
                        w.WriteNumber("max_tokens", limit); // the pipeline may have lowered it (budget-aware admission)
                        break;
                    case "system" when !wroteSystem:
                        WriteWireSystem(w, messages, options?.Instructions);
                        wroteSystem = true;
                        break;
                    case "system":
                        break;
                    case "messages":
                        if (!wroteSystem)
                        {
                            WriteWireSystem(w, messages, options?.Instructions);
                            wroteSystem = true;
                        }

                        WriteMessages(w, messages, model);
                        wroteMessages = true;
                        break;
                    default:
                        property.WriteTo(w);
                        break;
                }
            }

            if (!wroteModel)
            {
                w.WriteString("model", model);
            }

            if (!wroteMessages)
            {
                if (!wroteSystem)
                {
                    WriteWireSystem(w, messages, options?.Instructions);
                }

                WriteMessages(w, messages, model);
            }

            if (stream && !countTokens)
            {
                w.WriteBoolean("stream", true);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A request body for <c>count_tokens</c>: the messages body without the fields that endpoint does not take.</summary>
    public static byte[] BuildCountTokens(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, WireJson? wire)
    {
        if (wire is { Json.ValueKind: JsonValueKind.Object })
        {
            return BuildFromWire(wire.Json, messages as IReadOnlyList<ChatMessage> ?? [.. messages], options, options?.ModelId ?? model, stream: false, countTokens: true);
        }

        var full = Build(messages, options, model, stream: false, wire: null, out _);
        using var document = JsonDocument.Parse(full);
        return BuildFromWire(document.RootElement, messages as IReadOnlyList<ChatMessage> ?? [.. messages], options, options?.ModelId ?? model, stream: false, countTokens: true);
    }

    /// <summary>
    /// <c>max_tokens</c>: the caller's, or LiteLLM's default; with thinking on it must exceed the budget, so a smaller
    /// value is taken as the allowance for the answer after the thinking (LiteLLM raises it the same way).
    /// </summary>
    internal static int MaxTokens(int? requested, int? thinkingBudget)
    {
        var max = requested ?? ((thinkingBudget ?? 0) + AnthropicProtocol.DefaultMaxOutputTokens);
        return thinkingBudget is { } budget && max <= budget ? budget + max : max;
    }

    private static bool IsRedacted(TextReasoningContent reasoning)
        => reasoning.AdditionalProperties?.TryGetValue(RedactedKey, out var redacted) == true && redacted is true;

    private static void WriteWireSystem(Utf8JsonWriter w, IReadOnlyList<ChatMessage> messages, string? instructions)
    {
        ChatMessage? only = null;
        var count = 0;
        var allRaw = true;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                only = message;
                count++;
                allRaw &= WireJson.As(message.RawRepresentation, WireFormat.AnthropicMessages) is not null;
            }
        }

        if (count == 1 && allRaw && string.IsNullOrEmpty(instructions))
        {
            // The caller's system, string or block array with its cache_control, as it came.
            w.WritePropertyName("system");
            WireJson.As(only!.RawRepresentation, WireFormat.AnthropicMessages)!.Json.WriteTo(w);
        }
        else if (SystemText(messages as IReadOnlyList<ChatMessage>, instructions) is { } text)
        {
            w.WriteString("system", text);
        }
    }
}
