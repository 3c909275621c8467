using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.OpenAI;

/// <summary>An OpenAI chat completion request, read into MEAI's types.</summary>
internal sealed record ChatRequest(string Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage)
{
    private static readonly HashSet<string> Known =
    [
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "seed",
        "frequency_penalty", "presence_penalty", "response_format", "tools", "tool_choice", "parallel_tool_calls", "n", "metadata",
        "logprobs", "top_logprobs", "functions", "function_call",
    ];

    /// <summary>Parses and validates the body; every refusal names the offending parameter.</summary>
    public static ChatRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw RequestException.Invalid("body", "The request body must be a JSON object.");
        }

        var model = JsonRead.RequiredString(root, "model");
        if (!root.TryGetProperty("messages", out var messagesElement) || messagesElement.ValueKind != JsonValueKind.Array || messagesElement.GetArrayLength() == 0)
        {
            throw RequestException.Invalid("messages", "'messages' must be a non-empty array of messages.");
        }

        var options = new ChatOptions { ModelId = model };
        options.Temperature = JsonRead.Float(root, "temperature", 0, 2);
        options.TopP = JsonRead.Float(root, "top_p", 0, 1);
        options.MaxOutputTokens = JsonRead.Int(root, "max_completion_tokens", 1, 10_000_000) ?? JsonRead.Int(root, "max_tokens", 1, 10_000_000);
        options.Seed = JsonRead.Long(root, "seed");
        options.FrequencyPenalty = JsonRead.Float(root, "frequency_penalty", -2, 2);
        options.PresencePenalty = JsonRead.Float(root, "presence_penalty", -2, 2);
        options.StopSequences = Stop(root);
        if (JsonRead.Int(root, "n", 1, 128) is > 1)
        {
            throw RequestException.Invalid("n", "'n' greater than 1 is not supported by this gateway; send separate requests.");
        }

        if (JsonRead.Bool(root, "parallel_tool_calls") is { } parallel)
        {
            options.AllowMultipleToolCalls = parallel;
        }

        options.ResponseFormat = ResponseFormat(root);
        var tools = Tools(root);
        options.Tools = tools;
        options.ToolMode = ToolChoice(root, tools);

        // Everything else is a provider-specific parameter, passed through (LiteLLM does the same).
        foreach (var property in root.EnumerateObject())
        {
            if (!Known.Contains(property.Name))
            {
                (options.AdditionalProperties ??= [])[property.Name] = property.Value.Clone();
            }
        }

        var stream = JsonRead.Bool(root, "stream") ?? false;
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        return new ChatRequest(model, ReadMessages(messagesElement), options, stream, includeUsage);
    }

    private static List<ChatMessage> ReadMessages(JsonElement array)
    {
        var messages = new List<ChatMessage>(array.GetArrayLength());
        var i = 0;
        foreach (var m in array.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object)
            {
                throw RequestException.Invalid(path, $"'{path}' must be an object with a role.");
            }

            var role = JsonRead.RequiredString(m, "role", path + ".role");
            messages.Add(role switch
            {
                "system" or "developer" => new ChatMessage(ChatRole.System, Content(m, path)),
                "user" => new ChatMessage(ChatRole.User, Content(m, path)),
                "assistant" => Assistant(m, path),
                "tool" => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(JsonRead.RequiredString(m, "tool_call_id", path + ".tool_call_id"), ContentText(m, path))]),
                "function" => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(JsonRead.RequiredString(m, "name", path + ".name"), ContentText(m, path))]),
                _ => throw RequestException.Invalid(path + ".role", $"'{path}.role' must be system, developer, user, assistant or tool; got '{role}'."),
            });
        }

        return messages;
    }

    private static ChatMessage Assistant(JsonElement m, string path)
    {
        var contents = m.TryGetProperty("content", out var c) && c.ValueKind != JsonValueKind.Null ? Content(m, path) : [];
        if (m.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            var j = 0;
            foreach (var call in calls.EnumerateArray())
            {
                var callPath = $"{path}.tool_calls[{j++}]";
                if (!call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                {
                    throw RequestException.Invalid(callPath, $"'{callPath}.function' is required.");
                }

                var arguments = JsonRead.OptionalString(function, "arguments", callPath + ".function.arguments") ?? "{}";
                contents.Add(new FunctionCallContent(
                    JsonRead.RequiredString(call, "id", callPath + ".id"),
                    JsonRead.RequiredString(function, "name", callPath + ".function.name"),
                    ParseArguments(arguments, callPath)));
            }
        }

        return new ChatMessage(ChatRole.Assistant, contents);
    }

    private static Dictionary<string, object?>? ParseArguments(string arguments, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
                : throw RequestException.Invalid(path + ".function.arguments", $"'{path}.function.arguments' must be a JSON object encoded as a string.");
        }
        catch (JsonException)
        {
            throw RequestException.Invalid(path + ".function.arguments", $"'{path}.function.arguments' is not valid JSON.");
        }
    }

    private static List<AIContent> Content(JsonElement m, string path)
    {
        if (!m.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return [new TextContent(content.GetString())];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw RequestException.Invalid(path + ".content", $"'{path}.content' must be a string or an array of content parts.");
        }

        var parts = new List<AIContent>();
        var k = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}.content[{k++}]";
            var type = JsonRead.RequiredString(part, "type", partPath + ".type");
            switch (type)
            {
                case "text":
                    parts.Add(new TextContent(JsonRead.RequiredString(part, "text", partPath + ".text")));
                    break;
                case "image_url":
                    var url = part.TryGetProperty("image_url", out var image) && image.ValueKind == JsonValueKind.Object
                        ? JsonRead.RequiredString(image, "url", partPath + ".image_url.url")
                        : JsonRead.RequiredString(part, "image_url", partPath + ".image_url");
                    parts.Add(Image(url, partPath));
                    break;
                default:
                    throw RequestException.Invalid(partPath + ".type", $"'{partPath}.type' '{type}' is not supported (text, image_url).");
            }
        }

        return parts;
    }

    private static AIContent Image(string url, string path)
    {
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            try
            {
                return new DataContent(url);
            }
            catch (FormatException)
            {
                throw RequestException.Invalid(path + ".image_url.url", $"'{path}.image_url.url' is not a valid data URL.");
            }
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new UriContent(uri, "image/*")
            : throw RequestException.Invalid(path + ".image_url.url", $"'{path}.image_url.url' must be an http(s) or data URL.");
    }

    private static string ContentText(JsonElement m, string path)
        => string.Concat(Content(m, path).OfType<TextContent>().Select(t => t.Text));

    private static List<string>? Stop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array when stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) && stop.GetArrayLength() <= 4
                => stop.EnumerateArray().Select(s => s.GetString()!).ToList(),
            _ => throw RequestException.Invalid("stop", "'stop' must be a string or an array of up to 4 strings."),
        };
    }

    private static ChatResponseFormat? ResponseFormat(JsonElement root)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var type = format.ValueKind == JsonValueKind.Object ? JsonRead.RequiredString(format, "type", "response_format.type") : null;
        switch (type)
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema" when format.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object
                && js.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object:
                return ChatResponseFormat.ForJsonSchema(schema.Clone(), JsonRead.OptionalString(js, "name", "response_format.json_schema.name"), JsonRead.OptionalString(js, "description", "response_format.json_schema.description"));
            default:
                throw RequestException.Invalid("response_format", "'response_format' must be {\"type\": \"text\" | \"json_object\" | \"json_schema\", \"json_schema\": {\"name\", \"schema\"}}.");
        }
    }

    private static List<AITool>? Tools(JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw RequestException.Invalid("tools", "'tools' must be an array.");
        }

        var result = new List<AITool>();
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{i++}]";
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                throw RequestException.Invalid(path, $"'{path}' must be {{\"type\": \"function\", \"function\": {{\"name\", \"parameters\"}}}}.");
            }

            var name = JsonRead.RequiredString(function, "name", path + ".function.name");
            var parameters = function.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.Clone()
                : JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();
            result.Add(AIFunctionFactory.CreateDeclaration(name, JsonRead.OptionalString(function, "description", path + ".function.description") ?? string.Empty, parameters));
        }

        return result;
    }

    private static ChatToolMode? ToolChoice(JsonElement root, List<AITool>? tools)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "none" => ChatToolMode.None,
                "auto" => ChatToolMode.Auto,
                "required" => ChatToolMode.RequireAny,
                var other => throw RequestException.Invalid("tool_choice", $"'tool_choice' '{other}' must be none, auto, required or {{\"type\":\"function\",\"function\":{{\"name\"}}}}."),
            };
        }

        if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            var name = JsonRead.RequiredString(f, "name", "tool_choice.function.name");
            return tools?.Any(t => t.Name == name) == true
                ? ChatToolMode.RequireSpecific(name)
                : throw RequestException.Invalid("tool_choice", $"'tool_choice' names '{name}', which is not in 'tools'.");
        }

        throw RequestException.Invalid("tool_choice", "'tool_choice' must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\"}}.");
    }
}
