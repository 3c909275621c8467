using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>
/// One line of a recording file: <c>{"model","stream","request":{"messages","options"},"response"|"updates"}</c>,
/// every MEAI object in its own JSON form (<see cref="AIJsonUtilities.DefaultOptions"/>), so the mock provider can
/// read it back into the same objects. It lives with its reader, the mock's replay; Observability's recorder writes it.
/// </summary>
internal static class RecordingFormat
{
    public const string Redacted = "[REDACTED]";

    /// <summary>The fields redacted by default: keys, tokens and credentials under their usual names.</summary>
    public static IReadOnlyList<string> DefaultRedactedFields { get; } =
    [
        "api_key", "apiKey", "api-key", "x-api-key", "authorization", "Authorization", "master_key", "password", "secret",
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "client_secret", "access_token", "refresh_token",
    ];

    public static JsonObject Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new JsonObject { ["messages"] = JsonSerializer.SerializeToNode<IList<ChatMessage>>(messages.ToList(), AIJson<IList<ChatMessage>>.Info) };
        if (options is null)
        {
            return request;
        }

        // ChatOptions is written by hand: tools are functions (only their declaration is data) and the
        // raw-representation factory is code.
        var o = new JsonObject();
        Put(o, "model_id", options.ModelId);
        o.SetIfSet("temperature", options.Temperature);
        o.SetIfSet("top_p", options.TopP);
        o.SetIfSet("max_output_tokens", options.MaxOutputTokens);
        o.SetIfSet("seed", options.Seed);
        if (options.StopSequences is { Count: > 0 } stop)
        {
            o["stop"] = JsonSerializer.SerializeToNode(stop, AIJson<IList<string>>.Info);
        }

        if (options.Tools is { Count: > 0 } tools)
        {
            var array = new JsonArray();
            foreach (var tool in tools)
            {
                var t = new JsonObject { ["name"] = tool.Name, ["description"] = tool.Description };
                if (tool is AIFunctionDeclaration f)
                {
                    t["parameters"] = JsonSerializer.SerializeToNode(f.JsonSchema, AIJson<JsonElement>.Info);
                }

                array.AddNode(t);
            }

            o["tools"] = array;
        }

        if (options.AdditionalProperties is { Count: > 0 } extra)
        {
            o["additional_properties"] = JsonSerializer.SerializeToNode(extra, AIJson<AdditionalPropertiesDictionary>.Info);
        }

        request["options"] = o;
        return request;
    }

    /// <summary>Replaces the value of every property named in <paramref name="fields"/> (at any depth), and any string that looks like a key.</summary>
    public static void Redact(JsonNode? node, ISet<string> fields)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (fields.Contains(name))
                    {
                        obj[name] = Redacted;
                    }
                    else
                    {
                        RedactValue(obj[name], v => obj[name] = v, fields);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var index = i;
                    RedactValue(array[i], v => array[index] = v, fields);
                }

                break;
        }
    }

    private static void RedactValue(JsonNode? value, Action<JsonNode> replace, ISet<string> fields)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var s) && LooksLikeKey(s))
        {
            replace(Redacted);
        }
        else
        {
            Redact(value, fields);
        }
    }

    // Bearer headers and OpenAI/Anthropic-style secret keys, wherever a caller put them.
    private static bool LooksLikeKey(string s)
        => s.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        || (s.StartsWith("sk-", StringComparison.Ordinal) && s.Length >= 20 && !s.Contains(' ', StringComparison.Ordinal));

    private static void Put(JsonObject o, string name, string? value)
    {
        if (value is not null)
        {
            o[name] = value;
        }
    }
}
