using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers;

namespace LiteLlm.Caching;

/// <summary>
/// Per-request cache controls, LiteLLM's <c>cache={"no-cache":true,"no-store":true,"ttl":600,"namespace":"x"}</c>,
/// read from <c>AdditionalProperties["cache"]</c> as a dictionary or a JSON object.
/// </summary>
internal readonly record struct ResponseCacheControl(bool NoCache, bool NoStore, TimeSpan? Ttl, string? Namespace)
{
    /// <summary>The name of the per-request setting.</summary>
    public const string SettingName = "cache";

    public static ResponseCacheControl From(IReadOnlyDictionary<string, object?>? additionalProperties)
    {
        if (additionalProperties is null || !additionalProperties.TryGetValue(SettingName, out var value) || value is null)
        {
            return default;
        }

        var control = default(ResponseCacheControl);
        foreach (var (name, item) in Entries(value))
        {
            switch (name.Replace('_', '-').ToLowerInvariant())
            {
                case "no-cache":
                    control = control with { NoCache = IsTrue(item) };
                    break;
                case "no-store":
                    control = control with { NoStore = IsTrue(item) };
                    break;
                case "ttl":
                    control = control with { Ttl = CallSettings.ToTimeSpan(item) is { } ttl && ttl > TimeSpan.Zero ? ttl : null };
                    break;
                case "namespace":
                    control = control with { Namespace = AsString(item) };
                    break;
                default:
                    break;
            }
        }

        return control;
    }

    private static IEnumerable<KeyValuePair<string, object?>> Entries(object value) => value switch
    {
        IEnumerable<KeyValuePair<string, object?>> d => d,
        IEnumerable<KeyValuePair<string, bool>> d => d.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)),
        IEnumerable<KeyValuePair<string, JsonNode?>> d => d.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value is null ? null : JsonElement.Parse(p.Value.ToJsonString()))),
        JsonElement { ValueKind: JsonValueKind.Object } e => e.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)),
        string s when s.TrimStart().StartsWith('{') => Entries(JsonElement.Parse(s)),
        _ => [],
    };

    private static bool IsTrue(object? value) => value switch
    {
        bool b => b,
        string s => bool.TryParse(s, out var b) && b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.String } e => bool.TryParse(e.GetString(), out var b) && b,
        _ => false,
    };

    private static string? AsString(object? value) => value switch
    {
        string s when s.Length > 0 => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() is { Length: > 0 } s ? s : null,
        _ => null,
    };
}
