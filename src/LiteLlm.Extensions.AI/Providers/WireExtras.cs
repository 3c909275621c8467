using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using LiteLlm.Providers.Http;

namespace LiteLlm.Providers;

/// <summary>
/// What a call adds at the wire beyond what the MEAI types describe: provider-specific body fields (LiteLLM's
/// pass-through of unknown parameters) and extra headers. <see cref="ProviderChatClient"/> leaves exactly these in the
/// options it hands the provider client (library settings are consumed before), and each hand-written client writes
/// them into the request it builds — explicitly, with no ambient state and no second parse of a finished body.
/// </summary>
internal static class WireExtras
{
    /// <summary>The provider-specific body fields of <paramref name="options"/>, or <see langword="null"/> when there are none.</summary>
    public static JsonObject? Body(ChatOptions? options) => Body(options?.AdditionalProperties);

    /// <summary>The provider-specific body fields of <paramref name="properties"/>, or <see langword="null"/> when there are none.</summary>
    public static JsonObject? Body(AdditionalPropertiesDictionary? properties)
    {
        if (properties is not { Count: > 0 })
        {
            return null;
        }

        JsonObject? body = null;
        foreach (var (name, value) in properties)
        {
            if (!CallSettings.IsReserved(name))
            {
                body ??= [];
                body[name] = ToNode(value);
            }
        }

        return body;
    }

    /// <summary>The call's extra headers (<see cref="CallSettings.ExtraHeaders"/>), or <see langword="null"/>.</summary>
    private static IReadOnlyDictionary<string, string>? Headers(AdditionalPropertiesDictionary? properties)
        => properties is not null && properties.TryGetValue(CallSettings.ExtraHeaders, out var value) ? CallSettings.ToHeaders(value) : null;

    /// <summary>Adds the call's extra headers to <paramref name="request"/>, replacing any of the same name.</summary>
    public static void ApplyHeaders(HttpRequestMessage request, AdditionalPropertiesDictionary? properties)
    {
        if (Headers(properties) is not { } headers)
        {
            return;
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Merges <paramref name="source"/> into <paramref name="target"/>: objects merge deeply, anything else replaces.</summary>
    public static void Merge(JsonObject target, JsonObject? source)
    {
        if (source is null)
        {
            return;
        }

        foreach (var (name, value) in source)
        {
            if (value is JsonObject obj && target[name] is JsonObject existing)
            {
                Merge(existing, obj);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    /// <summary>Writes one pass-through value.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                break;
        }
    }

    private static JsonNode? ToNode(object? value)
        => value is JsonNode node ? node.DeepClone() : JsonSerializer.SerializeToNode(value, AIJson<object?>.Info);
}
