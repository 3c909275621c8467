using System.Runtime.CompilerServices;
using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LiteLlm.Routing;

/// <summary>
/// An <see cref="IChatClient"/> over model groups: each call names a group (<see cref="ChatOptions.ModelId"/>),
/// the router picks one of its deployments by strategy, retries, cools failing deployments down and
/// falls back to other groups — LiteLLM's <c>Router</c>, as a pipeline stage.
/// </summary>
/// <remarks>
/// Every response says which deployment served it, after how many attempts and through which
/// fallbacks (<see cref="ResponseProperties"/>). Streams fail over transparently until their first
/// update; after it, an error reaches the caller as a unified exception.
/// </remarks>
public sealed class LiteLlmRouter : IChatClient
{
    private readonly RouterCore _core;
    private readonly RouterOptions _options;
    private readonly ChatClientMetadata _metadata;
    private readonly Func<IEnumerable<ChatMessage>, int> _countTokens;

    /// <summary>Initializes a new instance of the <see cref="LiteLlmRouter"/> class.</summary>
    /// <param name="options">The deployments and routing settings.</param>
    /// <param name="factory">Creates the deployments' clients; <see cref="LiteLlmClientFactory.Default"/> when null.</param>
    /// <param name="logger">Logs cooldowns, retries and fallbacks.</param>
    public LiteLlmRouter(RouterOptions options, LiteLlmClientFactory? factory = null, ILogger<LiteLlmRouter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _core = new RouterCore(options, factory ?? LiteLlmClientFactory.Default, logger);
        // Pre-call checks compare against context windows, so they count with the tokenizer; otherwise
        // four characters a token is enough for usage accounting and costs nothing.
        _countTokens = options.TokenCounter ?? (options.EnablePreCallChecks ? static m => Cost.TokenCounter.CountTokens(m) : Cost.TokenCounter.EstimateTokens);
        _metadata = new ChatClientMetadata("litellm", null, _core.Groups.Count() == 1 ? _core.Groups.First() : null);
        EmbeddingGenerator = new LiteLlmEmbeddingRouter(_core);
    }

    /// <summary>Gets the model groups this router serves.</summary>
    public IEnumerable<string> ModelGroups => _core.Groups;

    /// <summary>Gets an embedding generator routing over the same deployments.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator { get; }

    /// <summary>Gets a value indicating whether <paramref name="modelGroup"/> (or an alias of one) is served here.</summary>
    public bool HasModelGroup(string modelGroup)
    {
        try
        {
            _core.ResolveGroup(modelGroup);
            return true;
        }
        catch (UnknownModelException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gets the access groups (LiteLLM's <c>model_info.access_groups</c>), each with the model groups it grants. A name in a
    /// key's, team's or user's <c>models</c> may be an access group; <see cref="IsModelAllowed"/> applies that.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AccessGroups => _core.AccessGroups;

    /// <summary>
    /// Gets a value indicating whether a caller whose allowed models are <paramref name="allowedModels"/> (a virtual key's,
    /// team's or user's <c>models</c>; empty allows everything) may call <paramref name="model"/>: an entry names the model,
    /// its model group, an access group of that group, a wildcard matching the model (<c>openai/*</c>), or everything
    /// (<c>*</c>, <c>all-proxy-models</c>).
    /// </summary>
    /// <param name="allowedModels">The caller's allowed model names.</param>
    /// <param name="model">The model string the caller asks for.</param>
    public bool IsModelAllowed(IReadOnlyCollection<string> allowedModels, string model)
    {
        ArgumentNullException.ThrowIfNull(allowedModels);
        ArgumentNullException.ThrowIfNull(model);
        return _core.IsAllowed(allowedModels, model);
    }

    /// <summary>
    /// Lists the model names callers may ask for, as LiteLLM's <c>/v1/models</c> does: each model group and alias, with a
    /// wildcard group (<c>openai/*</c>) shown as the catalog's chat models it matches; <c>*</c> is listed as itself.
    /// </summary>
    public IEnumerable<string> ListModels() => _core.ListModels();

    /// <summary>Gets the live state of a group's deployments (in-flight calls, usage, latency).</summary>
    public IReadOnlyList<DeploymentState> DeploymentsOf(string modelGroup) => _core.DeploymentsOf(_core.ResolveGroup(modelGroup));

    /// <summary>
    /// Reports every deployment's health now (LiteLLM's <c>litellm_deployment_state</c>): cooling down, failing since its
    /// last call, or healthy. Cooldowns set by other replicas show once this router has read the shared store.
    /// </summary>
    /// <returns>One report per deployment of every model group.</returns>
    public IReadOnlyList<DeploymentHealthReport> GetDeploymentHealth()
    {
        var now = _options.TimeProvider.GetUtcNow();
        var reports = new List<DeploymentHealthReport>();
        foreach (var group in _core.Groups)
        {
            foreach (var deployment in _core.DeploymentsOf(group))
            {
                reports.Add(new(group, deployment, deployment.HealthAt(now)));
            }
        }

        return reports;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (request, list, forwarded) = Prepare(messages, options, streaming: false);
        var (response, deployment) = await _core.ExecuteAsync(
            request,
            async (d, ct) =>
            {
                var client = d.ChatClientFor(_core.ConcreteModel(d, request));
                var started = _options.TimeProvider.GetTimestamp();
                var answer = await client.GetResponseAsync(MessagesFor(request, list), OptionsFor(d, client, forwarded), ct).ConfigureAwait(false);
                (answer.AdditionalProperties ??= [])[ResponseProperties.ApiLatency] = _options.TimeProvider.GetElapsedTime(started).TotalSeconds;
                return answer;
            },
            cancellationToken).ConfigureAwait(false);
        Stamp(response.AdditionalProperties ??= [], request, deployment);
        await _core.RecordTokensAsync(deployment, response.Usage?.TotalTokenCount ?? 0).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (request, list, forwarded) = Prepare(messages, options, streaming: true);
        var (stream, deployment) = await _core.ExecuteAsync(
            request,
            (d, ct) =>
            {
                var client = d.ChatClientFor(_core.ConcreteModel(d, request));
                return StartStreamAsync(d, client, MessagesFor(request, list), OptionsFor(d, client, forwarded), ct);
            },
            cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var update = stream.First;
            long tokens = 0;
            while (true)
            {
                var isLast = update.FinishReason is not null || HasUsage(update, ref tokens);
                if (isLast || ReferenceEquals(update, stream.First))
                {
                    Stamp(update.AdditionalProperties ??= [], request, deployment);
                }

                if (isLast)
                {
                    update.AdditionalProperties![ResponseProperties.ApiLatency] = _options.TimeProvider.GetElapsedTime(stream.Started).TotalSeconds;
                }

                yield return update;
                if (!await stream.Enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                update = stream.Enumerator.Current;
            }

            await _core.RecordTokensAsync(deployment, tokens).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private (RouterRequest Request, IList<ChatMessage> Messages, ChatOptions? Forwarded) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList(); // enumerated once per attempt
        var group = _core.ResolveGroup(options?.ModelId);
        var routing = RequestRouting.From(options);
        var request = new RouterRequest(group, options?.ModelId ?? group, _countTokens(list), streaming, routing, NumRetriesOf(options));
        return (request, list, routing is null ? options : WithoutRouterParameters(options!));
    }

    /// <summary>The caller's messages, or the ones the fallback being tried brings.</summary>
    private static IEnumerable<ChatMessage> MessagesFor(RouterRequest request, IList<ChatMessage> messages)
        => (IEnumerable<ChatMessage>?)request.CurrentMessages ?? messages;

    /// <summary>Routing parameters the router consumed and providers must not see as body fields.</summary>
    private static ChatOptions WithoutRouterParameters(ChatOptions options)
    {
        if (options.AdditionalProperties is not { } p || !(p.ContainsKey("tags") || p.ContainsKey("content_policy_fallbacks")))
        {
            return options;
        }

        var result = options.Clone();
        result.AdditionalProperties = new AdditionalPropertiesDictionary(p.Where(e => e.Key is not ("tags" or "content_policy_fallbacks")));
        return result;
    }

    private static ChatOptions? OptionsFor(DeploymentState deployment, IChatClient client, ChatOptions? options)
    {
        if (deployment.Deployment.ConfigureOptions is null && client is ProviderChatClient)
        {
            // A provider client copies the options itself and names its own model: no second copy needed.
            return options;
        }

        var result = options?.Clone() ?? new ChatOptions();
        result.ModelId = null; // the deployment names its own model
        deployment.Deployment.ConfigureOptions?.Invoke(result);
        return result;
    }

    private async Task<StartedStream> StartStreamAsync(DeploymentState deployment, IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        // stream_timeout (the deployment's, else the router's) bounds the time to the first update; after it the stream runs unbounded here.
        var streamTimeout = deployment.Deployment.StreamTimeout ?? _options.StreamTimeout;
        var firstUpdateTimeout = streamTimeout is { } t ? new CancellationTokenSource(t, _options.TimeProvider) : new CancellationTokenSource();
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, firstUpdateTimeout.Token);
        var started = _options.TimeProvider.GetTimestamp();
        var enumerator = client.GetStreamingResponseAsync(messages, options, linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                throw new InternalServerException(new ProviderErrorDetails(deployment.Deployment.Model, deployment.Deployment.Model, null, "The stream ended before its first update."));
            }

            firstUpdateTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
            _core.RecordLatency(deployment, _options.TimeProvider.GetElapsedTime(started), streaming: true);
            return new StartedStream(enumerator, enumerator.Current, linked, firstUpdateTimeout, started);
        }
        catch (Exception e)
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            var timedOut = firstUpdateTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            linked.Dispose();
            firstUpdateTimeout.Dispose();
            if (timedOut && e is OperationCanceledException or ProviderTimeoutException)
            {
                throw new ProviderTimeoutException(new ProviderErrorDetails(deployment.Deployment.Model.Split('/')[0], deployment.Deployment.Model, null,
                    $"No first update within the stream timeout of {streamTimeout!.Value.TotalSeconds:0.###} s."), e);
            }

            throw;
        }
    }

    private static void Stamp(AdditionalPropertiesDictionary properties, RouterRequest request, DeploymentState deployment)
    {
        properties[ResponseProperties.Deployment] = deployment.Deployment.Id;
        properties[ResponseProperties.ModelGroup] = request.Group;
        properties[ResponseProperties.Attempts] = request.Trace.Attempts;
        if (request.Trace.Fallbacks.Count > 0)
        {
            properties[ResponseProperties.Fallbacks] = request.Trace.Fallbacks.ToArray();
        }
    }

    private static bool HasUsage(ChatResponseUpdate update, ref long tokens)
    {
        foreach (var content in update.Contents)
        {
            if (content is UsageContent usage)
            {
                tokens += usage.Details.TotalTokenCount ?? 0;
                return true;
            }
        }

        return false;
    }

    private static int? NumRetriesOf(ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue("num_retries", out var value) is true
            ? value switch
            {
                int n => Math.Clamp(n, 0, RouterCore.MaxRetries),
                long n => (int)Math.Clamp(n, 0, RouterCore.MaxRetries),
                JsonElement { ValueKind: JsonValueKind.Number } json when json.TryGetInt32(out var n) => Math.Clamp(n, 0, RouterCore.MaxRetries),
                _ => null,
            }
            : null;

    private sealed class StartedStream(IAsyncEnumerator<ChatResponseUpdate> enumerator, ChatResponseUpdate first, CancellationTokenSource linked, CancellationTokenSource timeout, long started)
        : IAsyncDisposable
    {
        public long Started { get; } = started;

        public IAsyncEnumerator<ChatResponseUpdate> Enumerator { get; } = enumerator;

        public ChatResponseUpdate First { get; } = first;

        public async ValueTask DisposeAsync()
        {
            await Enumerator.DisposeAsync().ConfigureAwait(false);
            linked.Dispose();
            timeout.Dispose();
        }
    }
}
