using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Providers.OpenAIResponses;
using LiteLlm.Providers;
using LiteLlm.Providers.Anthropic;
using LiteLlm.Providers.Cohere;
using LiteLlm.Providers.Gemini;
using LiteLlm.Providers.Bedrock;
using LiteLlm.Providers.Http;
using LiteLlm.Providers.Mock;
using LiteLlm.Providers.Ollama;
using LiteLlm.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm;

/// <summary>
/// Turns a model string (<c>groq/llama3-8b-8192</c>, <c>azure/my-deployment</c>, <c>gpt-4o-mini</c>)
/// into a provider <see cref="IChatClient"/> or embedding generator, with credentials and endpoint
/// from the arguments, the provider's environment variables and its defaults.
/// </summary>
/// <remarks>
/// Clients are cached per (provider, endpoint, key, model) and share one connection pool, so asking
/// for a client per request costs a dictionary lookup and never a socket. The factory owns the
/// clients it returns: disposing one of them does nothing; disposing the factory releases them all.
/// </remarks>
public sealed class LiteLlmClientFactory : IDisposable
{
    private static readonly Lazy<LiteLlmClientFactory> DefaultFactory = new(() => new LiteLlmClientFactory());
    private readonly LiteLlmClientFactoryOptions _options;
    private readonly HttpMessageHandler _transport;
    private readonly bool _ownsTransport;
    private readonly ModelResolver _resolver;
    private readonly ConcurrentDictionary<string, IChatClient> _chatClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IEmbeddingGenerator<string, Embedding<float>>> _embeddingGenerators = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="LiteLlmClientFactory"/> class.</summary>
    public LiteLlmClientFactory(LiteLlmClientFactoryOptions? options = null)
    {
        _options = options ?? new LiteLlmClientFactoryOptions();
        _ownsTransport = _options.HttpMessageHandler is null;
        _transport = _options.HttpMessageHandler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            EnableMultipleHttp2Connections = true,
        };
        _resolver = new ModelResolver(_options.Providers, _options.Catalog);
    }

    /// <summary>Gets the process-wide factory behind <see cref="Llm"/>.</summary>
    public static LiteLlmClientFactory Default => DefaultFactory.Value;

    /// <summary>Gets the providers this factory knows.</summary>
    public ProviderRegistry Providers => _options.Providers;

    /// <summary>Gets the model catalog.</summary>
    public ModelCatalog Catalog => _options.Catalog;

    /// <summary>Resolves a model string to its provider, or throws <see cref="UnknownModelException"/>.</summary>
    internal ResolvedModel Resolve(string model) => _resolver.Resolve(model);

    /// <summary>
    /// Gets the provider a model string names (<c>groq</c> for <c>groq/llama-3.1-8b-instant</c>, <c>openai</c> for a bare
    /// <c>gpt-4o</c>), for hosts that choose by protocol before calling (the gateway's same-format pass-through).
    /// </summary>
    /// <param name="model">The model string.</param>
    /// <returns>The provider, or <see langword="null"/> when the string names none.</returns>
    public ProviderDescriptor? FindProvider(string model)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        try
        {
            return _resolver.Resolve(model).Provider;
        }
        catch (UnknownModelException)
        {
            return null;
        }
    }

    /// <summary>Gets a chat client for <paramref name="model"/>.</summary>
    /// <exception cref="UnknownModelException">The model string names no known provider or model.</exception>
    /// <exception cref="AuthenticationException">The provider needs a key and none was given or found.</exception>
    public IChatClient CreateChatClient(string model, ProviderOptions? options = null)
    {
        var resolved = Resolve(model);
        var endpoint = ResolveEndpoint(resolved, options);
        var key = CacheKey(endpoint, resolved.Model);
        if (key is null)
        {
            return CreateChat(endpoint, resolved.Model);
        }

        return _chatClients.GetOrAdd(key, static (_, state) => (IChatClient)state.Self.CreateChat(state.Endpoint, state.Model), (Self: this, Endpoint: endpoint, resolved.Model));
    }

    /// <summary>Gets an embedding generator for <paramref name="model"/>.</summary>
    /// <exception cref="UnknownModelException">The model string names no known provider or model.</exception>
    /// <exception cref="NotSupportedException">The provider has no embeddings API.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string model, ProviderOptions? options = null)
    {
        var resolved = Resolve(model);
        var endpoint = ResolveEndpoint(resolved, options);
        var key = CacheKey(endpoint, resolved.Model);
        if (key is null)
        {
            return CreateEmbedding(endpoint, resolved.Model);
        }

        return _embeddingGenerators.GetOrAdd(key, static (_, state) => (IEmbeddingGenerator<string, Embedding<float>>)state.Self.CreateEmbedding(state.Endpoint, state.Model), (Self: this, Endpoint: endpoint, resolved.Model));
    }

    /// <summary>Resolves the endpoint (base, key, version, headers, time limit) a model would be called at.</summary>
    internal ProviderEndpoint ResolveEndpoint(ResolvedModel model, ProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var provider = model.Provider;
        var apiBase = options?.ApiBase ?? FirstVariable(provider.ApiBaseVariables);
        var isDefaultBase = apiBase is null;
        apiBase ??= provider.DefaultApiBase;
        if (string.IsNullOrWhiteSpace(apiBase))
        {
            throw new BadRequestException(new ProviderErrorDetails(provider.Name, model.Model, null,
                $"The provider '{provider.Name}' needs an API base: pass api_base"
                + (provider.ApiBaseVariables.Count > 0 ? " or set " + string.Join(" / ", provider.ApiBaseVariables) : string.Empty) + "."));
        }

        if (!Uri.TryCreate(apiBase.EndsWith('/') ? apiBase : apiBase + "/", UriKind.Absolute, out var baseUri))
        {
            throw new BadRequestException(new ProviderErrorDetails(provider.Name, model.Model, null, $"The API base '{apiBase}' is not an absolute URL."));
        }

        var apiKey = options?.ApiKey ?? FirstVariable(provider.ApiKeyVariables);
        if (string.IsNullOrEmpty(apiKey) && provider.RequiresApiKey && isDefaultBase)
        {
            throw new AuthenticationException(new ProviderErrorDetails(provider.Name, model.Model, null,
                $"No API key for '{provider.Name}': pass api_key"
                + (provider.ApiKeyVariables.Count > 0 ? " or set " + provider.ApiKeyVariables[0] : string.Empty) + "."));
        }

        return new ProviderEndpoint(
            provider,
            baseUri,
            string.IsNullOrEmpty(apiKey) ? null : apiKey,
            options?.ApiVersion ?? FirstVariable(provider.ApiVersionVariables) ?? provider.DefaultApiVersion,
            options?.Headers ?? new Dictionary<string, string>(),
            options?.Timeout ?? _options.DefaultTimeout,
            options?.Settings ?? new Dictionary<string, object?>());
    }

    /// <summary>
    /// Checks that <paramref name="apiKey"/> works for <paramref name="model"/> with the cheapest call there is:
    /// a one-token completion of <c>ping</c> (LiteLLM's <c>check_valid_key</c>, which only says yes or no).
    /// Expected failures are reported in the result, never thrown.
    /// </summary>
    /// <param name="model">The model string to check the key against.</param>
    /// <param name="apiKey">The key; <see langword="null"/> checks the key from <paramref name="provider"/> or the environment.</param>
    /// <param name="provider">Endpoint overrides (API base, version, headers).</param>
    /// <param name="cancellationToken">Cancels the check; cancellation is the one thing that throws.</param>
    public async Task<KeyCheckResult> CheckValidKeyAsync(string model, string? apiKey, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        try
        {
            // Not the cache: a key under test (often a wrong one) should not leave a client behind.
            var resolved = Resolve(model);
            var options = apiKey is null ? provider : (provider ?? new ProviderOptions()) with { ApiKey = apiKey };
            var client = CreateChat(ResolveEndpoint(resolved, options), resolved.Model);
            await client.GetResponseAsync(
                [new ChatMessage(ChatRole.User, "ping")],
                new ChatOptions { MaxOutputTokens = 1 },
                cancellationToken).ConfigureAwait(false);
            return new KeyCheckResult(KeyCheckStatus.Valid);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (LiteLlmException e)
        {
            var status = e switch
            {
                AuthenticationException => KeyCheckStatus.InvalidKey,
                PermissionDeniedException => KeyCheckStatus.NoAccess,
                NotFoundException or UnknownModelException => KeyCheckStatus.ModelNotFound,
                RateLimitException => KeyCheckStatus.RateLimited,
                ApiConnectionException or ProviderTimeoutException => KeyCheckStatus.Unreachable,
                _ => KeyCheckStatus.Error,
            };
            return new KeyCheckResult(status, e.Message, e.StatusCode);
        }
#pragma warning disable CA1031 // a custom provider may throw anything; a key check reports it
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new KeyCheckResult(KeyCheckStatus.Error, SecretRedactor.Redact(e.Message, apiKey), null);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _chatClients.Clear();
        _embeddingGenerators.Clear();
        if (_ownsTransport)
        {
            _transport.Dispose();
        }
    }

    private ProviderChatClient CreateChat(ProviderEndpoint endpoint, string model)
    {
        // OpenAI/Azure models served only on the Responses API (catalog mode "responses"), or deployments asking for it.
        var inner = OpenAIResponsesChatClient.Applies(endpoint, _options.Catalog.Find(endpoint.Provider.Name, model)?.Mode)
            ? new OpenAIResponsesChatClient(endpoint, model, HttpClientFor(endpoint, model))
            : ProtocolOf(endpoint).CreateChatClient(endpoint, model, HttpClientFor(endpoint, model));
        return new ProviderChatClient(inner, endpoint, model, _options.DropParams, _options.TimeProvider);
    }

    private ProviderEmbeddingGenerator CreateEmbedding(ProviderEndpoint endpoint, string model)
    {
        var inner = ProtocolOf(endpoint).CreateEmbeddingGenerator(endpoint, model, HttpClientFor(endpoint, model))
            ?? throw new NotSupportedException($"The provider '{endpoint.Provider.Name}' has no embeddings API.");
        return new ProviderEmbeddingGenerator(inner, endpoint, model, _options.TimeProvider);
    }

    private HttpClient HttpClientFor(ProviderEndpoint endpoint, string model)
    {
        var client = new HttpClient(new ProviderHttpHandler(EdgeOf(endpoint), model, _transport, _options.TimeProvider), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

        // Say who is calling (some hosts behind web firewalls refuse requests without a User-Agent).
        client.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        return client;
    }

    private static EdgeEndpoint EdgeOf(ProviderEndpoint endpoint) => new(
        endpoint.Provider.Name,
        endpoint.Provider.Protocol switch
        {
            ProviderProtocol.AzureOpenAI => EdgeAuth.AzureApiKey,
            ProviderProtocol.Bedrock => EdgeAuth.Signed,
            _ => EdgeAuth.Default,
        },
        endpoint.ApiKey,
        endpoint.ApiVersion,
        endpoint.Headers);

    private static readonly ProductInfoHeaderValue UserAgent = new("LiteLlm.NET", typeof(LiteLlmClientFactory).Assembly.GetName().Version?.ToString(3) ?? "1.0.0");

    private IProtocolClientFactory ProtocolOf(ProviderEndpoint endpoint) => endpoint.Provider.Protocol switch
    {
        ProviderProtocol.OpenAI or ProviderProtocol.AzureOpenAI => OpenAIProtocol.Instance,
        ProviderProtocol.Anthropic => AnthropicProtocol.Instance,
        ProviderProtocol.Ollama => OllamaProtocol.Instance,
        ProviderProtocol.Gemini => GeminiProtocol.Instance,
        ProviderProtocol.Cohere => CohereProtocol.Instance,
        ProviderProtocol.Bedrock => new BedrockProtocol(_options.EnvironmentVariables, _options.TimeProvider),
        ProviderProtocol.Mock => new MockProtocol(_options.TimeProvider),
        ProviderProtocol.Custom => new CustomProtocol(endpoint.Provider.CustomFactory!),
        var other => throw new NotSupportedException($"The {other} protocol is not available in this build."),
    };

    // Clients with provider-specific settings (a mock's script) are not shared: the settings are
    // objects without a stable identity, and such clients are created once per deployment anyway.
    private static string? CacheKey(ProviderEndpoint endpoint, string model)
    {
        if (endpoint.Settings.Count > 0)
        {
            return null;
        }

        var key = new StringBuilder()
            .Append(endpoint.Provider.Name).Append('\n').Append(endpoint.ApiBase.AbsoluteUri).Append('\n')
            .Append(endpoint.ApiKey).Append('\n').Append(endpoint.ApiVersion).Append('\n')
            .Append(endpoint.Timeout.Ticks).Append('\n').Append(model);
        foreach (var (name, value) in endpoint.Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            key.Append('\n').Append(name).Append(':').Append(value);
        }

        return key.ToString();
    }

    private string? FirstVariable(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (_options.EnvironmentVariables(name) is { Length: > 0 } value)
            {
                return value;
            }
        }

        return null;
    }

    private sealed class CustomProtocol(ICustomProviderFactory factory) : IProtocolClientFactory
    {
        public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
            => factory.CreateChatClient(model, endpoint);

        public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
            => factory.CreateEmbeddingGenerator(model, endpoint);
    }
}
