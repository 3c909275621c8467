using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAIResponses;

/// <summary>
/// Writes an OpenAI Responses request body. When the caller's own body travels with the options (a <see cref="WireJson"/>
/// of <see cref="WireFormat.OpenAIResponses"/> from <see cref="ChatOptions.RawRepresentationFactory"/>), it is written
/// as it came with only <c>model</c> and <c>stream</c> changed, so every field — built-in tools, <c>include</c>,
/// <c>store</c>, <c>truncation</c>, encrypted reasoning — reaches OpenAI. Its <c>input</c> is kept too unless the
/// conversation was changed on the way (a message without a Responses raw representation: added by middleware or a
/// fallback), in which case <c>input</c> is rewritten from the messages, each carried item verbatim and the rest translated.
/// </summary>
internal static class OpenAIResponsesRequest
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Build(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, IChatClient client)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var body = WireJson.As(options?.RawRepresentationFactory?.Invoke(client), WireFormat.OpenAIResponses)?.Json;
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            if (stream)
            {
                w.WriteBoolean("stream", true);
            }

            if (body is { ValueKind: JsonValueKind.Object } caller)
            {
                WriteCallerBody(w, caller, list, options, stream);
            }
            else
            {
                WriteTranslated(w, list, options);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCallerBody(Utf8JsonWriter w, JsonElement caller, IList<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var unchanged = messages.All(m => m.RawRepresentation is WireJson { Format: WireFormat.OpenAIResponses });
        foreach (var property in caller.EnumerateObject())
        {
            switch (property.Name)
            {
                case "model" or "stream":
                    break;
                case "stream_options" when !stream:
                    break;
                case "input" when !unchanged:
                    break;
                case "max_output_tokens" when options?.MaxOutputTokens is { } limit:
                    w.WriteNumber("max_output_tokens", limit); // the pipeline may have lowered it (budget-aware admission)
                    break;
                default:
                    property.WriteTo(w);
                    break;
            }
        }

        if (!unchanged)
        {
            w.WritePropertyName("input");
            WriteInput(w, messages, skipInstructions: caller.TryGetProperty("instructions", out _));
        }
    }

    private static void WriteTranslated(Utf8JsonWriter w, IList<ChatMessage> messages, ChatOptions? options)
    {
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            w.WriteString("instructions", instructions);
        }

        w.WritePropertyName("input");
        WriteInput(w, messages, skipInstructions: false);
        if (options is null)
        {
            return;
        }

        w.WriteNumberIfSet("max_output_tokens", options.MaxOutputTokens);
        w.WriteNumberIfSet("temperature", options.Temperature);
        w.WriteNumberIfSet("top_p", options.TopP);
        if (options.AllowMultipleToolCalls is { } parallel)
        {
            w.WriteBoolean("parallel_tool_calls", parallel);
        }

        if (options.Reasoning?.Effort is { } effort)
        {
            w.WriteStartObject("reasoning");
            w.WriteString("effort", effort switch
            {
                ReasoningEffort.None => "none",
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                ReasoningEffort.High => "high",
                _ => "xhigh",
            });
            w.WriteEndObject();
        }

        switch (options.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema } json:
                w.WriteStartObject("text");
                w.WriteStartObject("format");
                w.WriteString("type", "json_schema");
                w.WriteString("name", string.IsNullOrEmpty(json.SchemaName) ? "response" : json.SchemaName);
                if (json.SchemaDescription is { } description)
                {
                    w.WriteString("description", description);
                }

                w.WritePropertyName("schema");
                schema.WriteTo(w);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case ChatResponseFormatJson:
                w.WriteStartObject("text");
                w.WriteStartObject("format");
                w.WriteString("type", "json_object");
                w.WriteEndObject();
                w.WriteEndObject();
                break;
        }

        var functions = ToolJson.Declarations(options).ToList();
        if (functions.Count > 0)
        {
            w.WriteStartArray("tools");
            foreach (var function in functions)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteString("name", function.Name);
                if (!string.IsNullOrEmpty(function.Description))
                {
                    w.WriteString("description", function.Description);
                }

                w.WritePropertyName("parameters");
                ToolJson.Parameters(function).WriteTo(w);
                w.WriteBoolean("strict", false);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        switch (options.ToolMode)
        {
            case NoneChatToolMode:
                w.WriteString("tool_choice", "none");
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteString("name", name);
                w.WriteEndObject();
                break;
            case RequiredChatToolMode:
                w.WriteString("tool_choice", "required");
                break;
            case AutoChatToolMode:
                w.WriteString("tool_choice", "auto");
                break;
        }
    }

    /// <summary>Writes the conversation as input items: carried items verbatim, everything else translated.</summary>
    private static void WriteInput(Utf8JsonWriter w, IList<ChatMessage> messages, bool skipInstructions)
    {
        w.WriteStartArray();
        foreach (var message in messages)
        {
            switch (WireJson.As(message.RawRepresentation, WireFormat.OpenAIResponses)?.Json)
            {
                case { ValueKind: JsonValueKind.String }:
                    // The caller's instructions, carried as the body's own field.
                    if (!skipInstructions)
                    {
                        WriteMessage(w, "developer", message.Text);
                    }

                    break;
                case { ValueKind: JsonValueKind.Object } item:
                    item.WriteTo(w);
                    break;
                case { ValueKind: JsonValueKind.Array } items:
                    foreach (var item in items.EnumerateArray())
                    {
                        item.WriteTo(w);
                    }

                    break;
                default:
                    Translate(w, message);
                    break;
            }
        }

        w.WriteEndArray();
    }

    private static void Translate(Utf8JsonWriter w, ChatMessage message)
    {
        var role = message.Role == ChatRole.System ? "developer" : message.Role == ChatRole.Assistant ? "assistant" : "user";
        var parts = new List<AIContent>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case FunctionCallContent call:
                    w.WriteStartObject();
                    w.WriteString("type", "function_call");
                    w.WriteString("call_id", call.CallId);
                    w.WriteString("name", call.Name);
                    w.WriteString("arguments", ToolJson.Arguments(call).ToJsonString());
                    w.WriteEndObject();
                    break;
                case FunctionResultContent result:
                    w.WriteStartObject();
                    w.WriteString("type", "function_call_output");
                    w.WriteString("call_id", result.CallId);
                    w.WriteString("output", ToolJson.ResultText(result));
                    w.WriteEndObject();
                    break;
                case TextContent or DataContent or UriContent:
                    parts.Add(content);
                    break;
            }
        }

        if (parts.Count == 0)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("role", role);
        w.WriteStartArray("content");
        foreach (var part in parts)
        {
            w.WriteStartObject();
            switch (part)
            {
                case TextContent text:
                    w.WriteString("type", role == "assistant" ? "output_text" : "input_text");
                    w.WriteString("text", text.Text);
                    break;
                case DataContent { MediaType: var type } data when type.StartsWith("image/", StringComparison.Ordinal):
                    w.WriteString("type", "input_image");
                    w.WriteString("image_url", data.Uri);
                    break;
                case DataContent data:
                    w.WriteString("type", "input_file");
                    w.WriteString("filename", data.Name ?? "file");
                    w.WriteString("file_data", data.Uri);
                    break;
                case UriContent uri:
                    w.WriteString("type", uri.HasTopLevelMediaType("image") ? "input_image" : "input_file");
                    w.WriteString(uri.HasTopLevelMediaType("image") ? "image_url" : "file_url", uri.Uri.AbsoluteUri);
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, string role, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("role", role);
        w.WriteString("content", text);
        w.WriteEndObject();
    }
}
