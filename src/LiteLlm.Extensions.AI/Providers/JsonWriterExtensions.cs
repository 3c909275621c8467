using System.Text.Json;

namespace LiteLlm.Providers;

/// <summary>The optional fields the hand-written request writers share: written only when set.</summary>
internal static class JsonWriterExtensions
{
    public static void WriteNumberIfSet(this Utf8JsonWriter w, string name, float? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    public static void WriteNumberIfSet(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    /// <summary>Writes <paramref name="values"/> as a string array, unless there are none.</summary>
    public static void WriteStringsIfAny(this Utf8JsonWriter w, string name, IList<string>? values)
    {
        if (values is not { Count: > 0 })
        {
            return;
        }

        w.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            w.WriteStringValue(values[i]);
        }

        w.WriteEndArray();
    }
}
