using System.Collections.Concurrent;
using LiteLlm.Models;
using Microsoft.Extensions.AI;

namespace LiteLlm.Routing;

/// <summary>
/// What the router knows about one deployment right now: in-flight calls, usage this minute and
/// recent latency. Strategies read it to choose; only the router writes it.
/// </summary>
public sealed class DeploymentState
{
    private const double LatencySmoothing = 0.2; // weight of the newest sample in the moving average
    private readonly Lazy<IChatClient> _chatClient;
    private readonly Lazy<IEmbeddingGenerator<string, Embedding<float>>> _embeddingGenerator;
    private readonly LiteLlmClientFactory _factory;
    private readonly ConcurrentDictionary<string, object>? _concrete; // wildcard deployments: one client per provider model served
    private readonly SampleWindow _latencySamples = new();
    private readonly SampleWindow _firstTokenSamples = new();
    private int _inFlight;
    private int _failing; // 1 after a failure of the deployment's own, until its next success
    private long _cooldownUntilTicks; // UTC ticks; cooldowns seen here or read from the shared store
    private double _latencyMs = double.NaN;
    private double _timeToFirstTokenMs = double.NaN;

    internal DeploymentState(Deployment deployment, LiteLlmClientFactory factory, ModelInfo? info)
    {
        Deployment = deployment;
        Info = info;
        _factory = factory;
        IsWildcard = ModelPattern.IsPattern(deployment.Model) && deployment.Client is null;
        _concrete = IsWildcard ? new(StringComparer.Ordinal) : null;
        MaxInputTokens = deployment.MaxInputTokens ?? info?.MaxInputTokens;
        CostPerToken = info is { InputCostPerToken: { } input, OutputCostPerToken: { } output } ? input + output : null;
        _chatClient = new(() => deployment.Client ?? factory.CreateChatClient(deployment.Model, deployment.Provider));
        _embeddingGenerator = new(() => deployment.EmbeddingGenerator ?? factory.CreateEmbeddingGenerator(deployment.Model, deployment.Provider));
    }

    /// <summary>Gets the deployment.</summary>
    public Deployment Deployment { get; }

    /// <summary>Gets the catalog entry of the deployment's model, if the catalog knows it.</summary>
    public ModelInfo? Info { get; }

    /// <summary>
    /// Gets a value indicating whether the deployment speaks OpenAI's Responses API (where a caller's Responses request
    /// passes through unchanged): an <c>openai/</c> or <c>azure/</c> model whose catalog mode is <c>responses</c>, or a
    /// deployment with <c>use_responses_api: true</c> (<c>false</c> opts out); never a deployment with its own client.
    /// </summary>
    public bool ServesResponsesApi
    {
        get
        {
            var model = Deployment.Model;
            var slash = model.IndexOf('/', StringComparison.Ordinal);
            return Deployment.Client is null
                && Providers.OpenAIResponses.ResponsesApi.Applies(slash > 0 ? model[..slash] : "openai", Deployment.Provider?.Settings, Info?.Mode);
        }
    }

    /// <summary>Gets the context window used by pre-call checks.</summary>
    public int? MaxInputTokens { get; }

    /// <summary>Gets the input plus output price per token (for <c>cost-based-routing</c>), or null when unknown.</summary>
    public decimal? CostPerToken { get; }

    /// <summary>Gets the calls in flight on this deployment from this process.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets the requests counted this minute (shared across replicas when the state store is).</summary>
    public long RequestsThisMinute { get; internal set; }

    /// <summary>Gets the tokens counted this minute (shared across replicas when the state store is).</summary>
    public long TokensThisMinute { get; internal set; }

    /// <summary>Gets the moving average latency of complete answers, or <see langword="null"/> before the first.</summary>
    public TimeSpan? AverageLatency => double.IsNaN(Volatile.Read(ref _latencyMs)) ? null : TimeSpan.FromMilliseconds(_latencyMs);

    /// <summary>Gets the moving average time to the first streamed update, or <see langword="null"/> before the first.</summary>
    public TimeSpan? AverageTimeToFirstToken => double.IsNaN(Volatile.Read(ref _timeToFirstTokenMs)) ? null : TimeSpan.FromMilliseconds(_timeToFirstTokenMs);

    /// <summary>Gets a value indicating whether the deployment's model has a wildcard (<c>openai/*</c>): it serves the model the caller names.</summary>
    public bool IsWildcard { get; }

    internal IChatClient ChatClient => _chatClient.Value;

    internal IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator => _embeddingGenerator.Value;

    /// <summary>The chat client for <paramref name="model"/>, the provider model a wildcard deployment serves a request with.</summary>
    internal IChatClient ChatClientFor(string? model)
        => model is null || _concrete is null ? ChatClient
            : (IChatClient)Concrete("chat:" + model, () => _factory.CreateChatClient(model, Deployment.Provider));

    /// <summary>The embedding generator for <paramref name="model"/> (see <see cref="ChatClientFor"/>).</summary>
    internal IEmbeddingGenerator<string, Embedding<float>> EmbeddingGeneratorFor(string? model)
        => model is null || _concrete is null ? EmbeddingGenerator
            : (IEmbeddingGenerator<string, Embedding<float>>)Concrete("embedding:" + model, () => _factory.CreateEmbeddingGenerator(model, Deployment.Provider));

    private object Concrete(string key, Func<object> create)
    {
        if (_concrete!.TryGetValue(key, out var client))
        {
            return client;
        }

        // Callers choose the model string: bound the cache so that many distinct names cannot grow it without end.
        if (_concrete.Count >= 1024)
        {
            _concrete.Clear();
        }

        return _concrete.GetOrAdd(key, _ => create());
    }

    /// <summary>Gets the deployment's health at <paramref name="now"/>: cooling down, failing, or healthy.</summary>
    /// <param name="now">The time to judge the cooldown against (the router's clock).</param>
    /// <returns>The health, with LiteLLM's gauge values.</returns>
    public DeploymentHealth HealthAt(DateTimeOffset now)
        => now.UtcTicks < Volatile.Read(ref _cooldownUntilTicks) ? DeploymentHealth.CompleteOutage
        : Volatile.Read(ref _failing) == 1 ? DeploymentHealth.PartialOutage
        : DeploymentHealth.Healthy;

    internal void MarkSucceeded() => Volatile.Write(ref _failing, 0);

    internal void MarkFailed() => Volatile.Write(ref _failing, 1);

    internal void MarkCooledDown(DateTimeOffset until) => Volatile.Write(ref _cooldownUntilTicks, until.UtcTicks);

    internal void Enter() => Interlocked.Increment(ref _inFlight);

    internal void Exit() => Interlocked.Decrement(ref _inFlight);

    internal void RecordLatency(TimeSpan latency)
    {
        Smooth(ref _latencyMs, latency.TotalMilliseconds);
        _latencySamples.Add(latency.TotalMilliseconds);
    }

    internal void RecordTimeToFirstToken(TimeSpan ttft)
    {
        Smooth(ref _timeToFirstTokenMs, ttft.TotalMilliseconds);
        _firstTokenSamples.Add(ttft.TotalMilliseconds);
    }

    /// <summary>The recent samples adaptive hedging reads: time to first update for streams, to the answer otherwise.</summary>
    internal SampleWindow Samples(bool streaming) => streaming ? _firstTokenSamples : _latencySamples;

    private static void Smooth(ref double field, double sample)
    {
        // Benign race: two samples landing together may lose one; the average stays an average.
        var current = Volatile.Read(ref field);
        Volatile.Write(ref field, double.IsNaN(current) ? sample : current + (LatencySmoothing * (sample - current)));
    }

    /// <inheritdoc/>
    public override string ToString() => Deployment.ToString();
}
