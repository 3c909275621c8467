using System.Text.Json;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Anthropic;

/// <summary>Where a <c>/v1/messages</c> request can go: whether every deployment of its model group speaks Anthropic Messages.</summary>
/// <param name="AnthropicOnly">Every deployment speaks Anthropic Messages: Anthropic-only blocks, tools and fields travel in the caller's body.</param>
/// <param name="Other">A provider of the group that does not (named in refusals).</param>
internal readonly record struct AnthropicTarget(bool AnthropicOnly, string? Other);

/// <summary>A parsed <c>/v1/messages</c> request.</summary>
internal sealed record ParsedAnthropicRequest(string Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream);

/// <summary>
/// Anthropic Messages → MEAI. The caller's whole body travels as a <see cref="WireJson"/> (with its <c>anthropic-*</c> headers)
/// in <see cref="ChatOptions.RawRepresentationFactory"/>, and each message's JSON in <see cref="ChatMessage.RawRepresentation"/>,
/// so an Anthropic deployment receives it as sent. The MEAI objects are filled for everything else: budgets, routing,
/// other providers. What another provider cannot express is refused here with a 400 naming it (see docs/fidelity-anthropic.md).
/// </summary>
internal static class AnthropicRequestTranslator
{
    // Credentials and endpoints come from the gateway's config, never from a caller.
    private static readonly HashSet<string> RefusedFields = new(StringComparer.Ordinal)
    {
        "api_key", "api_base", "base_url", "api_version", "extra_headers", "organization", "litellm_credential_name",
    };

    // LiteLLM's gateway-only request fields: never sent upstream.
    private static readonly HashSet<string> GatewayOnlyFields = new(StringComparer.Ordinal)
    {
        "tags", "litellm_session_id", "litellm_trace_id", "litellm_metadata", "disable_fallbacks", "guardrails", "caching",
        "context_window_fallback_dict",
    };

    // Anthropic request fields no other protocol has.
    private static readonly HashSet<string> AnthropicOnlyFields = new(StringComparer.Ordinal)
    {
        "container", "mcp_servers", "context_management",
    };

    private static readonly JsonElement ObjectSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement;

    public static string RequireModel(string? model)
        => string.IsNullOrWhiteSpace(model) ? throw GatewayErrors.Invalid("model: Field required.", "model") : model;

    public static ParsedAnthropicRequest Parse(JsonElement root, AnthropicRequest request, CallerIdentity caller, IReadOnlyDictionary<string, string>? headers, AnthropicTarget target)
    {
        var model = RequireModel(request.Model);
        if (request.MaxTokens is not { } maxTokens || maxTokens < 1)
        {
            throw GatewayErrors.Invalid("max_tokens: Field required (a positive integer).", "max_tokens");
        }

        if (request.Messages is not { Count: > 0 } input || !root.TryGetProperty("messages", out var rawMessages))
        {
            throw GatewayErrors.Invalid("messages: must be a non-empty array.", "messages");
        }

        var messages = new List<ChatMessage>();
        if (root.TryGetProperty("system", out var system) && system.ValueKind != JsonValueKind.Null)
        {
            messages.Add(new ChatMessage(ChatRole.System, SystemContents(system)) { RawRepresentation = new WireJson(WireFormat.AnthropicMessages, system) });
        }

        var i = 0;
        foreach (var message in rawMessages.EnumerateArray())
        {
            AddMessage(messages, message, $"messages[{i++}]", target);
        }

        var options = new ChatOptions
        {
            ModelId = model,
            MaxOutputTokens = maxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            StopSequences = request.StopSequences is { Count: > 0 } stops ? stops : null,
            Reasoning = Reasoning(request.Thinking),
            AdditionalProperties = [],
        };
        Tools(options, request, target);

        var body = Extras(root, request.Extra, options.AdditionalProperties, target);
        options.AdditionalProperties["metadata"] = Metadata(caller, request.Metadata?.UserId);
        var wire = new WireJson(WireFormat.AnthropicMessages, body) { Headers = headers };
        options.RawRepresentationFactory = _ => wire;
        return new ParsedAnthropicRequest(model, messages, options, request.Stream is true);
    }

    /// <summary>LiteLLM's mapping of a thinking budget to a reasoning effort (≥10000 high, ≥5000 medium, else low).</summary>
    internal static ReasoningOptions? Reasoning(AnthropicThinkingDto? thinking) => thinking switch
    {
        { Type: "enabled", BudgetTokens: >= 10_000 } => new ReasoningOptions { Effort = ReasoningEffort.High },
        { Type: "enabled", BudgetTokens: >= 5_000 } => new ReasoningOptions { Effort = ReasoningEffort.Medium },
        { Type: "enabled" } => new ReasoningOptions { Effort = ReasoningEffort.Low }, // LiteLLM's "minimal" below 2000: MEAI's lowest is low
        _ => null, // disabled, adaptive or absent: the provider's default
    };

    private static List<AIContent> SystemContents(JsonElement system)
    {
        switch (system.ValueKind)
        {
            case JsonValueKind.String:
                return [new TextContent(system.GetString())];
            case JsonValueKind.Array:
                var contents = new List<AIContent>();
                var i = 0;
                foreach (var block in system.EnumerateArray())
                {
                    if (Str(block, "type") != "text" || Str(block, "text") is not { } text)
                    {
                        throw GatewayErrors.Invalid($"system[{i}] must be a text block.", $"system[{i}]");
                    }

                    contents.Add(new TextContent(text) { RawRepresentation = block }); // its cache_control, for Converse's cachePoint
                    i++;
                }

                return contents;
            default:
                throw GatewayErrors.Invalid("system must be a string or an array of text blocks.", "system");
        }
    }

    private static void AddMessage(List<ChatMessage> messages, JsonElement message, string path, AnthropicTarget target)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw GatewayErrors.Invalid($"{path} must be an object.", path);
        }

        var role = Str(message, "role") switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            _ => throw GatewayErrors.Invalid($"{path}.role must be 'user' or 'assistant'.", path + ".role"),
        };

        // Every MEAI message made from this one carries its JSON; the Anthropic provider writes it once, as it came.
        var raw = new WireJson(WireFormat.AnthropicMessages, message);
        message.TryGetProperty("content", out var content);
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                messages.Add(new ChatMessage(role, content.GetString()) { RawRepresentation = raw });
                return;
            case JsonValueKind.Array:
                var contents = new List<AIContent>();
                var results = new List<AIContent>();
                var i = 0;
                foreach (var block in content.EnumerateArray())
                {
                    AnthropicBlockTranslator.Add(block, $"{path}.content[{i++}]", role, target, contents, results);
                }

                // Tool results travel in their own tool message, before the rest of the user's turn.
                if (results.Count > 0)
                {
                    messages.Add(new ChatMessage(ChatRole.Tool, results) { RawRepresentation = raw });
                }

                if (contents.Count > 0 || results.Count == 0)
                {
                    messages.Add(new ChatMessage(role, contents) { RawRepresentation = raw });
                }

                return;
            default:
                throw GatewayErrors.Invalid($"{path}.content must be a string or an array of content blocks.", path + ".content");
        }
    }

    private static void Tools(ChatOptions options, AnthropicRequest request, AnthropicTarget target)
    {
        if (request.Tools is { Count: > 0 } tools)
        {
            var list = new List<AITool>();
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i] ?? throw GatewayErrors.Invalid($"tools[{i}] must be an object.", $"tools[{i}]");
                if (tool.Type is not (null or "custom"))
                {
                    // Anthropic's server tools (web_search_*, code_execution_*, bash_*, text_editor_*, computer_*...) run at
                    // Anthropic: they travel in the caller's body, and no other provider can run them.
                    if (!target.AnthropicOnly)
                    {
                        throw Refused($"tools[{i}]", $"Anthropic server tool '{tool.Type}'", target);
                    }

                    continue;
                }

                if (string.IsNullOrEmpty(tool.Name))
                {
                    throw GatewayErrors.Invalid($"tools[{i}].name: Field required.", $"tools[{i}].name");
                }

                var schema = tool.InputSchema is { ValueKind: JsonValueKind.Object } s ? s : ObjectSchema;
                list.Add(AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, schema, null));
            }

            options.Tools = list;
        }

        if (request.ToolChoice is { } choice)
        {
            options.ToolMode = choice.Type switch
            {
                "auto" or null => ChatToolMode.Auto,
                "any" => ChatToolMode.RequireAny,
                "none" => ChatToolMode.None,
                "tool" when !string.IsNullOrEmpty(choice.Name) => ChatToolMode.RequireSpecific(choice.Name),
                _ => throw GatewayErrors.Invalid("tool_choice.type must be auto, any, tool (with name) or none.", "tool_choice"),
            };
            if (choice.DisableParallelToolUse is true)
            {
                options.AllowMultipleToolCalls = false;
            }
        }
    }

    /// <summary>
    /// Sorts the fields the typed view does not know: credentials are refused; gateway-only fields stay in the gateway;
    /// library settings (<see cref="CallSettings"/>) become options; Anthropic-only fields are refused for other providers;
    /// the rest passes through. Returns the body an Anthropic deployment receives (the caller's, without what stays here).
    /// </summary>
    private static JsonElement Extras(JsonElement root, Dictionary<string, JsonElement>? extra, AdditionalPropertiesDictionary properties, AnthropicTarget target)
    {
        if (extra is null)
        {
            return root;
        }

        HashSet<string>? strip = null;
        foreach (var (key, value) in extra)
        {
            if (RefusedFields.Contains(key) || key.StartsWith("aws_", StringComparison.Ordinal) || key.StartsWith("vertex_", StringComparison.Ordinal))
            {
                throw GatewayErrors.Invalid($"'{key}' cannot be set by clients: provider credentials and endpoints come from the gateway's config.", key);
            }

            if (GatewayOnlyFields.Contains(key) || key.StartsWith("mock_testing_", StringComparison.Ordinal) || key.StartsWith("user_api_key", StringComparison.Ordinal))
            {
                (strip ??= []).Add(key);
            }
            else if (CallSettings.IsReserved(key))
            {
                properties[key] = value; // consumed by the library (mock_response, num_retries, fallbacks...), never sent
                (strip ??= []).Add(key);
            }
            else if (AnthropicOnlyFields.Contains(key) && !target.AnthropicOnly)
            {
                throw Refused(key, $"'{key}'", target);
            }
            else if (!target.AnthropicOnly)
            {
                properties[key] = value; // LiteLLM passes unknown parameters to the provider
            }
        }

        return strip is null ? root : Without(root, strip);
    }

    private static JsonElement Without(JsonElement root, HashSet<string> names)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Contains(property.Name))
                {
                    property.WriteTo(w);
                }
            }

            w.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>The <c>metadata</c> budgets and callbacks read: the caller, and Anthropic's <c>metadata.user_id</c> as the end user.</summary>
    private static Dictionary<string, object?> Metadata(CallerIdentity caller, string? endUser)
    {
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["user_id"] = caller.UserId,
            ["team_id"] = caller.TeamId,
            ["key_id"] = caller.KeyId,
        };
        if (caller.KeyAlias is not null)
        {
            metadata["key_alias"] = caller.KeyAlias;
        }

        if (endUser is not null)
        {
            metadata["end_user"] = endUser;
        }

        return metadata;
    }

    internal static GatewayRequestException Refused(string path, string what, AnthropicTarget target)
        => GatewayErrors.Invalid(
            $"{path}: {what} can only be sent to Anthropic deployments; this model group also routes to '{target.Other}', which cannot express it.",
            path, "unsupported_parameter");

    internal static string? Str(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
