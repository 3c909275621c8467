using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol.OpenAI;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>
/// Responses input items (messages, <c>function_call</c>, <c>function_call_output</c>, <c>reasoning</c>) as MEAI messages.
/// Consecutive function calls join the assistant message before them and consecutive outputs share one tool message,
/// the shape every chat protocol expects for parallel calls.
/// </summary>
internal static class ResponsesItems
{
    /// <summary>
    /// Adds <paramref name="items"/> as messages, each message carrying its items as its raw representation (an item, or an
    /// array when several joined one message) for a provider that speaks Responses. Reasoning items have no MEAI message
    /// of their own; they travel in the raw representation of the message that follows them.
    /// </summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="items">The items to add.</param>
    /// <param name="path">The parameter the items came from, for errors.</param>
    /// <param name="native">Whether every deployment speaks Responses: items only OpenAI can run (built-in tool calls) are carried, not refused.</param>
    public static void AddItems(List<ChatMessage> messages, IReadOnlyList<JsonElement> items, string path, bool native)
    {
        var pending = new List<JsonElement>();
        for (var i = 0; i < items.Count; i++)
        {
            var before = messages.Count;
            var last = before > 0 ? messages[^1] : null;
            if (!AddItem(messages, items[i], $"{path}[{i}]", native))
            {
                pending.Add(items[i]);
                continue;
            }

            var target = messages.Count > before ? messages[^1] : last!;
            pending.Add(items[i]);
            target.RawRepresentation = Carry(target.RawRepresentation, pending, fresh: messages.Count > before);
            pending.Clear();
        }

        if (pending.Count > 0 && messages.Count > 0)
        {
            messages[^1].RawRepresentation = Carry(messages[^1].RawRepresentation, pending, fresh: false);
        }
    }

    private static WireJson Carry(object? existing, List<JsonElement> items, bool fresh)
    {
        var carried = new List<JsonElement>();
        if (!fresh && WireJson.As(existing, WireFormat.OpenAIResponses)?.Json is { } old)
        {
            if (old.ValueKind == JsonValueKind.Array)
            {
                carried.AddRange(old.EnumerateArray());
            }
            else if (old.ValueKind == JsonValueKind.Object)
            {
                carried.Add(old);
            }
        }

        carried.AddRange(items);
        if (carried.Count == 1)
        {
            return new WireJson(WireFormat.OpenAIResponses, carried[0]);
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in carried)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return new WireJson(WireFormat.OpenAIResponses, document.RootElement.Clone());
    }

    /// <summary>Adds one item; false when it has no MEAI message of its own (reasoning, or a built-in tool's item on a native deployment).</summary>
    private static bool AddItem(List<ChatMessage> messages, JsonElement item, string path, bool native)
    {
        var type = ResponsesRequestParser.Str(item, "type");
        switch (type)
        {
            case "message":
            case null when item.TryGetProperty("role", out _):
                AddMessage(messages, item, path);
                return true;
            case "function_call":
                var call = new FunctionCallContent(
                    Required(item, "call_id", path),
                    Required(item, "name", path),
                    Arguments(ResponsesRequestParser.Str(item, "arguments"), path + ".arguments"));
                if (messages.Count > 0 && messages[^1].Role == ChatRole.Assistant)
                {
                    messages[^1].Contents.Add(call);
                }
                else
                {
                    messages.Add(new ChatMessage(ChatRole.Assistant, [call]));
                }

                break;
            case "function_call_output":
                var result = new FunctionResultContent(Required(item, "call_id", path), Output(item, path));
                if (messages.Count > 0 && messages[^1].Role == ChatRole.Tool)
                {
                    messages[^1].Contents.Add(result);
                }
                else
                {
                    messages.Add(new ChatMessage(ChatRole.Tool, [result]));
                }

                break;
            case "reasoning":
                return false; // a provider reached through chat cannot replay another model's reasoning (encrypted or not); as /v1/messages does
            case not null when native:
                return false; // built-in tool calls and item references: only OpenAI knows them, and they travel in the raw representation
            case "item_reference":
                throw GatewayErrors.Invalid($"{path}: 'item_reference' items are not supported; send the item itself or use 'previous_response_id'.", path + ".type", "unsupported_parameter");
            default:
                throw GatewayErrors.Invalid($"{path}.type '{type}' is not supported here (message, function_call, function_call_output, reasoning).", path + ".type");
        }

        return true;
    }

    private static void AddMessage(List<ChatMessage> messages, JsonElement item, string path)
    {
        var role = ResponsesRequestParser.Str(item, "role") switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "system" or "developer" => ChatRole.System,
            var other => throw GatewayErrors.Invalid($"{path}.role '{other}' is not one of user, assistant, system, developer.", path + ".role"),
        };
        if (!item.TryGetProperty("content", out var content))
        {
            throw GatewayErrors.Invalid($"{path}.content is required.", path + ".content");
        }

        var contents = new List<AIContent>();
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                contents.Add(new TextContent(content.GetString()));
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var part in content.EnumerateArray())
                {
                    contents.Add(Part(part, $"{path}.content[{i++}]"));
                }

                break;
            default:
                throw GatewayErrors.Invalid($"{path}.content must be a string or an array of content parts.", path + ".content");
        }

        messages.Add(new ChatMessage(role, contents));
    }

    private static AIContent Part(JsonElement part, string path)
    {
        switch (ResponsesRequestParser.Str(part, "type"))
        {
            case "input_text" or "output_text" or "text":
                return new TextContent(Required(part, "text", path));
            case "refusal":
                return new TextContent(Required(part, "refusal", path));
            case "input_image":
                if (ResponsesRequestParser.Str(part, "image_url") is not { Length: > 0 } url)
                {
                    throw GatewayErrors.Invalid($"{path}.image_url is required (file ids are not supported).", path + ".image_url");
                }

                return ChatRequestParser.Media(url, "image/*", path + ".image_url");
            case "input_file":
                if (ResponsesRequestParser.Str(part, "file_data") is { Length: > 0 } data)
                {
                    var file = data.StartsWith("data:", StringComparison.Ordinal) ? ChatRequestParser.Media(data, "application/octet-stream", path + ".file_data") : Base64(data, path + ".file_data");
                    if (file is DataContent dc)
                    {
                        dc.Name = ResponsesRequestParser.Str(part, "filename");
                    }

                    return file;
                }

                return ResponsesRequestParser.Str(part, "file_url") is { Length: > 0 } fileUrl
                    ? ChatRequestParser.Media(fileUrl, "application/octet-stream", path + ".file_url")
                    : throw GatewayErrors.Invalid($"{path}.file_data or file_url is required (file ids are not supported).", path + ".file_data");
            case var other:
                throw GatewayErrors.Invalid($"{path}.type '{other}' is not a supported content part (input_text, input_image, input_file, output_text, refusal).", path + ".type");
        }
    }

    private static DataContent Base64(string base64, string path)
    {
        try
        {
            return new DataContent(Convert.FromBase64String(base64), "application/pdf");
        }
        catch (FormatException)
        {
            throw GatewayErrors.Invalid($"{path} is not valid base64.", path);
        }
    }

    private static string Output(JsonElement item, string path)
    {
        if (!item.TryGetProperty("output", out var output))
        {
            throw GatewayErrors.Invalid($"{path}.output is required.", path + ".output");
        }

        switch (output.ValueKind)
        {
            case JsonValueKind.String:
                return output.GetString()!;
            case JsonValueKind.Array:
                // Tool output may mix text and images; the text is what every provider accepts as a tool result.
                var text = new StringBuilder();
                foreach (var part in output.EnumerateArray())
                {
                    if (ResponsesRequestParser.Str(part, "type") == "input_text" && ResponsesRequestParser.Str(part, "text") is { } t)
                    {
                        text.Append(t);
                    }
                }

                return text.ToString();
            default:
                throw GatewayErrors.Invalid($"{path}.output must be a string or an array of content parts.", path + ".output");
        }
    }

    private static Dictionary<string, object?>? Arguments(string? arguments, string path)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(arguments, GatewayJson.Context.DictionaryStringJsonElement)?.ToDictionary(p => p.Key, p => (object?)p.Value);
        }
        catch (JsonException)
        {
            throw GatewayErrors.Invalid($"{path} must be a JSON object encoded as a string.", path);
        }
    }

    private static string Required(JsonElement element, string name, string path)
        => ResponsesRequestParser.Str(element, name) is { Length: > 0 } value ? value : throw GatewayErrors.Invalid($"{path}.{name} is required.", $"{path}.{name}");
}
