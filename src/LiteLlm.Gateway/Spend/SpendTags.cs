using System.Text.Json;

namespace LiteLlm.Gateway.Spend;

/// <summary>Reads a request's tags from its metadata (<c>metadata["tags"]</c>: a JSON array of strings or a string list), bounded.</summary>
internal static class SpendTags
{
    /// <summary>The most tags one request records; more are dropped (a tag is a reporting dimension, not a payload).</summary>
    public const int MaxTags = 32;

    /// <summary>The longest tag kept, in characters.</summary>
    public const int MaxLength = 200;

    public static IReadOnlyList<string> From(IReadOnlyDictionary<string, object?>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue("tags", out var value) || value is null)
        {
            return [];
        }

        IEnumerable<string?> tags = value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null),
            IEnumerable<string> list => list,
            _ => [],
        };
        return [.. tags.OfType<string>().Where(t => t.Length is > 0 and <= MaxLength).Distinct(StringComparer.Ordinal).Take(MaxTags)];
    }
}
