using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LiteLlm.Caching;

/// <summary>
/// Builds cache keys. MEAI's own key ignores <see cref="ChatOptions.Tools"/> (measured on 10.11), so this key is built
/// here: the model, the messages, the options, every tool's name, description and schemas, the response format and a
/// version, hashed with SHA-256, behind an optional namespace.
/// </summary>
internal static class ResponseCacheKeys
{
    /// <summary>Bumped whenever the key's inputs or the stored shape change, so old entries are never read.</summary>
    private const int Version = 1;

    /// <summary>Per-call settings that do not change the answer (or are secrets), so they stay out of the key.</summary>
    private static readonly HashSet<string> IgnoredSettings = new(StringComparer.Ordinal)
    {
        ResponseCacheControl.SettingName, "metadata", "api_key", "api_base", "api_version", "extra_headers", "timeout",
        "stream_timeout", "num_retries", "fallbacks", "context_window_fallbacks", "user_api_key", "litellm_call_id", "mock_latency",
    };

    public static string ForChat(IEnumerable<ChatMessage> messages, ChatOptions? options, string? defaultModel, string? ns, JsonSerializerOptions json)
    {
        var key = new JsonObject
        {
            ["v"] = Version,
            ["model"] = options?.ModelId ?? defaultModel,
            ["messages"] = JsonSerializer.SerializeToNode(messages, json.GetTypeInfo(typeof(IEnumerable<ChatMessage>))),
            ["options"] = OptionsNode(options, json),
            ["tools"] = ToolsNode(options?.Tools),
            ["format"] = FormatNode(options?.ResponseFormat),
        };

        return Compose("chat", ns, key);
    }

    public static string ForEmbedding(string input, EmbeddingGenerationOptions? options, string? defaultModel, string? ns, JsonSerializerOptions json)
    {
        var key = new JsonObject
        {
            ["v"] = Version,
            ["model"] = options?.ModelId ?? defaultModel,
            ["dimensions"] = options?.Dimensions,
            ["settings"] = SettingsNode(options?.AdditionalProperties, json),
            ["input"] = input,
        };

        return Compose("embedding", ns, key);
    }

    /// <summary>The tag every entry of a model carries, so an application can drop them with <c>RemoveByTagAsync</c>.</summary>
    public static string ModelTag(string? model) => "litellm:model:" + (model ?? "default");

    private static string Compose(string kind, string? ns, JsonObject key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToJsonString())));
        return ns is null ? $"litellm:{kind}:{hash}" : $"{ns}:litellm:{kind}:{hash}";
    }

    private static JsonObject? OptionsNode(ChatOptions? options, JsonSerializerOptions json)
    {
        // No options and options holding only ignored settings (cache controls, metadata) are the same request.
        options ??= new ChatOptions();

        // Serialized as the base type: Semantic Kernel passes a derived ChatOptions.
        if (JsonSerializer.SerializeToNode(options, json.GetTypeInfo(typeof(ChatOptions))) is not JsonObject node)
        {
            return null;
        }

        // The model, tools and format are keyed on their own; settings are filtered.
        foreach (var name in node.Select(p => p.Key).ToList())
        {
            if (name.Equals("modelId", StringComparison.OrdinalIgnoreCase) || name.Equals("tools", StringComparison.OrdinalIgnoreCase)
                || name.Equals("responseFormat", StringComparison.OrdinalIgnoreCase) || name.Equals("additionalProperties", StringComparison.OrdinalIgnoreCase))
            {
                node.Remove(name);
            }
        }

        node["settings"] = SettingsNode(options.AdditionalProperties, json);
        return node;
    }

    private static JsonObject? SettingsNode(AdditionalPropertiesDictionary? settings, JsonSerializerOptions json)
    {
        if (settings is null || settings.Count == 0)
        {
            return null;
        }

        var node = new JsonObject();
        foreach (var (name, value) in settings.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IgnoredSettings.Contains(name) && !name.StartsWith("litellm.", StringComparison.Ordinal))
            {
                node[name] = value is null ? null : JsonSerializer.SerializeToNode(value, json.GetTypeInfo(value.GetType()));
            }
        }

        return node.Count == 0 ? null : node;
    }

    private static JsonArray? ToolsNode(IList<AITool>? tools)
    {
        if (tools is null || tools.Count == 0)
        {
            return null;
        }

        var array = new JsonArray();
        foreach (var tool in tools)
        {
            var entry = new JsonObject
            {
                // Every function declaration is a "function", whichever class made it; other tools are keyed by type.
                ["kind"] = tool is AIFunctionDeclaration ? "function" : tool.GetType().FullName,
                ["name"] = tool.Name,
                ["description"] = tool.Description,
            };
            if (tool is AIFunctionDeclaration function)
            {
                entry["schema"] = JsonNode.Parse(function.JsonSchema.GetRawText());
                entry["returns"] = function.ReturnJsonSchema is { } returns ? JsonNode.Parse(returns.GetRawText()) : null;
            }

            array.Add(entry);
        }

        return array;
    }

    private static JsonNode? FormatNode(ChatResponseFormat? format) => format switch
    {
        null => null,
        ChatResponseFormatText => "text",
        ChatResponseFormatJson j => new JsonObject
        {
            ["type"] = "json",
            ["name"] = j.SchemaName,
            ["description"] = j.SchemaDescription,
            ["schema"] = j.Schema is { } schema ? JsonNode.Parse(schema.GetRawText()) : null,
        },
        _ => format.GetType().FullName,
    };
}
