using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Caching;

/// <summary>
/// Builds cache keys. MEAI's own key ignores <see cref="ChatOptions.Tools"/> (measured on 10.11), so this key is built
/// here: the model, the messages, the options, every tool's name, description and schemas, the response format and a
/// version, hashed with SHA-256, behind an optional namespace.
/// </summary>
/// <remarks>
/// The key's JSON is written straight into a reused buffer and hashed from there (no DOM, no intermediate string):
/// the key is computed on every cached call, hit or miss.
/// </remarks>
internal static class ResponseCacheKeys
{
    /// <summary>Bumped whenever the key's inputs or the stored shape change, so old entries are never read.</summary>
    private const int Version = 2;

    /// <summary>Per-call settings that do not change the answer (or are secrets), so they stay out of the key.</summary>
    private static readonly HashSet<string> IgnoredSettings = new(StringComparer.Ordinal)
    {
        ResponseCacheControl.SettingName, "metadata", "api_key", "api_base", "api_version", "extra_headers", "timeout",
        "stream_timeout", "num_retries", "fallbacks", "context_window_fallbacks", "user_api_key", "litellm_call_id", "mock_latency",
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string ForChat(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, string? defaultModel, string? ns, JsonSerializerOptions json)
    {
        var (writer, buffer) = Writer();
        writer.WriteStartObject();
        writer.WriteNumber("v", Version);
        writer.WriteString("model", options?.ModelId ?? defaultModel);
        writer.WritePropertyName("messages");
        JsonSerializer.Serialize(writer, messages, json.GetTypeInfo(typeof(IEnumerable<ChatMessage>)));
        writer.WritePropertyName("options");
        WriteOptions(writer, options, json);
        writer.WritePropertyName("tools");
        WriteTools(writer, options?.Tools);
        writer.WritePropertyName("format");
        WriteFormat(writer, options?.ResponseFormat);
        WriteWireBody(writer, client, options);
        writer.WriteEndObject();
        return Compose("chat", ns, writer, buffer);
    }

    // A caller's own Anthropic or Responses body is sent as it came (WireJson), so its fields that no MEAI option carries
    // (mcp_servers, container, a field added next year, content blocks MEAI has no type for) change the answer and belong
    // in the key. A Chat Completions body is not needed: its writer sends only what the options hold, keyed above.
    private static void WriteWireBody(Utf8JsonWriter writer, IChatClient client, ChatOptions? options)
    {
        if (options?.RawRepresentationFactory?.Invoke(client) is not WireJson { Format: not WireFormat.OpenAIChat, Json.ValueKind: JsonValueKind.Object } wire)
        {
            return;
        }

        writer.WritePropertyName("wire");
        writer.WriteStartObject();
        foreach (var property in wire.Json.EnumerateObject())
        {
            if (property.Name is not ("model" or "stream" or "stream_options") && !IgnoredSettings.Contains(property.Name))
            {
                property.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    public static string ForEmbedding(string input, EmbeddingGenerationOptions? options, string? defaultModel, string? ns, JsonSerializerOptions json)
    {
        var (writer, buffer) = Writer();
        writer.WriteStartObject();
        writer.WriteNumber("v", Version);
        writer.WriteString("model", options?.ModelId ?? defaultModel);
        if (options?.Dimensions is { } dimensions)
        {
            writer.WriteNumber("dimensions", dimensions);
        }

        writer.WritePropertyName("settings");
        WriteSettings(writer, options?.AdditionalProperties, json);
        writer.WriteString("input", input);
        writer.WriteEndObject();
        return Compose("embedding", ns, writer, buffer);
    }

    /// <summary>The tag every entry of a model carries, so an application can drop them with <c>RemoveByTagAsync</c>.</summary>
    public static string ModelTag(string? model) => "litellm:model:" + (model ?? "default");

    private static (Utf8JsonWriter Writer, ArrayBufferWriter<byte> Buffer) Writer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        return (writer, buffer);
    }

    private static string Compose(string kind, string? ns, Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.Flush();
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, digest);
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // do not keep one huge prompt's buffer alive on this thread
            t_writer = null;
        }

        // One string (not the hex, then the key): "litellm:kind:" and the digest in lower-case hex.
        Span<char> hex = stackalloc char[2 * SHA256.HashSizeInBytes];
        Convert.TryToHexStringLower(digest, hex, out _);
        return ns is null
            ? string.Concat("litellm:", kind, ":", hex)
            : string.Concat(ns, ":litellm:", kind, ":") + hex.ToString();
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions? options, JsonSerializerOptions json)
    {
        // No options and options holding only ignored settings (cache controls, metadata) are the same request.
        // The model, tools and format are keyed on their own; settings are filtered and sorted.
        var keyed = options?.Clone() ?? new ChatOptions();
        keyed.ModelId = null;
        keyed.Tools = null;
        keyed.ResponseFormat = null;
        var settings = keyed.AdditionalProperties;
        keyed.AdditionalProperties = null;

        // Serialized as the base type: Semantic Kernel passes a derived ChatOptions.
        writer.WriteStartObject();
        writer.WritePropertyName("base");
        JsonSerializer.Serialize(writer, keyed, json.GetTypeInfo(typeof(ChatOptions)));
        writer.WritePropertyName("settings");
        WriteSettings(writer, settings, json);
        writer.WriteEndObject();
    }

    private static void WriteSettings(Utf8JsonWriter writer, AdditionalPropertiesDictionary? settings, JsonSerializerOptions json)
    {
        writer.WriteStartObject();
        if (settings is { Count: > 0 })
        {
            // Sorted by name (ordinal), in a rented array rather than through LINQ.
            var count = settings.Count;
            var sorted = ArrayPool<KeyValuePair<string, object?>>.Shared.Rent(count);
            try
            {
                ((ICollection<KeyValuePair<string, object?>>)settings).CopyTo(sorted, 0);
                if (count > 1)
                {
                    Array.Sort(sorted, 0, count, SettingOrder.Instance);
                }

                for (var i = 0; i < count; i++)
                {
                    WriteSetting(writer, sorted[i].Key, sorted[i].Value, json);
                }
            }
            finally
            {
                sorted.AsSpan(0, count).Clear();
                ArrayPool<KeyValuePair<string, object?>>.Shared.Return(sorted);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteSetting(Utf8JsonWriter writer, string name, object? value, JsonSerializerOptions json)
    {
        if (IgnoredSettings.Contains(name) || name.StartsWith("litellm.", StringComparison.Ordinal))
        {
            return;
        }

        writer.WritePropertyName(name);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, json.GetTypeInfo(value.GetType()));
        }
    }

    private sealed class SettingOrder : IComparer<KeyValuePair<string, object?>>
    {
        public static readonly SettingOrder Instance = new();

        public int Compare(KeyValuePair<string, object?> x, KeyValuePair<string, object?> y) => string.CompareOrdinal(x.Key, y.Key);
    }

    private static void WriteTools(Utf8JsonWriter writer, IList<AITool>? tools)
    {
        writer.WriteStartArray();
        foreach (var tool in tools ?? [])
        {
            writer.WriteStartObject();

            // Every function declaration is a "function", whichever class made it; other tools are keyed by type.
            writer.WriteString("kind", tool is AIFunctionDeclaration ? "function" : tool.GetType().FullName);
            writer.WriteString("name", tool.Name);
            writer.WriteString("description", tool.Description);
            if (tool is AIFunctionDeclaration function)
            {
                writer.WritePropertyName("schema");
                function.JsonSchema.WriteTo(writer);
                if (function.ReturnJsonSchema is { } returns)
                {
                    writer.WritePropertyName("returns");
                    returns.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteFormat(Utf8JsonWriter writer, ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                writer.WriteNullValue();
                break;
            case ChatResponseFormatText:
                writer.WriteStringValue("text");
                break;
            case ChatResponseFormatJson j:
                writer.WriteStartObject();
                writer.WriteString("type", "json");
                writer.WriteString("name", j.SchemaName);
                writer.WriteString("description", j.SchemaDescription);
                if (j.Schema is { } schema)
                {
                    writer.WritePropertyName("schema");
                    schema.WriteTo(writer);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(format.GetType().FullName);
                break;
        }
    }
}
