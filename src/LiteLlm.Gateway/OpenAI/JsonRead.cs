using System.Text.Json;

namespace LiteLlm.Gateway.OpenAI;

/// <summary>Typed reads of request fields that refuse wrong types with a message naming the field.</summary>
internal static class JsonRead
{
    public static string RequiredString(JsonElement obj, string name, string? path = null)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
        {
            return s;
        }

        throw RequestException.Invalid(path ?? name, $"'{path ?? name}' is required and must be a non-empty string.");
    }

    public static string? OptionalString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw RequestException.Invalid(path, $"'{path}' must be a string.");
    }

    public static float? Float(JsonElement obj, string name, double min, double max)
        => Number(obj, name, min, max) is { } d ? (float)d : null;

    public static int? Int(JsonElement obj, string name, int min, int max)
    {
        var d = Number(obj, name, min, max);
        return d is null ? null : d == Math.Floor(d.Value) ? (int)d.Value : throw RequestException.Invalid(name, $"'{name}' must be an integer.");
    }

    public static long? Long(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : throw RequestException.Invalid(name, $"'{name}' must be an integer.");
    }

    public static bool? Bool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw RequestException.Invalid(name, $"'{name}' must be true or false."),
        };
    }

    private static double? Number(JsonElement obj, string name, double min, double max)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || double.IsNaN(d))
        {
            throw RequestException.Invalid(name, $"'{name}' must be a number.");
        }

        return d >= min && d <= max ? d : throw RequestException.Invalid(name, $"'{name}' must be between {min} and {max}; got {d}.");
    }
}
