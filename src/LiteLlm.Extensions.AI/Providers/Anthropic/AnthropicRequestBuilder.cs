using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>Writes an Anthropic Messages request body from MEAI messages and options.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>System messages (wherever they are) and <see cref="ChatOptions.Instructions"/> become the top-level <c>system</c> string.</item>
/// <item>Roles are only <c>user</c> and <c>assistant</c>; tool results travel as <c>tool_result</c> blocks in a user message,
/// and consecutive messages of the same role are merged (so consecutive tool messages fold into one user message).</item>
/// <item>A JSON-schema <see cref="ChatOptions.ResponseFormat"/> is honoured as LiteLLM does: a tool named after the schema
/// is added and forced, and the response parser turns its input back into text.</item>
/// <item><see cref="ChatOptions.Seed"/>, penalties and schemaless JSON mode have no Anthropic equivalent and are not sent.</item>
/// <item>Messages whose <see cref="ChatMessage.RawRepresentation"/> is an Anthropic <see cref="WireJson"/> are written as they came;
/// a caller's whole Anthropic body (<see cref="ChatOptions.RawRepresentationFactory"/>) is written by <c>BuildFromWire</c>.</item>
/// </list>
/// </remarks>
internal static partial class AnthropicRequestBuilder
{
    /// <summary>The tool name used for a JSON-schema response format with no schema name.</summary>
    public const string DefaultJsonToolName = "json_response";

    // The body is JSON sent to an API, never embedded in HTML: keep base64 '+' and non-ASCII text unescaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the request body; <paramref name="jsonToolName"/> is the forced JSON-mode tool, if any.</summary>
    public static byte[] Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream, WireJson? wire, out string? jsonToolName)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (wire is { Json.ValueKind: JsonValueKind.Object })
        {
            jsonToolName = null; // the caller's own body: no JSON-mode tool of ours in it
            return BuildFromWire(wire.Json, messages as IReadOnlyList<ChatMessage> ?? [.. messages], options, options?.ModelId ?? model, stream);
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("model", options?.ModelId ?? model);

            var budget = ThinkingBudget(options?.Reasoning);
            w.WriteNumber("max_tokens", MaxTokens(options?.MaxOutputTokens, budget));

            var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
            if (SystemText(list, options?.Instructions) is { } system)
            {
                w.WriteString("system", system);
            }

            WriteMessages(w, list, options?.ModelId ?? model);

            if (options is not null)
            {
                WriteSampling(w, options);
            }

            if (budget is { } thinking)
            {
                w.WriteStartObject("thinking");
                w.WriteString("type", "enabled");
                w.WriteNumber("budget_tokens", thinking);
                w.WriteEndObject();
            }

            jsonToolName = WriteTools(w, options);

            if (stream)
            {
                w.WriteBoolean("stream", true);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? SystemText(IReadOnlyList<ChatMessage> messages, string? instructions)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(instructions))
        {
            parts.Add(instructions);
        }

        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System && message.Text is { Length: > 0 } text)
            {
                parts.Add(text);
            }
        }

        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }

    private static void WriteMessages(Utf8JsonWriter w, IReadOnlyList<ChatMessage> messages, string model)
    {
        w.WriteStartArray("messages");
        string? openRole = null;
        WireJson? lastRaw = null;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            if (WireJson.As(message.RawRepresentation, WireFormat.AnthropicMessages) is { Json.ValueKind: JsonValueKind.Object } raw)
            {
                // The caller's own message, as it came. One Anthropic message may have become several MEAI messages
                // (tool results travel in a tool message): they share one document, written once.
                if (openRole is not null)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                    openRole = null;
                }

                if (!ReferenceEquals(raw, lastRaw))
                {
                    raw.Json.WriteTo(w);
                }

                lastRaw = raw;
                continue;
            }

            lastRaw = null;

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user"; // user, tool and unknown roles
            if (!message.Contents.Any(HasBlock))
            {
                continue;
            }

            if (role != openRole)
            {
                if (openRole is not null)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteStartObject();
                w.WriteString("role", role);
                w.WriteStartArray("content");
                openRole = role;
            }

            foreach (var content in message.Contents)
            {
                WriteBlock(w, content, model);
            }
        }

        if (openRole is not null)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static bool HasBlock(AIContent content) => content switch
    {
        TextContent t => !string.IsNullOrEmpty(t.Text),
        TextReasoningContent r => !string.IsNullOrEmpty(r.ProtectedData),
        DataContent or UriContent => true, // unsupported media types fail loudly in WriteBlock
        FunctionCallContent or FunctionResultContent => true,
        _ => false,
    };

    private static void WriteBlock(Utf8JsonWriter w, AIContent content, string model)
    {
        if (!HasBlock(content))
        {
            return; // empty text (the API rejects it), reasoning without a signature, content kinds with no block
        }

        w.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                w.WriteString("type", "text");
                w.WriteString("text", text.Text);
                break;

            case TextReasoningContent reasoning when string.IsNullOrEmpty(reasoning.Text) || IsRedacted(reasoning):
                // Redacted thinking comes back with its encrypted data only.
                w.WriteString("type", "redacted_thinking");
                w.WriteString("data", reasoning.ProtectedData);
                break;

            case TextReasoningContent reasoning:
                w.WriteString("type", "thinking");
                w.WriteString("thinking", reasoning.Text);
                w.WriteString("signature", reasoning.ProtectedData);
                break;

            case DataContent data when data.MediaType == "text/plain":
                w.WriteString("type", "document");
                w.WriteStartObject("source");
                w.WriteString("type", "text");
                w.WriteString("media_type", "text/plain");
                w.WriteString("data", Encoding.UTF8.GetString(data.Data.Span));
                w.WriteEndObject();
                break;

            case DataContent data:
                w.WriteString("type", BlockType(data.MediaType, data.HasTopLevelMediaType("image"), model));
                w.WriteStartObject("source");
                w.WriteString("type", "base64");
                w.WriteString("media_type", data.MediaType);
                w.WriteString("data", data.Base64Data.Span);
                w.WriteEndObject();
                break;

            case UriContent uri:
                w.WriteString("type", BlockType(uri.MediaType, uri.HasTopLevelMediaType("image"), model));
                w.WriteStartObject("source");
                w.WriteString("type", "url");
                w.WriteString("url", uri.Uri.AbsoluteUri);
                w.WriteEndObject();
                break;

            case FunctionCallContent call:
                w.WriteString("type", "tool_use");
                w.WriteString("id", call.CallId);
                w.WriteString("name", call.Name);
                w.WritePropertyName("input");
                WriteArguments(w, call.Arguments);
                break;

            case FunctionResultContent result:
                w.WriteString("type", "tool_result");
                w.WriteString("tool_use_id", result.CallId);
                w.WriteString("content", ResultText(result));
                if (result.Exception is not null)
                {
                    w.WriteBoolean("is_error", true);
                }

                break;
        }

        w.WriteEndObject();
    }

    /// <summary>Images and PDFs have blocks; any other media is refused rather than dropped silently.</summary>
    private static string BlockType(string mediaType, bool isImage, string model)
    {
        if (isImage)
        {
            return "image";
        }

        if (mediaType == "application/pdf")
        {
            return "document";
        }

        throw new BadRequestException(new ProviderErrorDetails("anthropic", model, null,
            $"Anthropic Messages accepts images, PDFs and plain text as attachments, not '{mediaType}'."));
    }

    private static void WriteArguments(Utf8JsonWriter w, IDictionary<string, object?>? arguments)
    {
        w.WriteStartObject();
        if (arguments is not null)
        {
            foreach (var (name, value) in arguments)
            {
                w.WritePropertyName(name);
                WriteValue(w, value);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case JsonElement e: e.WriteTo(w); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            default: JsonSerializer.Serialize(w, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())); break;
        }
    }

    /// <summary>A tool result as the string Anthropic expects: text as is, anything else as JSON.</summary>
    internal static string ResultText(FunctionResultContent result)
    {
        switch (result.Result)
        {
            case null:
                return result.Exception is { } error ? "Error: " + error.Message : string.Empty;
            case string s:
                return s;
            case JsonElement { ValueKind: JsonValueKind.String } json:
                return json.GetString() ?? string.Empty;
            case JsonElement json:
                return json.GetRawText();
            case TextContent t:
                return t.Text;
            case IEnumerable<AIContent> contents:
                var sb = new StringBuilder();
                foreach (var text in contents.OfType<TextContent>())
                {
                    sb.Append(text.Text);
                }

                return sb.ToString();
            default:
                return JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.Result.GetType()));
        }
    }
}
