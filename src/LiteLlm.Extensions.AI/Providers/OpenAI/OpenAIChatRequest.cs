using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>Writes an OpenAI Chat Completions request body from MEAI messages and options.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="ChatOptions.Instructions"/> becomes a leading system message.</item>
/// <item>A user or system message of one text is sent as a string, anything else as content parts (text, images as
/// <c>image_url</c>, audio as <c>input_audio</c>, other files as <c>file</c>); an assistant message's text is one string
/// next to its <c>tool_calls</c>; each function result is its own <c>tool</c> message.</item>
/// <item>A tool's parameter schema is sent as an object schema with <c>type</c>, <c>required</c>, <c>properties</c> and
/// <c>additionalProperties</c> always present (as Microsoft.Extensions.AI.OpenAI sends it), plus its other keywords.</item>
/// <item>The token limit is <c>max_completion_tokens</c> for OpenAI itself and Azure, <c>max_tokens</c> everywhere else.</item>
/// <item>Provider-specific fields (<c>user</c>, <c>logprobs</c>, …) in <see cref="ChatOptions.AdditionalProperties"/> are
/// written as top-level fields (library settings were consumed before, see <see cref="WireExtras"/>).</item>
/// <item><b>Same protocol:</b> when <see cref="ChatOptions.RawRepresentationFactory"/> gives the caller's own Chat Completions
/// body (<see cref="WireJson"/>), that body is written with only <c>model</c>, <c>stream</c> and <c>stream_options.include_usage</c>
/// changed: every field, known here or not, keeps its name and value (<c>strict</c> schemas, <c>max_completion_tokens</c>,
/// <c>logprobs</c>, <c>n</c>, …). A field the pipeline dropped (drop_params) or that is a library setting is left out; a value
/// the pipeline set that the body lacks, or changed (the token limit), is written from the options. Messages carrying their
/// own JSON are written verbatim, the others translated.</item>
/// </list>
/// </remarks>
internal static class OpenAIChatRequest
{
    // The body is JSON sent to an API, never embedded in HTML: keep base64 '+' and non-ASCII text unescaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Builds the request body.</summary>
    public static byte[] Build(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, bool legacyMaxTokens, WireJson? raw = null)
    {
        // One buffer and writer per thread, reset for each body: only the finished bytes are allocated.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        try
        {
            Write(w, model, messages, options, stream, legacyMaxTokens, raw?.Json);
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > 1 << 20)
            {
                // A huge prompt does not pin its buffer to the thread.
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    private static void Write(Utf8JsonWriter w, string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, bool legacyMaxTokens, JsonElement? raw)
    {
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WritePropertyName("messages");
        w.WriteStartArray();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", instructions);
            w.WriteEndObject();
        }

        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                WriteMessageOrRaw(w, list[i]);
            }
        }
        else
        {
            foreach (var message in messages)
            {
                WriteMessageOrRaw(w, message);
            }
        }

        w.WriteEndArray();
        if (stream)
        {
            w.WriteBoolean("stream", true);
            w.WriteStartObject("stream_options");
            if (raw is { } body && body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in streamOptions.EnumerateObject())
                {
                    if (!property.NameEquals("include_usage"))
                    {
                        property.WriteTo(w);
                    }
                }
            }

            w.WriteBoolean("include_usage", true); // usage is what cost and budgets are computed from
            w.WriteEndObject();
        }

        if (raw is { ValueKind: JsonValueKind.Object } caller)
        {
            OpenAIRawRequest.WriteFields(w, caller, options, legacyMaxTokens);
        }
        else if (options is not null)
        {
            WriteOptions(w, options, legacyMaxTokens);
            WriteExtras(w, options, null);
            OpenAIRawRequest.WriteSdkOptions(w, options);
        }

        w.WriteEndObject();
    }

    /// <summary>The provider-specific fields of <paramref name="options"/>, except those <paramref name="skip"/> has.</summary>
    internal static void WriteExtras(Utf8JsonWriter w, ChatOptions options, JsonElement? skip)
    {
        if (options.AdditionalProperties is not { Count: > 0 } extra)
        {
            return;
        }

        foreach (var (name, value) in extra)
        {
            if (CallSettings.IsReserved(name) || WrittenFromOptions(name, options) || (skip is { } body && body.TryGetProperty(name, out _)))
            {
                continue;
            }

            w.WritePropertyName(name);
            WireExtras.WriteValue(w, value);
        }
    }

    // A pass-through field of the same name as one the options write would be a duplicate key.
    private static bool WrittenFromOptions(string name, ChatOptions o) => name switch
    {
        "max_tokens" or "max_completion_tokens" => o.MaxOutputTokens is not null,
        "temperature" => o.Temperature is not null,
        "top_p" => o.TopP is not null,
        "top_k" => o.TopK is not null,
        "frequency_penalty" => o.FrequencyPenalty is not null,
        "presence_penalty" => o.PresencePenalty is not null,
        "seed" => o.Seed is not null,
        "stop" => o.StopSequences is { Count: > 0 },
        "reasoning_effort" => o.Reasoning?.Effort is not null,
        "response_format" => o.ResponseFormat is not null,
        "tools" or "tool_choice" or "parallel_tool_calls" => o.Tools is { Count: > 0 },
        "web_search_options" => HasWebSearch(o),
        "strict" => true, // MEAI.OpenAI's switch for strict schemas, written into the tools and response format
        "reasoning" => false,
        _ => false,
    };

    internal static bool HasWebSearch(ChatOptions o)
    {
        if (o.Tools is not { Count: > 0 } tools)
        {
            return false;
        }

        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i] is HostedWebSearchTool)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteOptions(Utf8JsonWriter w, ChatOptions options, bool legacyMaxTokens)
    {
        w.WriteNumberIfSet(legacyMaxTokens ? "max_tokens" : "max_completion_tokens", options.MaxOutputTokens);
        w.WriteNumberIfSet("temperature", options.Temperature);
        w.WriteNumberIfSet("top_p", options.TopP);
        w.WriteNumberIfSet("top_k", options.TopK); // only reaches the wire for a provider that declares top_k (vLLM and similar)
        w.WriteNumberIfSet("frequency_penalty", options.FrequencyPenalty);
        w.WriteNumberIfSet("presence_penalty", options.PresencePenalty);
        w.WriteNumberIfSet("seed", options.Seed);
        w.WriteStringsIfAny("stop", options.StopSequences);

        if (options.Reasoning?.Effort is { } effort)
        {
            w.WriteString("reasoning_effort", effort switch
            {
                ReasoningEffort.None => "none",
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                ReasoningEffort.ExtraHigh => "xhigh",
                _ => "high",
            });
        }

        var strict = IsStrict(options);
        WriteResponseFormat(w, options.ResponseFormat, strict);
        WriteTools(w, options, strict);
        if (HasWebSearch(options))
        {
            w.WriteStartObject("web_search_options");
            w.WriteEndObject();
        }
    }

    // MEAI.OpenAI's convention: AdditionalProperties["strict"] = true asks for strict tool schemas and structured output.
    private static bool? IsStrict(ChatOptions options)
        => options.AdditionalProperties?.TryGetValue("strict", out var value) == true ? ParameterPolicy.ToBool(value) : null;

    private static void WriteResponseFormat(Utf8JsonWriter w, ChatResponseFormat? format, bool? strict)
    {
        switch (format)
        {
            case ChatResponseFormatText:
                w.WriteStartObject("response_format");
                w.WriteString("type", "text");
                w.WriteEndObject();
                break;
            case ChatResponseFormatJson { Schema: { ValueKind: JsonValueKind.Object } schema } json:
                w.WriteStartObject("response_format");
                w.WriteString("type", "json_schema");
                w.WriteStartObject("json_schema");
                w.WriteString("name", json.SchemaName ?? "json_schema");
                if (json.SchemaDescription is { } description)
                {
                    w.WriteString("description", description);
                }

                w.WritePropertyName("schema");
                schema.WriteTo(w);
                if (strict is { } s)
                {
                    w.WriteBoolean("strict", s);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case ChatResponseFormatJson:
                w.WriteStartObject("response_format");
                w.WriteString("type", "json_object");
                w.WriteEndObject();
                break;
        }
    }

    private static void WriteTools(Utf8JsonWriter w, ChatOptions options, bool? strict)
    {
        if (options.Tools is not { Count: > 0 } tools)
        {
            return;
        }

        var any = false;
        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i] is not AIFunctionDeclaration function)
            {
                continue;
            }

            if (!any)
            {
                w.WriteStartArray("tools");
                any = true;
            }

            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", function.Name);
            if (!string.IsNullOrEmpty(function.Description))
            {
                w.WriteString("description", function.Description);
            }

            w.WritePropertyName("parameters");
            WriteParameters(w, function.JsonSchema);
            if (strict is { } s)
            {
                w.WriteBoolean("strict", s);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (!any)
        {
            return;
        }

        w.WriteEndArray();
        switch (options.ToolMode)
        {
            case NoneChatToolMode:
                w.WriteString("tool_choice", "none");
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case RequiredChatToolMode:
                w.WriteString("tool_choice", "required");
                break;
            case AutoChatToolMode:
                w.WriteString("tool_choice", "auto");
                break;
        }

        if (options.AllowMultipleToolCalls is { } parallel)
        {
            w.WriteBoolean("parallel_tool_calls", parallel);
        }
    }

    /// <summary>An object schema with <c>type</c>, <c>required</c>, <c>properties</c> and <c>additionalProperties</c> always present.</summary>
    private static void WriteParameters(Utf8JsonWriter w, JsonElement schema)
    {
        w.WriteStartObject();
        w.WriteString("type", "object");
        w.WritePropertyName("required");
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            required.WriteTo(w);
        }
        else
        {
            w.WriteStartArray();
            w.WriteEndArray();
        }

        w.WritePropertyName("properties");
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            properties.WriteTo(w);
        }
        else
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }

        w.WriteBoolean("additionalProperties",
            schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.True);
        if (schema.ValueKind == JsonValueKind.Object)
        {
            // The schema's other keywords ($defs for $ref, description, …) go along.
            foreach (var property in schema.EnumerateObject())
            {
                if (property.NameEquals("type") || property.NameEquals("required") || property.NameEquals("properties")
                    || property.NameEquals("additionalProperties") || property.NameEquals("$schema"))
                {
                    continue;
                }

                property.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    // A message that arrived in this protocol is sent as it came (fields we do not model included).
    private static void WriteMessageOrRaw(Utf8JsonWriter w, ChatMessage message)
    {
        if (message.RawRepresentation is WireJson { Format: WireFormat.OpenAIChat, Json.ValueKind: JsonValueKind.Object } raw)
        {
            raw.Json.WriteTo(w);
        }
        else
        {
            WriteMessage(w, message);
        }
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message)
    {
        var contents = message.Contents;
        if (message.Role == ChatRole.Tool)
        {
            WriteToolResults(w, contents);
            return;
        }

        if (message.Role == ChatRole.Assistant)
        {
            WriteAssistant(w, message);
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", message.Role.Value);
        if (message.AuthorName is { Length: > 0 } name)
        {
            w.WriteString("name", name);
        }

        if (contents.Count == 1 && contents[0] is TextContent only)
        {
            w.WriteString("content", only.Text);
        }
        else if (contents.Count == 0)
        {
            w.WriteString("content", string.Empty);
        }
        else
        {
            w.WriteStartArray("content");
            for (var i = 0; i < contents.Count; i++)
            {
                WritePart(w, contents[i]);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();

        // Function results carried by a non-tool message still answer their calls.
        WriteToolResults(w, contents);
    }

    /// <summary>Each function result as its own <c>tool</c> message.</summary>
    private static void WriteToolResults(Utf8JsonWriter w, IList<AIContent> contents)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionResultContent result)
            {
                w.WriteStartObject();
                w.WriteString("role", "tool");
                w.WriteString("tool_call_id", result.CallId);
                w.WriteString("content", ToolJson.ResultText(result));
                w.WriteEndObject();
            }
        }
    }

    private static void WriteAssistant(Utf8JsonWriter w, ChatMessage message)
    {
        var contents = message.Contents;
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        if (message.AuthorName is { Length: > 0 } name)
        {
            w.WriteString("name", name);
        }

        var text = message.Text;
        if (text.Length > 0 || !HasCalls(contents))
        {
            w.WriteString("content", text); // a turn that only calls tools has no content (as MEAI.OpenAI writes it)
        }

        var calls = false;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionCallContent call)
            {
                continue;
            }

            if (!calls)
            {
                w.WriteStartArray("tool_calls");
                calls = true;
            }

            w.WriteStartObject();
            w.WriteString("id", call.CallId);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", call.Name);
            WriteArguments(w, call.Arguments);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (calls)
        {
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>Arguments as compact JSON text (the serializer's own options would indent them).</summary>
    private static void WriteArguments(Utf8JsonWriter w, IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            w.WriteString("arguments", "{}"u8);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var inner = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(inner, arguments, ToolJson.ArgumentsJson);
        }

        w.WriteString("arguments", buffer.WrittenSpan);
    }

    private static void WritePart(Utf8JsonWriter w, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", text.Text);
                w.WriteEndObject();
                break;
            case DataContent data when data.HasTopLevelMediaType("image"):
                WriteImage(w, data.Uri, data);
                break;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                WriteImage(w, uri.Uri.ToString(), uri);
                break;
            case DataContent data when data.HasTopLevelMediaType("audio"):
                w.WriteStartObject();
                w.WriteString("type", "input_audio");
                w.WriteStartObject("input_audio");
                w.WriteString("data", data.Base64Data.Span);
                w.WriteString("format", data.MediaType.Contains("mp3", StringComparison.OrdinalIgnoreCase) || data.MediaType.Contains("mpeg", StringComparison.OrdinalIgnoreCase) ? "mp3" : "wav");
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case DataContent file:
                w.WriteStartObject();
                w.WriteString("type", "file");
                w.WriteStartObject("file");
                w.WriteString("file_data", file.Uri);
                w.WriteString("filename", file.Name ?? (file.MediaType == "application/pdf" ? "file.pdf" : "file"));
                w.WriteEndObject();
                w.WriteEndObject();
                break;
        }
    }

    private static void WriteImage(Utf8JsonWriter w, string url, AIContent content)
    {
        w.WriteStartObject();
        w.WriteString("type", "image_url");
        w.WriteStartObject("image_url");
        w.WriteString("url", url);
        if (content.AdditionalProperties?.TryGetValue("detail", out var detail) == true && detail?.ToString() is { Length: > 0 } level)
        {
            w.WriteString("detail", level);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static bool HasCalls(IList<AIContent> contents)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent)
            {
                return true;
            }
        }

        return false;
    }
}
