using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Gemini;

/// <summary>Translates a Microsoft.Extensions.AI conversation into a Gemini <c>generateContent</c> body.</summary>
/// <remarks>
/// Reasoning text from earlier turns is not sent back (Gemini does not take thoughts as input); a
/// function call's <c>thoughtSignature</c> is, when the call came from Gemini. Results are matched to
/// their function's name through the earlier call with the same id, since Gemini wants the name.
/// </remarks>
internal static class GeminiRequest
{
    /// <summary>The key under which a function call keeps Gemini's thought signature.</summary>
    public const string ThoughtSignature = "thoughtSignature";

    private const string SyntheticIdPrefix = "call_";

    /// <summary>Makes a call id for a call Gemini gave none; such ids are not sent back.</summary>
    public static string NewCallId() => SyntheticIdPrefix + Guid.NewGuid().ToString("N");

    public static JsonObject Build(IList<ChatMessage> messages, ChatOptions? options)
    {
        var system = new JsonArray();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            system.AddNode(new JsonObject { ["text"] = instructions });
        }

        var names = ToolJson.CallNames(messages);
        var contents = new JsonArray();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                foreach (var text in message.Contents.OfType<TextContent>())
                {
                    system.AddNode(new JsonObject { ["text"] = text.Text });
                }

                continue;
            }

            var parts = Parts(message, names);
            if (parts.Count > 0)
            {
                contents.AddNode(new JsonObject { ["role"] = message.Role == ChatRole.Assistant ? "model" : "user", ["parts"] = parts });
            }
        }

        var body = new JsonObject();
        if (system.Count > 0)
        {
            body["systemInstruction"] = new JsonObject { ["parts"] = system };
        }

        body["contents"] = contents;
        AddTools(body, options);
        body["generationConfig"] = GenerationConfig(options);
        return body;
    }

    private static JsonArray Parts(ChatMessage message, Dictionary<string, string> names)
    {
        var parts = new JsonArray();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    parts.AddNode(new JsonObject { ["text"] = text.Text });
                    break;
                case DataContent data:
                    parts.AddNode(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = data.MediaType, ["data"] = data.Base64Data.ToString() } });
                    break;
                case UriContent uri:
                    parts.AddNode(new JsonObject { ["fileData"] = new JsonObject { ["mimeType"] = uri.MediaType, ["fileUri"] = uri.Uri.ToString() } });
                    break;
                case FunctionCallContent call:
                    var functionCall = new JsonObject { ["name"] = call.Name, ["args"] = ToolJson.Arguments(call) };
                    AddId(functionCall, call.CallId);
                    var part = new JsonObject { ["functionCall"] = functionCall };
                    if (call.AdditionalProperties?.TryGetValue(ThoughtSignature, out var signature) == true && signature is not null)
                    {
                        part[ThoughtSignature] = signature.ToString();
                    }

                    parts.AddNode(part);
                    break;
                case FunctionResultContent result:
                    var functionResponse = new JsonObject
                    {
                        ["name"] = names.TryGetValue(result.CallId, out var name) ? name : result.CallId,
                        ["response"] = ResponseObject(result),
                    };
                    AddId(functionResponse, result.CallId);
                    parts.AddNode(new JsonObject { ["functionResponse"] = functionResponse });
                    break;
            }
        }

        return parts;
    }

    // Gemini wants an object; anything else is wrapped as {"result": …} ({"error": …} for a failure).
    private static JsonObject ResponseObject(FunctionResultContent result)
        => ToolJson.Result(result) switch
        {
            JsonObject obj => obj,
            var other when result.Exception is not null && result.Result is null => new JsonObject { ["error"] = other },
            var other => new JsonObject { ["result"] = other },
        };

    private static void AddId(JsonObject target, string? callId)
    {
        if (!string.IsNullOrEmpty(callId) && !IsSynthetic(callId))
        {
            target["id"] = callId;
        }
    }

    private static bool IsSynthetic(string callId)
        => callId.Length == SyntheticIdPrefix.Length + 32 && callId.StartsWith(SyntheticIdPrefix, StringComparison.Ordinal)
        && callId.AsSpan(SyntheticIdPrefix.Length).ContainsOnlyHex();

    private static bool ContainsOnlyHex(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddTools(JsonObject body, ChatOptions? options)
    {
        var declarations = new JsonArray();
        foreach (var function in ToolJson.Declarations(options))
        {
            var declaration = new JsonObject { ["name"] = function.Name };
            if (!string.IsNullOrEmpty(function.Description))
            {
                declaration["description"] = function.Description;
            }

            // Gemini refuses an object schema without properties: a function without parameters has none.
            var parameters = ToolJson.ToOpenApiSubset(ToolJson.Parameters(function));
            if (parameters["properties"] is JsonObject { Count: > 0 } || parameters["type"]?.GetValue<string>() is not "object")
            {
                declaration["parameters"] = parameters;
            }

            declarations.AddNode(declaration);
        }

        if (declarations.Count > 0)
        {
            body["tools"] = new JsonArray(new JsonObject { ["functionDeclarations"] = declarations });
        }

        var config = options?.ToolMode switch
        {
            NoneChatToolMode => new JsonObject { ["mode"] = "NONE" },
            AutoChatToolMode => new JsonObject { ["mode"] = "AUTO" },
            RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject { ["mode"] = "ANY", ["allowedFunctionNames"] = new JsonArray(name) },
            RequiredChatToolMode => new JsonObject { ["mode"] = "ANY" },
            _ => null,
        };
        if (config is not null && declarations.Count > 0)
        {
            body["toolConfig"] = new JsonObject { ["functionCallingConfig"] = config };
        }
    }

    private static JsonObject GenerationConfig(ChatOptions? options)
    {
        var config = new JsonObject();
        if (options is not null)
        {
            config.SetIfSet("temperature", options.Temperature);
            config.SetIfSet("topP", options.TopP);
            config.SetIfSet("topK", options.TopK);
            config.SetIfSet("maxOutputTokens", options.MaxOutputTokens);
            config.SetIfSet("seed", options.Seed);
            config.SetIfSet("frequencyPenalty", options.FrequencyPenalty);
            config.SetIfSet("presencePenalty", options.PresencePenalty);
            if (options.StopSequences is { Count: > 0 } stops)
            {
                config["stopSequences"] = new JsonArray([.. stops.Select(s => (JsonNode?)s)]);
            }

            if (options.ResponseFormat is ChatResponseFormatJson json)
            {
                config["responseMimeType"] = "application/json";
                if (json.Schema is { ValueKind: JsonValueKind.Object } schema && JsonNode.Parse(schema.GetRawText()) is JsonObject schemaObject)
                {
                    config["responseSchema"] = ToolJson.ToOpenApiSubset(schemaObject);
                }
            }
        }

        if (options?.Reasoning?.Effort is { } effort)
        {
            // LiteLLM's mapping of reasoning_effort to a thinking budget (none turns thinking off).
            config["thinkingConfig"] = effort == ReasoningEffort.None
                ? new JsonObject { ["thinkingBudget"] = 0, ["includeThoughts"] = false }
                : new JsonObject
                {
                    ["thinkingBudget"] = effort switch { ReasoningEffort.Low => 1024, ReasoningEffort.Medium => 2048, _ => 4096 },
                    ["includeThoughts"] = true,
                };
        }

        config["candidateCount"] = 1;
        return config;
    }

}
