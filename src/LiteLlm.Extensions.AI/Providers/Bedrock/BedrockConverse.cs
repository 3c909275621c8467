using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Errors;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Bedrock;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a Converse request, and a Converse answer back.</summary>
internal static partial class BedrockConverse
{
    // Converse request members a caller may pass through at the top level; any other extra field is
    // a model parameter and goes into additionalModelRequestFields (as LiteLLM does).
    private static readonly HashSet<string> TopLevelFields = new(StringComparer.Ordinal)
    {
        "guardrailConfig", "additionalModelRequestFields", "additionalModelResponseFieldPaths", "promptVariables",
        "requestMetadata", "performanceConfig", "serviceTier", "outputConfig", "toolConfig", "inferenceConfig", "system",
    };

    /// <summary>Builds the Converse / ConverseStream request body.</summary>
    public static JsonObject BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, JsonObject? extraBody, string provider, string model)
    {
        var system = new JsonArray();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            system.AddNode(new JsonObject { ["text"] = instructions });
        }

        var turns = new JsonArray();
        string? lastRole = null;
        JsonArray? lastContent = null;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                foreach (var text in message.Contents.OfType<TextContent>().Where(t => !string.IsNullOrEmpty(t.Text)))
                {
                    system.AddNode(new JsonObject { ["text"] = text.Text });
                    AddCachePoint(system, text);
                }

                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user"; // tool results travel in user turns
            var blocks = new List<JsonNode>();
            foreach (var content in message.Contents)
            {
                if (Block(content, provider, model) is { } block)
                {
                    blocks.Add(block);
                    if (HasCacheControl(content))
                    {
                        blocks.Add(CachePoint());
                    }
                }
            }

            if (blocks.Count == 0)
            {
                continue;
            }

            if (role == lastRole && lastContent is not null)
            {
                // Converse wants alternating turns: consecutive messages of one role become one turn.
                foreach (var block in blocks)
                {
                    lastContent.Add(block);
                }

                continue;
            }

            lastRole = role;
            lastContent = new JsonArray([.. blocks]);
            turns.AddNode(new JsonObject { ["role"] = role, ["content"] = lastContent });
        }

        var body = new JsonObject { ["messages"] = turns };
        if (system.Count > 0)
        {
            body["system"] = system;
        }

        var inference = new JsonObject();
        var thinking = Thinking(options, model);
        if (options?.MaxOutputTokens is { } maxTokens)
        {
            inference["maxTokens"] = thinking?.Budget is { } budget ? Anthropic.AnthropicRequestBuilder.MaxTokens(maxTokens, budget) : maxTokens;
        }

        if (options?.Temperature is { } temperature)
        {
            inference["temperature"] = temperature;
        }

        if (options?.TopP is { } topP)
        {
            inference["topP"] = topP;
        }

        if (options?.StopSequences is { Count: > 0 } stops)
        {
            inference["stopSequences"] = new JsonArray([.. stops.Select(s => JsonValue.Create(s))]);
        }

        if (inference.Count > 0)
        {
            body["inferenceConfig"] = inference;
        }

        if (ToolConfig(options, CachedTools(options)) is { } toolConfig)
        {
            body["toolConfig"] = toolConfig;
        }

        var additional = new JsonObject();
        if (options?.TopK is { } topK)
        {
            additional["top_k"] = topK;
        }

        if (thinking is { } enabled)
        {
            additional["thinking"] = enabled.Config;
        }

        if (extraBody is not null)
        {
            foreach (var (name, value) in extraBody)
            {
                if (TopLevelFields.Contains(name))
                {
                    if (name == "additionalModelRequestFields" && value is JsonObject fields)
                    {
                        foreach (var (fieldName, fieldValue) in fields)
                        {
                            additional[fieldName] = fieldValue?.DeepClone();
                        }
                    }
                    else
                    {
                        body[name] = value?.DeepClone();
                    }
                }
                else
                {
                    additional[name] = value?.DeepClone();
                }
            }
        }

        if (additional.Count > 0)
        {
            body["additionalModelRequestFields"] = additional;
        }

        return body;
    }

    /// <summary>Reads a Converse answer.</summary>
    public static ChatResponse ParseResponse(JsonElement root, string model, string? requestId)
    {
        var contents = new List<AIContent>();
        if (root.TryGetProperty("output", out var output) && output.TryGetProperty("message", out var message)
            && message.TryGetProperty("content", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                if (Content(block) is { } content)
                {
                    contents.Add(content);
                }
            }
        }

        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = requestId })
        {
            ModelId = model,
            ResponseId = requestId,
            RawRepresentation = root,
        };
        if (root.TryGetProperty("stopReason", out var stop) && stop.ValueKind == JsonValueKind.String)
        {
            response.FinishReason = new ChatFinishReason(stop.GetString()!);
        }

        if (root.TryGetProperty("usage", out var usage))
        {
            response.Usage = Usage(usage);
        }

        return response;
    }

    /// <summary>Reads Converse usage (<c>inputTokens</c>, <c>outputTokens</c>, <c>totalTokens</c>, cache reads and writes).</summary>
    public static UsageDetails Usage(JsonElement usage)
    {
        var details = new UsageDetails
        {
            InputTokenCount = Long(usage, "inputTokens"),
            OutputTokenCount = Long(usage, "outputTokens"),
            TotalTokenCount = Long(usage, "totalTokens"),
            CachedInputTokenCount = Long(usage, "cacheReadInputTokens"),
        };
        if (Long(usage, "cacheWriteInputTokens") is { } written)
        {
            details.AdditionalCounts = new AdditionalPropertiesDictionary<long> { ["CacheCreationInputTokens"] = written };
        }

        return details;
    }

    /// <summary>Parses a tool call's input (an object, or its JSON text when streamed) into arguments.</summary>
    public static Dictionary<string, object?> Arguments(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(json);
        return Arguments(doc.RootElement);
    }

    public static Dictionary<string, object?> Arguments(JsonElement input)
    {
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (input.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in input.EnumerateObject())
            {
                args[property.Name] = property.Value.Clone();
            }
        }

        return args;
    }

    private static AIContent? Content(JsonElement block)
    {
        if (block.TryGetProperty("text", out var text))
        {
            return new TextContent(text.GetString()) { RawRepresentation = block };
        }

        if (block.TryGetProperty("toolUse", out var toolUse))
        {
            var input = toolUse.TryGetProperty("input", out var i) ? Arguments(i) : [];
            return new FunctionCallContent(StringOf(toolUse, "toolUseId") ?? string.Empty, StringOf(toolUse, "name") ?? string.Empty, input)
            {
                RawRepresentation = block,
            };
        }

        if (block.TryGetProperty("reasoningContent", out var reasoning))
        {
            if (reasoning.TryGetProperty("reasoningText", out var reasoningText))
            {
                return new TextReasoningContent(StringOf(reasoningText, "text")) { ProtectedData = StringOf(reasoningText, "signature"), RawRepresentation = block };
            }

            if (reasoning.TryGetProperty("redactedContent", out var redacted))
            {
                return new TextReasoningContent(string.Empty)
                {
                    ProtectedData = redacted.GetString(),
                    RawRepresentation = block,
                    AdditionalProperties = new() { [Anthropic.AnthropicRequestBuilder.RedactedKey] = true },
                };
            }
        }

        return null; // citations, images and other blocks have no counterpart yet
    }

    private static JsonObject? Block(AIContent content, string provider, string model)
    {
        switch (content)
        {
            case TextContent text:
                return string.IsNullOrEmpty(text.Text) ? null : new JsonObject { ["text"] = text.Text };
            case DataContent data when data.HasTopLevelMediaType("image"):
                return new JsonObject
                {
                    ["image"] = new JsonObject
                    {
                        ["format"] = ImageFormat(data.MediaType, provider, model),
                        ["source"] = new JsonObject { ["bytes"] = Convert.ToBase64String(data.Data.Span) },
                    },
                };
            case FunctionCallContent call:
                return new JsonObject
                {
                    ["toolUse"] = new JsonObject
                    {
                        ["toolUseId"] = call.CallId,
                        ["name"] = call.Name,
                        ["input"] = call.Arguments is null ? new JsonObject() : JsonSerializer.SerializeToNode(call.Arguments, AIJson<IDictionary<string, object?>>.Info),
                    },
                };
            case FunctionResultContent result:
                return new JsonObject
                {
                    ["toolResult"] = new JsonObject
                    {
                        ["toolUseId"] = result.CallId,
                        ["content"] = new JsonArray(ToolResultContent(result)),
                        ["status"] = result.Exception is null ? "success" : "error",
                    },
                };
            case TextReasoningContent reasoning when !string.IsNullOrEmpty(reasoning.Text) && !IsRedacted(reasoning):
                var reasoningText = new JsonObject { ["text"] = reasoning.Text };
                if (reasoning.ProtectedData is { Length: > 0 } signature)
                {
                    reasoningText["signature"] = signature;
                }

                return new JsonObject { ["reasoningContent"] = new JsonObject { ["reasoningText"] = reasoningText } };
            case TextReasoningContent { ProtectedData: { Length: > 0 } redacted }:
                return new JsonObject { ["reasoningContent"] = new JsonObject { ["redactedContent"] = redacted } };
            case DataContent or UriContent:
                throw new BadRequestException(new ProviderErrorDetails(provider, model, null,
                    $"Bedrock Converse accepts images as inline bytes (png, jpeg, gif, webp); '{content.GetType().Name}' of this kind cannot be sent."));
            default:
                return null;
        }
    }

    private static JsonObject ToolResultContent(FunctionResultContent result)
    {
        if (result.Exception is { } error && result.Result is null)
        {
            return new JsonObject { ["text"] = error.Message };
        }

        var node = result.Result switch
        {
            null => null,
            string s => JsonValue.Create(s),
            JsonNode n => n.DeepClone(),
            var other => JsonSerializer.SerializeToNode(other, AIJson<object>.Info),
        };

        // Converse's {"json"} must be an object; anything else is sent as text.
        return node is JsonObject obj
            ? new JsonObject { ["json"] = obj }
            : new JsonObject { ["text"] = node is JsonValue v && v.TryGetValue<string>(out var str) ? str : node?.ToJsonString() ?? string.Empty };
    }

    private static JsonObject? ToolConfig(ChatOptions? options, HashSet<string>? cached)
    {
        var declarations = options?.Tools?.OfType<AIFunctionDeclaration>().ToList();
        if (declarations is not { Count: > 0 })
        {
            return null;
        }

        var tools = new JsonArray();
        foreach (var f in declarations)
        {
            var spec = new JsonObject { ["name"] = f.Name };
            if (!string.IsNullOrEmpty(f.Description))
            {
                spec["description"] = f.Description;
            }

            spec["inputSchema"] = new JsonObject { ["json"] = JsonNode.Parse(f.JsonSchema.GetRawText()) };
            tools.AddNode(new JsonObject { ["toolSpec"] = spec });
            if (cached?.Contains(f.Name) == true)
            {
                tools.AddNode(CachePoint()); // the caller's cache_control on this tool: cache the tools up to here
            }
        }

        var config = new JsonObject { ["tools"] = tools };
        switch (options!.ToolMode)
        {
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                config["toolChoice"] = new JsonObject { ["tool"] = new JsonObject { ["name"] = name } };
                break;
            case RequiredChatToolMode:
                config["toolChoice"] = new JsonObject { ["any"] = new JsonObject() };
                break;
            case AutoChatToolMode:
                config["toolChoice"] = new JsonObject { ["auto"] = new JsonObject() };
                break;
            default:
                break; // no choice given (or "none", which Converse cannot express): the model decides
        }

        return config;
    }

    private static string ImageFormat(string mediaType, string provider, string model) => mediaType.ToUpperInvariant() switch
    {
        "IMAGE/PNG" => "png",
        "IMAGE/JPEG" or "IMAGE/JPG" => "jpeg",
        "IMAGE/GIF" => "gif",
        "IMAGE/WEBP" => "webp",
        _ => throw new BadRequestException(new ProviderErrorDetails(provider, model, null,
            $"Bedrock Converse accepts png, jpeg, gif and webp images, not '{mediaType}'.")),
    };

    private static long? Long(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static string? StringOf(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
