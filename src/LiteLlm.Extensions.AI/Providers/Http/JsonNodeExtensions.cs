using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiteLlm.Providers.Http;

/// <summary>
/// JSON DOM helpers that stay off reflection, so the library runs the same under Native AOT: the generic
/// <c>JsonValue.Create&lt;T&gt;</c>, <c>JsonArray.Add&lt;T&gt;</c> and <c>JsonSerializer.Serialize(node, options)</c> are
/// trim-unsafe even when T is a number or a node.
/// </summary>
internal static class JsonNodeExtensions
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> when it has one.</summary>
    public static void SetIfSet(this JsonObject target, string name, float? value)
    {
        if (value is { } v)
        {
            target[name] = v;
        }
    }

    /// <inheritdoc cref="SetIfSet(JsonObject, string, float?)"/>
    public static void SetIfSet(this JsonObject target, string name, int? value)
    {
        if (value is { } v)
        {
            target[name] = v;
        }
    }

    /// <inheritdoc cref="SetIfSet(JsonObject, string, float?)"/>
    public static void SetIfSet(this JsonObject target, string name, long? value)
    {
        if (value is { } v)
        {
            target[name] = v;
        }
    }

    /// <summary>Appends a node (the non-generic <c>Add</c>, which C# would otherwise not pick for a derived node type).</summary>
    public static void AddNode(this JsonArray array, JsonNode? node) => array.Add(node);

    /// <summary>The UTF-8 JSON of <paramref name="node"/>, as <c>JsonSerializer.SerializeToUtf8Bytes</c> writes it with that encoder.</summary>
    public static byte[] ToUtf8Bytes(this JsonNode node, JavaScriptEncoder? encoder = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
