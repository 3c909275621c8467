using System.Collections.Frozen;

namespace LiteLlm.Gateway.Protocol;

/// <summary>
/// LiteLLM's request fields that belong to the gateway, not to any provider: consumed here, used where they mean
/// something, and never sent upstream (OpenAI answers a body carrying them with 400 "Unrecognized request argument").
/// The list is LiteLLM's (its proxy's request parameters); docs/fidelity.md repeats it.
/// </summary>
internal static class GatewayFields
{
    /// <summary>Fields the library's pipeline reads as per-call settings (<c>CallSettings</c>, the router), handed on as such.</summary>
    public static readonly FrozenSet<string> LibrarySettings = new[]
    {
        "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "num_retries", "cache", "mock_response", "mock_tool_calls", "mock_latency",
        "drop_params", "timeout", "stream_timeout",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Fields recorded in the call's metadata (spend record, callbacks) and otherwise consumed.</summary>
    public static readonly FrozenSet<string> Recorded = new[]
    {
        "tags", "litellm_session_id", "litellm_trace_id", "litellm_metadata",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Fields consumed without effect on the provider call (LiteLLM proxy controls we accept and do not forward).</summary>
    public static readonly FrozenSet<string> Consumed = new[]
    {
        "disable_fallbacks", "context_window_fallback_dict", "caching", "guardrails", "mock_testing_fallbacks",
        "mock_testing_context_window_fallbacks", "mock_testing_content_policy_fallbacks", "mock_testing_rate_limit_error",
        "litellm_call_id", "proxy_server_request", "secret_fields", "model_file_id_mapping", "no-log", "no_log",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> is a gateway-only field.</summary>
    public static bool IsGatewayField(string name)
        => LibrarySettings.Contains(name) || Recorded.Contains(name) || Consumed.Contains(name)
        || name.StartsWith("user_api_key_", StringComparison.Ordinal) || name.StartsWith("mock_testing_", StringComparison.Ordinal);
}
