using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace LiteLlm.Providers;

/// <summary>
/// The names of per-call settings a caller can put in <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/>
/// (LiteLLM's per-call parameters). They are consumed by the library and never sent to a provider;
/// any other additional property is passed through to the provider's request body.
/// </summary>
public static class CallSettings
{
    /// <summary>An API key for this call.</summary>
    public const string ApiKey = "api_key";

    /// <summary>An API base for this call.</summary>
    public const string ApiBase = "api_base";

    /// <summary>An API version for this call (Azure).</summary>
    public const string ApiVersion = "api_version";

    /// <summary>Headers for this call (a string-to-string dictionary).</summary>
    public const string ExtraHeaders = "extra_headers";

    /// <summary>The time limit for this call: a <see cref="TimeSpan"/> or a number of seconds.</summary>
    public const string Timeout = "timeout";

    /// <summary>The mock provider's scripted text, or an error name (<c>litellm.RateLimitError</c>) to raise.</summary>
    public const string MockResponse = "mock_response";

    /// <summary>The mock provider's scripted tool calls.</summary>
    public const string MockToolCalls = "mock_tool_calls";

    /// <summary>The mock provider's script of answers, one per round trip of a user turn: strings, or objects <c>{content, tool_calls}</c>.</summary>
    public const string MockResponses = "mock_responses";

    /// <summary>The mock provider's latency: a <see cref="TimeSpan"/> or milliseconds.</summary>
    public const string MockLatency = "mock_latency";

    /// <summary>Caller metadata handed to callbacks and spend records, never to the provider.</summary>
    public const string Metadata = "metadata";

    /// <summary>Whether unsupported parameters are dropped instead of refused.</summary>
    public const string DropParams = "drop_params";

    private static readonly FrozenSet<string> Reserved = new[]
    {
        ApiKey, ApiBase, ApiVersion, ExtraHeaders, Timeout, MockResponse, MockToolCalls, MockResponses, MockLatency, Metadata, DropParams,
        "num_retries", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "tags", "cache", "user_api_key", "litellm_call_id",
        "stream_timeout",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether <paramref name="name"/> is a library setting rather than a provider parameter.</summary>
    public static bool IsReserved(string name) => Reserved.Contains(name) || name.StartsWith("litellm.", StringComparison.Ordinal);

    internal static TimeSpan? ToTimeSpan(object? value, bool numbersAreMilliseconds = false) => value switch
    {
        TimeSpan t => t,
        int i => numbersAreMilliseconds ? TimeSpan.FromMilliseconds(i) : TimeSpan.FromSeconds(i),
        long l => numbersAreMilliseconds ? TimeSpan.FromMilliseconds(l) : TimeSpan.FromSeconds(l),
        double d => numbersAreMilliseconds ? TimeSpan.FromMilliseconds(d) : TimeSpan.FromSeconds(d),
        float f => numbersAreMilliseconds ? TimeSpan.FromMilliseconds(f) : TimeSpan.FromSeconds(f),
        decimal m => numbersAreMilliseconds ? TimeSpan.FromMilliseconds((double)m) : TimeSpan.FromSeconds((double)m),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => ToTimeSpan(d, numbersAreMilliseconds),
        JsonElement { ValueKind: JsonValueKind.Number } e => ToTimeSpan(e.GetDouble(), numbersAreMilliseconds),
        _ => null,
    };

    internal static IReadOnlyDictionary<string, string>? ToHeaders(object? value) => value switch
    {
        IReadOnlyDictionary<string, string> d => d,
        IDictionary<string, string> d => d.AsReadOnly(),
        IEnumerable<KeyValuePair<string, object?>> d => d.ToDictionary(p => p.Key, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? string.Empty),
        JsonElement { ValueKind: JsonValueKind.Object } e => e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString()),
        _ => null,
    };
}
