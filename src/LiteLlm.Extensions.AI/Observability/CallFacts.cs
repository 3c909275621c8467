using System.Globalization;
using System.Text.Json;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Observability;

/// <summary>Reads the facts other layers wrote about a call (values may be typed, or JSON when they came from a cache).</summary>
internal static class CallFacts
{
    private const string CallIdSetting = "litellm_call_id";

    public static string RequestId(ChatOptions? options)
        => CallerRequestId(options) ?? Guid.NewGuid().ToString("N");

    /// <summary>The caller's own request id (<c>litellm_call_id</c>), if it set one.</summary>
    public static string? CallerRequestId(ChatOptions? options) => String(options?.AdditionalProperties, CallIdSetting);

    public static string? String(AdditionalPropertiesDictionary? properties, string key) => Value(properties, key) switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => null,
    };

    public static int? Int(AdditionalPropertiesDictionary? properties, string key) => Value(properties, key) switch
    {
        int i => i,
        long l => (int)l,
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out var i) => i,
        _ => null,
    };

    public static decimal? Decimal(AdditionalPropertiesDictionary? properties, string key) => Value(properties, key) switch
    {
        decimal m => m,
        double d => (decimal)d,
        float f => (decimal)f,
        int i => i,
        long l => l,
        JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetDecimal(out var m) => m,
        _ => null,
    };

    public static bool Bool(AdditionalPropertiesDictionary? properties, string key) => Value(properties, key) switch
    {
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        _ => false,
    };

    public static int Count(AdditionalPropertiesDictionary? properties, string key) => Value(properties, key) switch
    {
        ICollection<string> c => c.Count,
        JsonElement { ValueKind: JsonValueKind.Array } e => e.GetArrayLength(),
        _ => 0,
    };

    /// <summary>The caller metadata (<see cref="CallSettings.Metadata"/>) as a read-only dictionary.</summary>
    public static IReadOnlyDictionary<string, object?>? Metadata(ChatOptions? options) => Value(options?.AdditionalProperties, CallSettings.Metadata) switch
    {
        IReadOnlyDictionary<string, object?> d => d,
        IEnumerable<KeyValuePair<string, object?>> d => d.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        IEnumerable<KeyValuePair<string, string>> d => d.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal),
        JsonElement { ValueKind: JsonValueKind.Object } e => e.EnumerateObject().ToDictionary(
            p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : (object?)p.Value.Clone(), StringComparer.Ordinal),
        _ => null,
    };

    /// <summary>The payload of a finished call, from the request, the response (if any) and the timings.</summary>
    public static LiteLlmCallPayload Payload(
        string requestId, bool streaming, IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse? response,
        Exception? exception, DateTimeOffset start, DateTimeOffset end, TimeSpan latency, TimeSpan? timeToFirstToken)
    {
        var properties = response?.AdditionalProperties;
        var usage = response?.Usage;
        return new LiteLlmCallPayload
        {
            RequestId = requestId,
            Streaming = streaming,
            ModelGroup = String(properties, ResponseProperties.ModelGroup) ?? options?.ModelId,
            Deployment = String(properties, ResponseProperties.Deployment),
            Provider = String(properties, ResponseProperties.Provider),
            Model = response?.ModelId ?? options?.ModelId,
            InputTokens = usage?.InputTokenCount,
            OutputTokens = usage?.OutputTokenCount,
            CachedInputTokens = usage?.CachedInputTokenCount,
            Cost = Decimal(properties, ResponseProperties.Cost),
            Latency = latency,
            TimeToFirstToken = timeToFirstToken,
            CacheHit = Bool(properties, ResponseProperties.CacheHit),
            Attempts = Int(properties, ResponseProperties.Attempts),
            Metadata = Metadata(options),
            Exception = exception,
            StartTime = start,
            EndTime = end,
            Messages = messages,
            Response = response,
        };
    }

    public static string Describe(decimal? cost) => cost?.ToString(CultureInfo.InvariantCulture) ?? "unknown";

    private static object? Value(AdditionalPropertiesDictionary? properties, string key)
        => properties is not null && properties.TryGetValue(key, out var value) ? value : null;
}
