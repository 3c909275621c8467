using LiteLlm.Errors;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm;

/// <summary>
/// An <see cref="IChatClient"/> that reaches any provider: each call goes to the model named by
/// <see cref="ChatOptions.ModelId"/> (or the default model), with per-call <c>api_key</c>,
/// <c>api_base</c> and <c>api_version</c> overrides read from <see cref="ChatOptions.AdditionalProperties"/>.
/// </summary>
public sealed class LiteLlmChatClient : IChatClient
{
    private readonly LiteLlmClientFactory _factory;
    private readonly string? _defaultModel;
    private readonly ProviderOptions? _providerOptions;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Initializes a new instance of the <see cref="LiteLlmChatClient"/> class.</summary>
    /// <param name="defaultModel">The model used when a call names none.</param>
    /// <param name="providerOptions">Endpoint and credential overrides for every call.</param>
    /// <param name="factory">The factory; <see cref="LiteLlmClientFactory.Default"/> when null.</param>
    public LiteLlmChatClient(string? defaultModel = null, ProviderOptions? providerOptions = null, LiteLlmClientFactory? factory = null)
    {
        _factory = factory ?? LiteLlmClientFactory.Default;
        _defaultModel = defaultModel;
        _providerOptions = providerOptions;
        _metadata = new ChatClientMetadata("litellm", null, defaultModel);
    }

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => ClientFor(options).GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => ClientFor(options).GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(LiteLlmClientFactory) ? _factory
            : serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private IChatClient ClientFor(ChatOptions? options)
    {
        var model = options?.ModelId ?? _defaultModel
            ?? throw new UnknownModelException(string.Empty, "No model was given: set ChatOptions.ModelId or the client's default model.");
        return _factory.CreateChatClient(model, ProviderOptionsFor(options));
    }

    private ProviderOptions? ProviderOptionsFor(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { Count: > 0 } props
            || !(props.ContainsKey(CallSettings.ApiKey) || props.ContainsKey(CallSettings.ApiBase) || props.ContainsKey(CallSettings.ApiVersion)))
        {
            return _providerOptions;
        }

        var basis = _providerOptions ?? new ProviderOptions();
        return basis with
        {
            ApiKey = props.TryGetValue(CallSettings.ApiKey, out var key) ? key?.ToString() : basis.ApiKey,
            ApiBase = props.TryGetValue(CallSettings.ApiBase, out var apiBase) ? apiBase?.ToString() : basis.ApiBase,
            ApiVersion = props.TryGetValue(CallSettings.ApiVersion, out var version) ? version?.ToString() : basis.ApiVersion,
        };
    }
}
