using System.Globalization;
using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.OpenAI;

/// <summary>A chat request translated to MEAI: the messages, the options and what the writer must do.</summary>
internal sealed record ParsedChatRequest(string Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage);

/// <summary>Translates OpenAI chat requests into MEAI <see cref="ChatMessage"/>s and <see cref="ChatOptions"/>.</summary>
internal static class ChatRequestParser
{
    // Client-side credentials and endpoints would let a caller redirect the gateway's provider keys.
    private static readonly HashSet<string> RefusedFields = new(StringComparer.Ordinal)
    {
        "api_key", "api_base", "base_url", "api_version", "extra_headers", "organization", "litellm_credential_name",
    };

    /// <summary>
    /// Translates <paramref name="request"/>; <paramref name="body"/> is the same request as the client sent it, which
    /// travels along (<see cref="WireJson"/>) so that an OpenAI-family provider receives every field as sent.
    /// </summary>
    public static ParsedChatRequest Parse(ChatCompletionRequest request, CallerIdentity caller, JsonElement? body = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = RequireModel(request.Model);
        if (request.N is < 1 or > 128)
        {
            throw GatewayErrors.Invalid($"'n' must be between 1 and 128; got {request.N}.", "n");
        }

        if (request.Messages is not { Count: > 0 } messages)
        {
            throw GatewayErrors.Invalid("'messages' must be a non-empty array.", "messages");
        }

        Range(request.Temperature, 0, 2, "temperature");
        Range(request.TopP, 0, 1, "top_p");
        Range(request.FrequencyPenalty, -2, 2, "frequency_penalty");
        Range(request.PresencePenalty, -2, 2, "presence_penalty");
        if ((request.MaxCompletionTokens ?? request.MaxTokens) is < 1 or > 10_000_000)
        {
            throw GatewayErrors.Invalid("'max_tokens' must be between 1 and 10,000,000.", request.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens");
        }

        var rawMessages = body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == messages.Count
            ? m : (JsonElement?)null;
        var list = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = ParseMessage(messages[i] ?? throw GatewayErrors.Invalid($"messages[{i}] must be an object.", $"messages[{i}]"), i);
            if (rawMessages is { } raw)
            {
                message.RawRepresentation = new WireJson(WireFormat.OpenAIChat, raw[i]);
            }

            list.Add(message);
        }

        var options = new ChatOptions
        {
            ModelId = model,
            Temperature = request.Temperature,
            TopP = request.TopP,
            FrequencyPenalty = request.FrequencyPenalty,
            PresencePenalty = request.PresencePenalty,
            Seed = request.Seed,
            MaxOutputTokens = request.MaxCompletionTokens ?? request.MaxTokens,
            AllowMultipleToolCalls = request.ParallelToolCalls,
            StopSequences = ParseStop(request.Stop),
            ResponseFormat = ParseResponseFormat(request.ResponseFormat),
        };

        if (request.Tools is { Count: > 0 } tools)
        {
            options.Tools = ParseTools(tools);
        }

        options.ToolMode = ParseToolChoice(request.ToolChoice);
        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } required } && options.Tools?.Any(t => t.Name == required) != true)
        {
            throw GatewayErrors.Invalid($"'tool_choice' names '{required}', which is not in 'tools'.", "tool_choice");
        }
        var extra = PassThrough(request.Extra, out var recorded);
        options.Reasoning = ParseReasoningEffort(extra);
        if (request.N is > 1)
        {
            extra["n"] = request.N.Value; // OpenAI-family providers answer every choice; others refuse it (drop_params)
        }

        if (request.User is { } user)
        {
            extra["user"] = user;
        }

        options.AdditionalProperties = extra;
        options.AdditionalProperties["metadata"] = Metadata(caller, request.Metadata, request.User, recorded);
        if (body is { ValueKind: JsonValueKind.Object } whole)
        {
            var wire = new WireJson(WireFormat.OpenAIChat, whole);
            options.RawRepresentationFactory = _ => wire;
        }

        return new ParsedChatRequest(model, list, options, request.Stream ?? false, request.StreamOptions?.IncludeUsage ?? false);
    }

    // OpenAI's reasoning_effort, as MEAI's ReasoningOptions: other protocols map it (Anthropic and Gemini thinking budgets).
    private static ReasoningOptions? ParseReasoningEffort(AdditionalPropertiesDictionary extra)
    {
        if (!extra.TryGetValue("reasoning_effort", out var value))
        {
            return null;
        }

        extra.Remove("reasoning_effort");
        var text = value is JsonElement { ValueKind: JsonValueKind.String } s ? s.GetString() : value is JsonElement { ValueKind: JsonValueKind.Null } ? null : "?";
        ReasoningEffort? effort = text switch
        {
            null => null,
            "none" => ReasoningEffort.None,
            "minimal" or "low" => ReasoningEffort.Low,
            "medium" => ReasoningEffort.Medium,
            "high" => ReasoningEffort.High,
            "xhigh" => ReasoningEffort.ExtraHigh,
            _ => throw GatewayErrors.Invalid("'reasoning_effort' must be one of none, minimal, low, medium, high, xhigh.", "reasoning_effort"),
        };
        return effort is null ? null : new ReasoningOptions { Effort = effort };
    }

    public static string RequireModel(string? model)
        => string.IsNullOrWhiteSpace(model) ? throw GatewayErrors.Invalid("'model' is required.", "model") : model;

    /// <summary>
    /// Builds the <c>metadata</c> dictionary budgets, callbacks and the spend record read: the caller, the request's own
    /// metadata, and the gateway-only fields it records (<c>tags</c>, <c>litellm_session_id</c>, …).
    /// </summary>
    public static Dictionary<string, object?> Metadata(CallerIdentity caller, Dictionary<string, JsonElement>? requested, string? user, Dictionary<string, JsonElement>? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (requested is not null)
        {
            foreach (var (key, value) in requested)
            {
                metadata[key] = value;
            }
        }

        metadata["user_id"] = caller.UserId;
        metadata["team_id"] = caller.TeamId;
        metadata["key_id"] = caller.KeyId;
        if (caller.KeyAlias is not null)
        {
            metadata["key_alias"] = caller.KeyAlias;
        }

        if (user is not null)
        {
            metadata["end_user"] = user;
        }

        if (recorded is not null)
        {
            foreach (var (key, value) in recorded)
            {
                metadata[key] = value;
            }
        }

        return metadata;
    }

    /// <summary>The request's other fields: provider parameters pass through; gateway-only fields never reach a provider.</summary>
    public static AdditionalPropertiesDictionary PassThrough(Dictionary<string, JsonElement>? extra)
        => PassThrough(extra, out _);

    /// <summary>
    /// The request's other fields: provider parameters pass through; the library's per-call settings stay settings;
    /// the gateway-only fields LiteLLM records (<c>tags</c>, session and trace ids) come back in <paramref name="recorded"/>;
    /// the rest of the gateway-only list is consumed (<see cref="GatewayFields"/>).
    /// </summary>
    public static AdditionalPropertiesDictionary PassThrough(Dictionary<string, JsonElement>? extra, out Dictionary<string, JsonElement>? recorded)
    {
        recorded = null;
        var result = new AdditionalPropertiesDictionary();
        if (extra is null)
        {
            return result;
        }

        foreach (var (key, value) in extra)
        {
            if (RefusedFields.Contains(key) || key.StartsWith("aws_", StringComparison.Ordinal) || key.StartsWith("vertex_", StringComparison.Ordinal))
            {
                throw GatewayErrors.Invalid($"'{key}' cannot be set by clients: provider credentials and endpoints come from the gateway's config.", key);
            }

            if (!GatewayFields.IsGatewayField(key) || GatewayFields.LibrarySettings.Contains(key))
            {
                result[key] = value;
            }
            else if (GatewayFields.Recorded.Contains(key))
            {
                (recorded ??= new(StringComparer.Ordinal))[key] = value;
            }
            else if (key == "disable_fallbacks" && value.ValueKind == JsonValueKind.True)
            {
                result["fallbacks"] = Array.Empty<string>();
            }
        }

        return result;
    }

    public static IList<string>? ParseStop(JsonElement? stop, string param = "stop")
    {
        switch (stop)
        {
            case null:
            case { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s:
                return [s.GetString()!];
            case { ValueKind: JsonValueKind.Array } a:
                var list = new List<string>();
                foreach (var item in a.EnumerateArray())
                {
                    list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw GatewayErrors.Invalid($"'{param}' must be a string or an array of strings.", param));
                }

                return list.Count switch
                {
                    0 => null,
                    > 4 => throw GatewayErrors.Invalid($"'{param}' may hold at most 4 sequences.", param),
                    _ => list,
                };
            default:
                throw GatewayErrors.Invalid($"'{param}' must be a string or an array of strings.", param);
        }
    }

    private static ChatResponseFormat? ParseResponseFormat(JsonElement? format)
    {
        if (format is not { ValueKind: not JsonValueKind.Null } f)
        {
            return null;
        }

        if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw GatewayErrors.Invalid("'response_format' must be an object with a 'type'.", "response_format");
        }

        switch (type.GetString())
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                if (!f.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object)
                {
                    throw GatewayErrors.Invalid("'response_format.json_schema' is required for type 'json_schema'.", "response_format.json_schema");
                }

                var schema = js.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object ? s : JsonDocument.Parse("{}").RootElement;
                return ChatResponseFormat.ForJsonSchema(schema, Str(js, "name"), Str(js, "description"));
            default:
                throw GatewayErrors.Invalid($"'response_format.type' must be 'text', 'json_object' or 'json_schema', not '{type.GetString()}'.", "response_format.type");
        }
    }

    private static List<AITool> ParseTools(List<ToolDto> tools)
    {
        var result = new List<AITool>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i] ?? throw GatewayErrors.Invalid($"tools[{i}] must be an object.", $"tools[{i}]");
            if (tool.Type is not (null or "function"))
            {
                throw GatewayErrors.Invalid($"tools[{i}].type '{tool.Type}' is not supported; only 'function' tools are.", $"tools[{i}].type");
            }

            if (tool.Function is not { Name: { Length: > 0 } name } function)
            {
                throw GatewayErrors.Invalid($"tools[{i}].function.name is required.", $"tools[{i}].function.name");
            }

            var parameters = function.Parameters is { ValueKind: JsonValueKind.Object } p ? p
                : function.Parameters is null or { ValueKind: JsonValueKind.Null } ? EmptySchema
                : throw GatewayErrors.Invalid($"tools[{i}].function.parameters must be a JSON Schema object.", $"tools[{i}].function.parameters");
            result.Add(AIFunctionFactory.CreateDeclaration(name, function.Description, parameters, null));
        }

        return result;
    }

    private static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    private static ChatToolMode? ParseToolChoice(JsonElement? choice)
    {
        switch (choice)
        {
            case null:
            case { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString() switch
                {
                    "auto" => ChatToolMode.Auto,
                    "none" => ChatToolMode.None,
                    "required" => ChatToolMode.RequireAny,
                    var other => throw GatewayErrors.Invalid($"'tool_choice' must be 'none', 'auto', 'required' or a function, not '{other}'.", "tool_choice"),
                };
            case { ValueKind: JsonValueKind.Object } o
                when o.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object && Str(f, "name") is { Length: > 0 } name:
                return ChatToolMode.RequireSpecific(name);
            default:
                throw GatewayErrors.Invalid("'tool_choice' must be a string or {\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice");
        }
    }

    private static ChatMessage ParseMessage(ChatMessageDto dto, int index)
    {
        var path = $"messages[{index}]";
        ChatMessage message;
        switch (dto.Role)
        {
            case "system" or "developer":
                message = new ChatMessage(ChatRole.System, Text(dto.Content, path + ".content"));
                break;
            case "user":
                message = new ChatMessage(ChatRole.User, Contents(dto.Content, path + ".content", required: true));
                break;
            case "assistant":
                var contents = Contents(dto.Content, path + ".content", required: false);
                if (dto.Extra is { } fields && fields.TryGetValue("thinking_blocks", out var blocks))
                {
                    contents.InsertRange(0, ThinkingBlocks(blocks, path + ".thinking_blocks"));
                }

                if (dto.ToolCalls is { Count: > 0 } calls)
                {
                    for (var j = 0; j < calls.Count; j++)
                    {
                        contents.Add(ParseToolCall(calls[j] ?? throw GatewayErrors.Invalid($"{path}.tool_calls[{j}] must be an object.", $"{path}.tool_calls[{j}]"), $"{path}.tool_calls[{j}]"));
                    }
                }

                message = new ChatMessage(ChatRole.Assistant, contents);
                break;
            case "tool":
                if (string.IsNullOrEmpty(dto.ToolCallId))
                {
                    throw GatewayErrors.Invalid($"{path}.tool_call_id is required for a tool message.", path + ".tool_call_id");
                }

                message = new ChatMessage(ChatRole.Tool, [new FunctionResultContent(dto.ToolCallId, Text(dto.Content, path + ".content"))]);
                break;
            case null:
                throw GatewayErrors.Invalid($"{path}.role is required.", path + ".role");
            default:
                throw GatewayErrors.Invalid($"{path}.role '{dto.Role}' is not one of system, developer, user, assistant, tool.", path + ".role");
        }

        message.AuthorName = dto.Name;
        return message;
    }

    /// <summary>
    /// LiteLLM's <c>thinking_blocks</c> on an assistant message (Anthropic's thinking, returned to an OpenAI-format client)
    /// as MEAI reasoning: the signature (or a redacted block's data) is the protected data Anthropic needs back.
    /// </summary>
    private static List<AIContent> ThinkingBlocks(JsonElement blocks, string path)
    {
        if (blocks.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (blocks.ValueKind != JsonValueKind.Array)
        {
            throw GatewayErrors.Invalid($"{path} must be an array of thinking blocks.", path);
        }

        var result = new List<AIContent>();
        var i = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            switch (Str(block, "type"))
            {
                case "thinking":
                    result.Add(new TextReasoningContent(Str(block, "thinking") ?? string.Empty) { ProtectedData = Str(block, "signature") });
                    break;
                case "redacted_thinking":
                    result.Add(new TextReasoningContent(string.Empty) { ProtectedData = Str(block, "data"), AdditionalProperties = new() { ["redacted"] = true } });
                    break;
                default:
                    throw GatewayErrors.Invalid($"{path}[{i}].type must be 'thinking' or 'redacted_thinking'.", $"{path}[{i}].type");
            }

            i++;
        }

        return result;
    }

    private static FunctionCallContent ParseToolCall(ToolCallDto call, string path)
    {
        if (call.Function is not { Name: { Length: > 0 } name } function)
        {
            throw GatewayErrors.Invalid($"{path}.function.name is required.", path + ".function.name");
        }

        IDictionary<string, object?>? arguments = null;
        if (!string.IsNullOrWhiteSpace(function.Arguments))
        {
            try
            {
                var parsed = JsonSerializer.Deserialize(function.Arguments, GatewayJson.Context.DictionaryStringJsonElement);
                arguments = parsed?.ToDictionary(p => p.Key, p => (object?)p.Value);
            }
            catch (JsonException)
            {
                throw GatewayErrors.Invalid($"{path}.function.arguments must be a JSON object encoded as a string.", path + ".function.arguments");
            }
        }

        // The id pairs the call with its tool result: without it the conversation cannot be answered.
        return new FunctionCallContent(
            string.IsNullOrEmpty(call.Id) ? throw GatewayErrors.Invalid($"{path}.id is required.", path + ".id") : call.Id, name, arguments);
    }

    private static void Range(float? value, float min, float max, string param)
    {
        if (value is { } v && (float.IsNaN(v) || v < min || v > max))
        {
            throw GatewayErrors.Invalid(Format($"'{param}' must be between {min} and {max}; got {v}."), param);
        }
    }

    /// <summary>Reads content that must be text: a string or an array of text parts.</summary>
    public static string Text(JsonElement? content, string path)
    {
        switch (content)
        {
            case null:
            case { ValueKind: JsonValueKind.Null }:
                return string.Empty;
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString()!;
            case { ValueKind: JsonValueKind.Array } a:
                var text = new StringBuilder();
                var i = 0;
                foreach (var part in a.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || Str(part, "type") != "text" || Str(part, "text") is not { } t)
                    {
                        throw GatewayErrors.Invalid($"{path}[{i}] must be a text part {{\"type\":\"text\",\"text\":...}}.", $"{path}[{i}]");
                    }

                    text.Append(t);
                    i++;
                }

                return text.ToString();
            default:
                throw GatewayErrors.Invalid($"{path} must be a string or an array of content parts.", path);
        }
    }

    private static List<AIContent> Contents(JsonElement? content, string path, bool required)
    {
        switch (content)
        {
            case null:
            case { ValueKind: JsonValueKind.Null }:
                return required ? throw GatewayErrors.Invalid($"{path} is required.", path) : [];
            case { ValueKind: JsonValueKind.String } s:
                return [new TextContent(s.GetString())];
            case { ValueKind: JsonValueKind.Array } a:
                var list = new List<AIContent>();
                var i = 0;
                foreach (var part in a.EnumerateArray())
                {
                    list.Add(Part(part, $"{path}[{i++}]"));
                }

                return list;
            default:
                throw GatewayErrors.Invalid($"{path} must be a string or an array of content parts.", path);
        }
    }

    private static AIContent Part(JsonElement part, string path)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw GatewayErrors.Invalid($"{path} must be a content part object.", path);
        }

        switch (Str(part, "type"))
        {
            case "text":
                return new TextContent(Str(part, "text") ?? throw GatewayErrors.Invalid($"{path}.text is required.", path + ".text"));
            case "image_url":
                var url = part.TryGetProperty("image_url", out var iu)
                    ? iu.ValueKind == JsonValueKind.String ? iu.GetString() : Str(iu, "url")
                    : null;
                if (string.IsNullOrEmpty(url))
                {
                    throw GatewayErrors.Invalid($"{path}.image_url.url is required.", path + ".image_url.url");
                }

                return Media(url, "image/*", path + ".image_url.url");
            case "input_audio":
                if (!part.TryGetProperty("input_audio", out var audio) || Str(audio, "data") is not { } data)
                {
                    throw GatewayErrors.Invalid($"{path}.input_audio.data is required.", path + ".input_audio.data");
                }

                return DataOf(data, "audio/" + (Str(audio, "format") ?? "wav"), path + ".input_audio.data");
            case "file":
                if (!part.TryGetProperty("file", out var file) || Str(file, "file_data") is not { } fileData)
                {
                    throw GatewayErrors.Invalid($"{path}.file.file_data is required (file ids are not supported).", path + ".file.file_data");
                }

                var content = fileData.StartsWith("data:", StringComparison.Ordinal)
                    ? Media(fileData, "application/octet-stream", path + ".file.file_data")
                    : DataOf(fileData, "application/pdf", path + ".file.file_data");
                if (content is DataContent dc)
                {
                    dc.Name = Str(file, "filename");
                }

                return content;
            case var other:
                throw GatewayErrors.Invalid($"{path}.type '{other}' is not a supported content part (text, image_url, input_audio, file).", path + ".type");
        }
    }

    /// <summary>An http(s) URL or a base64 data URL as MEAI content; anything else is a 400 naming <paramref name="path"/>.</summary>
    internal static AIContent Media(string url, string mediaType, string path)
    {
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            try
            {
                return new DataContent(url);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw GatewayErrors.Invalid($"{path} is not a valid base64 data URL.", path);
            }
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new UriContent(uri, mediaType)
            : throw GatewayErrors.Invalid($"{path} must be an http(s) URL or a data URL.", path);
    }

    private static DataContent DataOf(string base64, string mediaType, string path)
    {
        try
        {
            return new DataContent(Convert.FromBase64String(base64), mediaType);
        }
        catch (FormatException)
        {
            throw GatewayErrors.Invalid($"{path} is not valid base64.", path);
        }
    }

    internal static string? Str(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
