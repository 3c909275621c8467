namespace LiteLlm.Errors;

/// <summary>What is known about a provider failure; the input to every exception constructor.</summary>
/// <param name="Provider">The provider's name (e.g. <c>openai</c>).</param>
/// <param name="Model">The model asked for.</param>
/// <param name="StatusCode">The HTTP status, when there was one.</param>
/// <param name="ProviderMessage">The provider's message, already redacted.</param>
/// <param name="ProviderCode">The provider's error code or type.</param>
/// <param name="IsMidStream">Whether the error arrived inside a 200 stream.</param>
public sealed record ProviderErrorDetails(
    string? Provider,
    string? Model,
    int? StatusCode = null,
    string? ProviderMessage = null,
    string? ProviderCode = null,
    bool IsMidStream = false);
