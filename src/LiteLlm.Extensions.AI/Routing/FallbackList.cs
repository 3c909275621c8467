using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Routing;

/// <summary>
/// Fallbacks in any of LiteLLM's forms, read once: a list (names and <c>{model, messages}</c> objects) for whatever group
/// the request names, and a mapping group → list (<c>[{"gpt-4o": ["claude"]}]</c> or <c>{"gpt-4o": ["claude"]}</c>, with
/// <c>"*"</c> for any group).
/// </summary>
internal sealed class FallbackList
{
    public IReadOnlyList<FallbackTarget>? ForAny { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<FallbackTarget>>? ByGroup { get; init; }

    /// <summary>The fallbacks of <paramref name="group"/> (asked for as <paramref name="requested"/>): its own mapping entry, else the list, else <c>"*"</c>.</summary>
    public IReadOnlyList<FallbackTarget>? For(string group, string requested)
        => ByGroup is not null && (ByGroup.TryGetValue(requested, out var own) || ByGroup.TryGetValue(group, out own)) ? own
            : ForAny ?? (ByGroup is not null && ByGroup.TryGetValue("*", out var any) ? any : null);

    /// <summary>Reads a request property (<c>fallbacks</c>, <c>context_window_fallbacks</c>, <c>content_policy_fallbacks</c>).</summary>
    /// <exception cref="UnsupportedParameterException">The value is in none of the forms; the message names <paramref name="name"/> and the bad element.</exception>
    public static FallbackList? Parse(object? value, string name) => value switch
    {
        null => null,
        FallbackList list => list,
        JsonElement json => Parse(json, name),
        string model => new FallbackList { ForAny = [Target(model, null, name, name)] },
        IEnumerable<FallbackTarget> targets => new FallbackList { ForAny = targets.ToArray() },
        IEnumerable<string> models => new FallbackList { ForAny = models.Select((m, i) => Target(m, null, name, $"{name}[{i}]")).ToArray() },
        IDictionary<string, IReadOnlyList<string>> map => new FallbackList
        {
            ByGroup = map.ToDictionary(p => p.Key, p => (IReadOnlyList<FallbackTarget>)p.Value.Select(m => new FallbackTarget(m)).ToArray(), StringComparer.OrdinalIgnoreCase),
        },
        _ => throw Invalid(name, $"{name} must be a list of model names, a list of {{\"model\", \"messages\"}} objects, or a mapping of model group to model names."),
    };

    public static FallbackList? Parse(JsonElement json, string name)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return new FallbackList { ForAny = [Target(json.GetString(), null, name, name)] };
            case JsonValueKind.Object:
                var byGroup = new Dictionary<string, IReadOnlyList<FallbackTarget>>(StringComparer.OrdinalIgnoreCase);
                foreach (var entry in json.EnumerateObject())
                {
                    byGroup[entry.Name] = Targets(entry.Value, name, $"{name}.{entry.Name}");
                }

                return new FallbackList { ByGroup = byGroup };
            case JsonValueKind.Array:
                List<FallbackTarget>? any = null;
                Dictionary<string, IReadOnlyList<FallbackTarget>>? map = null;
                var i = 0;
                foreach (var item in json.EnumerateArray())
                {
                    var path = $"{name}[{i++}]";
                    if (item.ValueKind == JsonValueKind.String || (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("model", out _)))
                    {
                        (any ??= []).Add(Target(item, name, path));
                    }
                    else if (item.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in item.EnumerateObject())
                        {
                            (map ??= new(StringComparer.OrdinalIgnoreCase))[entry.Name] = Targets(entry.Value, name, $"{path}.{entry.Name}");
                        }
                    }
                    else
                    {
                        throw Invalid(name, $"{path}: must be a model name, a {{\"model\", \"messages\"}} object or a mapping like {{\"gpt-4o\": [\"claude\"]}}.");
                    }
                }

                // An empty list is an explicit "no fallbacks": it replaces the configured ones.
                return new FallbackList { ForAny = any ?? (map is null ? [] : null), ByGroup = map };
            default:
                throw Invalid(name, $"{name} must be a list of model names, a list of {{\"model\", \"messages\"}} objects, or a mapping of model group to model names.");
        }
    }

    /// <summary>Reads OpenAI-format chat messages (a fallback's own): text content only, kept as the raw document for providers of that format.</summary>
    public static IReadOnlyList<ChatMessage> Messages(JsonElement json, string name, string path)
    {
        if (json.ValueKind != JsonValueKind.Array || json.GetArrayLength() == 0)
        {
            throw Invalid(name, $"{path}: must be a non-empty list of messages.");
        }

        var result = new List<ChatMessage>(json.GetArrayLength());
        var i = 0;
        foreach (var m in json.EnumerateArray())
        {
            result.Add(Message(m, name, $"{path}[{i++}]"));
        }

        return result;
    }

    private static ChatMessage Message(JsonElement m, string name, string path)
    {
        if (m.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(name, $"{path}: must be an object with role and content.");
        }

        ChatRole? role = null;
        List<AIContent>? contents = null;
        string? author = null;
        foreach (var p in m.EnumerateObject())
        {
            switch (p.Name)
            {
                case "role":
                    role = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() switch
                    {
                        "system" or "developer" => ChatRole.System,
                        "user" => ChatRole.User,
                        "assistant" => ChatRole.Assistant,
                        _ => null,
                    } : null;
                    if (role is null)
                    {
                        throw Invalid(name, $"{path}.role: must be system, developer, user or assistant.");
                    }

                    break;
                case "content":
                    contents = Contents(p.Value, name, path + ".content");
                    break;
                case "name" when p.Value.ValueKind == JsonValueKind.String:
                    author = p.Value.GetString();
                    break;
                default:
                    throw Invalid(name, $"{path}.{p.Name}: a fallback's message takes role, content and name.");
            }
        }

        if (role is null || contents is null)
        {
            throw Invalid(name, $"{path}: needs role and content.");
        }

        return new ChatMessage(role.Value, contents) { AuthorName = author, RawRepresentation = new WireJson(WireFormat.OpenAIChat, m.Clone()) };
    }

    private static List<AIContent> Contents(JsonElement content, string name, string path)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return [new TextContent(content.GetString())];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(name, $"{path}: must be a string or a list of text parts.");
        }

        var result = new List<AIContent>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object
                || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "text"
                || !part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw Invalid(name, $"{path}: a fallback's message content may hold only text parts ({{\"type\": \"text\", \"text\": ...}}).");
            }

            result.Add(new TextContent(text.GetString()));
        }

        return result;
    }

    private static List<FallbackTarget> Targets(JsonElement value, string name, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return [Target(value, name, path)];
            case JsonValueKind.Array:
                var result = new List<FallbackTarget>(value.GetArrayLength());
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    result.Add(Target(item, name, $"{path}[{i++}]"));
                }

                return result;
            default:
                throw Invalid(name, $"{path}: must be a list of model names or {{\"model\", \"messages\"}} objects.");
        }
    }

    private static FallbackTarget Target(JsonElement item, string name, string path)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return Target(item.GetString(), null, name, path);
        }

        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(name, $"{path}: must be a model name or a {{\"model\", \"messages\"}} object.");
        }

        string? model = null;
        IReadOnlyList<ChatMessage>? messages = null;
        foreach (var p in item.EnumerateObject())
        {
            switch (p.Name)
            {
                case "model":
                    model = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw Invalid(name, $"{path}.model: must be a model name.");
                    break;
                case "messages":
                    messages = Messages(p.Value, name, path + ".messages");
                    break;
                default:
                    throw Invalid(name, $"{path}.{p.Name}: a fallback object takes only 'model' and 'messages'.");
            }
        }

        return Target(model, messages, name, path);
    }

    private static FallbackTarget Target(string? model, IReadOnlyList<ChatMessage>? messages, string name, string path)
        => string.IsNullOrWhiteSpace(model)
            ? throw Invalid(name, $"{path}: needs a model name.")
            : new FallbackTarget(model, messages);

    internal static UnsupportedParameterException Invalid(string name, string detail)
        => new(name, new ProviderErrorDetails(null, null, 400, detail, "invalid_" + name));
}
