namespace LiteLlm.Providers;

/// <summary>A provider's resolved endpoint: everything a client needs, with defaults and environment applied.</summary>
/// <param name="Provider">The provider.</param>
/// <param name="ApiBase">The base URL.</param>
/// <param name="ApiKey">The key, or <see langword="null"/> when none is needed.</param>
/// <param name="ApiVersion">The API version, where the protocol has one.</param>
/// <param name="Headers">Extra headers for every request.</param>
/// <param name="Timeout">The per-call time limit.</param>
/// <param name="Settings">Provider-specific settings.</param>
public sealed record ProviderEndpoint(
    ProviderDescriptor Provider,
    Uri ApiBase,
    string? ApiKey,
    string? ApiVersion,
    IReadOnlyDictionary<string, string> Headers,
    TimeSpan Timeout,
    IReadOnlyDictionary<string, object?> Settings)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Provider.Name} @ {ApiBase}"; // never the key
}
