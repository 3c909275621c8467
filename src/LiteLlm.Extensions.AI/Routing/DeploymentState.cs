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
    private int _inFlight;
    private double _latencyMs = double.NaN;
    private double _timeToFirstTokenMs = double.NaN;

    internal DeploymentState(Deployment deployment, LiteLlmClientFactory factory, ModelInfo? info)
    {
        Deployment = deployment;
        Info = info;
        MaxInputTokens = deployment.MaxInputTokens ?? info?.MaxInputTokens;
        CostPerToken = info is { InputCostPerToken: { } input, OutputCostPerToken: { } output } ? input + output : null;
        _chatClient = new(() => deployment.Client ?? factory.CreateChatClient(deployment.Model, deployment.Provider));
        _embeddingGenerator = new(() => deployment.EmbeddingGenerator ?? factory.CreateEmbeddingGenerator(deployment.Model, deployment.Provider));
    }

    /// <summary>Gets the deployment.</summary>
    public Deployment Deployment { get; }

    /// <summary>Gets the catalog entry of the deployment's model, if the catalog knows it.</summary>
    public ModelInfo? Info { get; }

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

    internal IChatClient ChatClient => _chatClient.Value;

    internal IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator => _embeddingGenerator.Value;

    internal void Enter() => Interlocked.Increment(ref _inFlight);

    internal void Exit() => Interlocked.Decrement(ref _inFlight);

    internal void RecordLatency(TimeSpan latency) => Smooth(ref _latencyMs, latency.TotalMilliseconds);

    internal void RecordTimeToFirstToken(TimeSpan ttft) => Smooth(ref _timeToFirstTokenMs, ttft.TotalMilliseconds);

    private static void Smooth(ref double field, double sample)
    {
        // Benign race: two samples landing together may lose one; the average stays an average.
        var current = Volatile.Read(ref field);
        Volatile.Write(ref field, double.IsNaN(current) ? sample : current + (LatencySmoothing * (sample - current)));
    }

    /// <inheritdoc/>
    public override string ToString() => Deployment.ToString();
}
