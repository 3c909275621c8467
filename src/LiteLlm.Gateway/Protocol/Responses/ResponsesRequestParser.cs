using System.Text.Json;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol.OpenAI;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>A Responses request translated to MEAI, with what the endpoint must do around the call.</summary>
/// <param name="Model">The model group.</param>
/// <param name="Body">The caller's body, unchanged (echoed into the response object).</param>
/// <param name="Messages">The conversation: the stored chain's items, then this request's input.</param>
/// <param name="Options">The options; <see cref="ChatOptions.RawRepresentationFactory"/> gives the body in Responses' format.</param>
/// <param name="InputItems">This request's own input items, normalized (a string input becomes one user message item).</param>
/// <param name="Stream">Whether the answer is streamed.</param>
/// <param name="Store">Whether the response is stored (<c>store</c> is not false).</param>
internal sealed record ParsedResponsesRequest(
    string Model,
    JsonElement Body,
    List<ChatMessage> Messages,
    ChatOptions Options,
    List<JsonElement> InputItems,
    bool Stream,
    bool Store)
{
    public string? PreviousResponseId => ResponsesRequestParser.Str(Body, "previous_response_id");
}

/// <summary>
/// Translates an OpenAI Responses request (<c>POST /responses</c>) into MEAI messages and options, for every provider.
/// Built-in tools (web search, file search, code interpreter, …) run inside OpenAI's service; a provider reached through
/// the chat pipeline cannot run them, so they are refused with a 400 naming the tool rather than silently dropped.
/// </summary>
internal static class ResponsesRequestParser
{
    // Fields the bridge maps, echoes or consumes; any other field travels to the provider as a pass-through body field.
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "model", "input", "instructions", "tools", "tool_choice", "text", "reasoning", "max_output_tokens", "parallel_tool_calls",
        "temperature", "top_p", "stream", "store", "previous_response_id", "metadata", "user", "truncation", "include",
        "background", "service_tier", "stream_options", "safety_identifier", "prompt_cache_key", "top_logprobs", "max_tool_calls",
    };

    /// <summary>Translates <paramref name="body"/>.</summary>
    /// <param name="body">The caller's request.</param>
    /// <param name="caller">Who called (for the metadata budgets and callbacks read).</param>
    /// <param name="history">The items of the stored chain <c>previous_response_id</c> names, oldest first.</param>
    /// <param name="native">Whether every deployment of the model speaks Responses (built-in tools then pass through).</param>
    public static ParsedResponsesRequest Parse(JsonElement body, CallerIdentity caller, IReadOnlyList<JsonElement> history, bool native)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw GatewayErrors.Invalid("The request body must be a JSON object.");
        }

        var model = ChatRequestParser.RequireModel(Str(body, "model"));
        if (Bool(body, "background") is true)
        {
            throw GatewayErrors.Invalid("'background' responses are not supported by the gateway; send background=false or omit it.", "background", "unsupported_parameter");
        }

        if (body.TryGetProperty("conversation", out var conversation) && conversation.ValueKind != JsonValueKind.Null)
        {
            throw GatewayErrors.Invalid("'conversation' is not supported by the gateway; chain responses with 'previous_response_id'.", "conversation", "unsupported_parameter");
        }

        var inputItems = InputItems(body);
        var messages = new List<ChatMessage>();
        if (Str(body, "instructions") is { } instructions)
        {
            // The raw slot holds the instructions string itself: a Responses-speaking provider finds them in the body's own field.
            messages.Add(new ChatMessage(ChatRole.System, instructions) { RawRepresentation = new WireJson(WireFormat.OpenAIResponses, body.GetProperty("instructions")) });
        }

        // The stored chain was checked when it was stored; what a chat provider cannot replay of it is skipped, not refused.
        ResponsesItems.AddItems(messages, history, "previous_response_id", native: true);
        ResponsesItems.AddItems(messages, inputItems, "input", native);

        if (messages.Count == 0)
        {
            throw GatewayErrors.Invalid("'input' is required: a string or a non-empty array of input items.", "input");
        }

        var options = new ChatOptions
        {
            ModelId = model,
            MaxOutputTokens = Int(body, "max_output_tokens"),
            Temperature = Float(body, "temperature", 0, 2),
            TopP = Float(body, "top_p", 0, 1),
            AllowMultipleToolCalls = Bool(body, "parallel_tool_calls"),
            ResponseFormat = ParseFormat(body),
            Reasoning = ParseReasoning(body),
        };
        if (options.MaxOutputTokens is < 1)
        {
            throw GatewayErrors.Invalid("'max_output_tokens' must be a positive integer.", "max_output_tokens");
        }

        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind != JsonValueKind.Null)
        {
            options.Tools = ParseTools(tools, native);
        }

        options.ToolMode = ParseToolChoice(body, native);
        if (options.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } required } && options.Tools?.Any(t => t.Name == required) != true)
        {
            throw GatewayErrors.Invalid($"'tool_choice' names '{required}', which is not in 'tools'.", "tool_choice");
        }

        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!Known.Contains(property.Name))
            {
                extra[property.Name] = property.Value;
            }
        }

        options.AdditionalProperties = ChatRequestParser.PassThrough(extra);
        var requested = body.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
            ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : null;
        options.AdditionalProperties["metadata"] = ChatRequestParser.Metadata(caller, requested, Str(body, "user"));
        // What a Responses-speaking provider sends: the caller's body, with the chain (which only the gateway knows) spelled out.
        var raw = new WireJson(WireFormat.OpenAIResponses, history.Count == 0 ? body : WithHistory(body, history, inputItems));
        options.RawRepresentationFactory = _ => raw;
        return new ParsedResponsesRequest(model, body, messages, options, inputItems, Bool(body, "stream") is true, Bool(body, "store") is not false);
    }

    /// <summary>The request's input as items: a string is one user message.</summary>
    public static List<JsonElement> InputItems(JsonElement body)
    {
        if (!body.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                using (var doc = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(
                    new Dictionary<string, JsonElement> { ["type"] = Json("\"message\""), ["role"] = Json("\"user\""), ["content"] = input },
                    GatewayJson.Context.DictionaryStringJsonElement)))
                {
                    return [doc.RootElement.Clone()];
                }

            case JsonValueKind.Array:
                var items = new List<JsonElement>();
                var i = 0;
                foreach (var item in input.EnumerateArray())
                {
                    items.Add(item.ValueKind == JsonValueKind.Object ? item : throw GatewayErrors.Invalid($"input[{i}] must be an object.", $"input[{i}]"));
                    i++;
                }

                return items;
            default:
                throw GatewayErrors.Invalid("'input' must be a string or an array of input items.", "input");
        }
    }

    /// <summary>The body with <c>previous_response_id</c> resolved: its <c>input</c> is the chain's items, then the request's own.</summary>
    private static JsonElement WithHistory(JsonElement body, IReadOnlyList<JsonElement> history, List<JsonElement> input)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var property in body.EnumerateObject())
            {
                if (property.Name is not ("previous_response_id" or "input"))
                {
                    property.WriteTo(w);
                }
            }

            w.WriteStartArray("input");
            foreach (var item in history.Concat(input))
            {
                item.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static List<AITool> ParseTools(JsonElement tools, bool native)
    {
        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw GatewayErrors.Invalid("'tools' must be an array.", "tools");
        }

        var result = new List<AITool>();
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{i++}]";
            switch (Str(tool, "type"))
            {
                case "function":
                    var name = Str(tool, "name");
                    if (string.IsNullOrEmpty(name))
                    {
                        throw GatewayErrors.Invalid($"{path}.name is required.", path + ".name");
                    }

                    var parameters = tool.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p : EmptySchema;
                    result.Add(AIFunctionFactory.CreateDeclaration(name, Str(tool, "description"), parameters, null));
                    break;
                case null:
                    throw GatewayErrors.Invalid($"{path}.type is required.", path + ".type");
                case not null when native:
                    break; // OpenAI runs it; it travels in the caller's body
                case var builtIn:
                    throw GatewayErrors.Invalid(
                        $"{path}: the built-in tool '{builtIn}' runs inside OpenAI's Responses service; this model is not served over the Responses API (its provider is reached through the chat pipeline) and cannot run it. Only 'function' tools are supported here.",
                        path + ".type", "unsupported_tool");
            }
        }

        return result;
    }

    private static ChatToolMode? ParseToolChoice(JsonElement body, bool native)
    {
        if (!body.TryGetProperty("tool_choice", out var choice))
        {
            return null;
        }

        return choice.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => choice.GetString() switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                var other => throw GatewayErrors.Invalid($"'tool_choice' must be 'none', 'auto', 'required' or a function, not '{other}'.", "tool_choice"),
            },
            JsonValueKind.Object when Str(choice, "type") == "function" && Str(choice, "name") is { Length: > 0 } name => ChatToolMode.RequireSpecific(name),
            JsonValueKind.Object when native => null, // a built-in tool's choice travels in the caller's body
            JsonValueKind.Object when Str(choice, "type") is { } type => throw GatewayErrors.Invalid($"'tool_choice' of type '{type}' is not supported; use a function or none/auto/required.", "tool_choice", "unsupported_tool"),
            _ => throw GatewayErrors.Invalid("'tool_choice' must be a string or {\"type\":\"function\",\"name\":...}.", "tool_choice"),
        };
    }

    private static ChatResponseFormat? ParseFormat(JsonElement body)
    {
        if (!body.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.Object
            || !text.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (Str(format, "type"))
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                var schema = format.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object ? s
                    : throw GatewayErrors.Invalid("'text.format.schema' is required for type 'json_schema'.", "text.format.schema");
                return ChatResponseFormat.ForJsonSchema(schema, Str(format, "name"), Str(format, "description"));
            default:
                throw GatewayErrors.Invalid("'text.format.type' must be 'text', 'json_object' or 'json_schema'.", "text.format.type");
        }
    }

    private static ReasoningOptions? ParseReasoning(JsonElement body)
    {
        if (!body.TryGetProperty("reasoning", out var reasoning) || reasoning.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        ReasoningEffort? effort = Str(reasoning, "effort") switch
        {
            null => null,
            "none" => ReasoningEffort.None,
            "minimal" or "low" => ReasoningEffort.Low,
            "medium" => ReasoningEffort.Medium,
            "high" => ReasoningEffort.High,
            "xhigh" => ReasoningEffort.ExtraHigh,
            var other => throw GatewayErrors.Invalid($"'reasoning.effort' must be none, minimal, low, medium, high or xhigh, not '{other}'.", "reasoning.effort"),
        };
        return effort is null ? null : new ReasoningOptions { Effort = effort };
    }

    private static readonly JsonElement EmptySchema = Json("""{"type":"object","properties":{}}""");

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    internal static string? Str(JsonElement element, string name) => ChatRequestParser.Str(element, name);

    internal static bool? Bool(JsonElement element, string name)
        => element.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw GatewayErrors.Invalid($"'{name}' must be a boolean.", name),
        } : null;

    private static int? Int(JsonElement element, string name)
        => element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : throw GatewayErrors.Invalid($"'{name}' must be an integer.", name)
            : null;

    private static float? Float(JsonElement element, string name, float min, float max)
    {
        if (!element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetSingle(out var f) || float.IsNaN(f) || f < min || f > max)
        {
            throw GatewayErrors.Invalid(ChatRequestParser.Format($"'{name}' must be a number between {min} and {max}."), name);
        }

        return f;
    }
}
