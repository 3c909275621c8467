using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>
/// Tool plumbing shared by the hand-written protocol clients: function parameter schemas, call
/// arguments and call results as JSON, and the schema clean-up for providers that accept only an
/// OpenAPI subset of JSON Schema.
/// </summary>
internal static class ToolJson
{
    // JSON-Schema keywords the OpenAPI-subset schemas (Gemini) refuse.
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$anchor", "additionalProperties", "unevaluatedProperties", "patternProperties",
    };

    // Keywords whose value is a map of name to schema, or a list of schemas, or one schema.
    private static readonly HashSet<string> SchemaMaps = new(StringComparer.Ordinal) { "properties", "$defs", "definitions" };
    private static readonly HashSet<string> SchemaLists = new(StringComparer.Ordinal) { "anyOf", "oneOf", "allOf", "prefixItems" };
    private static readonly HashSet<string> SchemaValues = new(StringComparer.Ordinal) { "items", "not" };

    /// <summary>The serializer's contract for call arguments (looked up once).</summary>
    public static readonly JsonTypeInfo ArgumentsJson = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));

    /// <summary>The tool declarations among <paramref name="options"/>' tools.</summary>
    public static IEnumerable<AIFunctionDeclaration> Declarations(ChatOptions? options)
        => options?.Tools?.OfType<AIFunctionDeclaration>() ?? [];

    /// <summary>A function's parameter schema as a JSON object (an empty object schema when it has none).</summary>
    public static JsonObject Parameters(AIFunctionDeclaration function)
        => JsonNode.Parse(function.JsonSchema.GetRawText()) as JsonObject ?? new JsonObject { ["type"] = "object" };

    /// <summary>
    /// Rewrites a JSON schema into the OpenAPI subset: drops unsupported keywords and turns
    /// <c>"type":["string","null"]</c> into <c>"type":"string","nullable":true</c>.
    /// </summary>
    public static JsonObject ToOpenApiSubset(JsonObject schema)
    {
        var result = new JsonObject();
        foreach (var (name, value) in schema)
        {
            if (Unsupported.Contains(name))
            {
                continue;
            }

            if (name == "type" && value is JsonArray types)
            {
                var named = types.Select(t => t?.GetValue<string>()).Where(t => t is not null && t != "null").ToList();
                if (named.Count > 0)
                {
                    result["type"] = named[0];
                }

                if (named.Count != types.Count)
                {
                    result["nullable"] = true;
                }

                continue;
            }

            result[name] = value switch
            {
                JsonObject map when SchemaMaps.Contains(name) => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, Clean(p.Value)))),
                JsonArray list when SchemaLists.Contains(name) => new JsonArray([.. list.Select(Clean)]),
                JsonObject one when SchemaValues.Contains(name) => ToOpenApiSubset(one),
                _ => value?.DeepClone(),
            };
        }

        return result;

        static JsonNode? Clean(JsonNode? node) => node is JsonObject o ? ToOpenApiSubset(o) : node?.DeepClone();
    }

    /// <summary>Call arguments as a JSON object.</summary>
    public static JsonObject Arguments(FunctionCallContent call)
        => call.Arguments is null ? [] : JsonSerializer.SerializeToNode(call.Arguments, AIJson<IDictionary<string, object?>>.Info) as JsonObject ?? [];

    /// <summary>Parses arguments given as a JSON string (empty or invalid text gives no arguments).</summary>
    public static Dictionary<string, object?> ParseArguments(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return ParseArguments(doc.RootElement);
        }
        catch (JsonException)
        {
            // Keep what the model sent rather than failing the whole answer.
            return new() { ["_raw"] = json };
        }
    }

    /// <summary>Arguments given as a JSON object.</summary>
    public static Dictionary<string, object?> ParseArguments(JsonElement args)
        => args.ValueKind == JsonValueKind.Object
            ? args.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
            : [];

    /// <summary>A function result as JSON (an exception becomes its message).</summary>
    public static JsonNode? Result(FunctionResultContent result) => result.Result switch
    {
        null when result.Exception is { } e => JsonValue.Create(e.Message),
        null => null,
        string s => JsonValue.Create(s),
        JsonNode n => n.DeepClone(),
        var other => JsonSerializer.SerializeToNode(other, AIJson<object>.Info),
    };

    /// <summary>A function result as text: strings as they are, anything else as JSON.</summary>
    public static string ResultText(FunctionResultContent result)
        => Result(result) switch
        {
            null => string.Empty,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var n => n.ToJsonString(),
        };

    /// <summary>Finds the function name of each call id in the conversation (results carry only the id).</summary>
    public static Dictionary<string, string> CallNames(IEnumerable<ChatMessage> messages)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var call in messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
        {
            names[call.CallId] = call.Name;
        }

        return names;
    }
}
