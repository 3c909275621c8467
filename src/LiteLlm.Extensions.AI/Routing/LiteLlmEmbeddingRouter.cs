using Microsoft.Extensions.AI;

namespace LiteLlm.Routing;

/// <summary>Routes embedding requests over a router's deployments, with the same retries, cooldowns and fallbacks.</summary>
internal sealed class LiteLlmEmbeddingRouter : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly RouterCore _core;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public LiteLlmEmbeddingRouter(RouterCore core)
    {
        _core = core;
        _metadata = new EmbeddingGeneratorMetadata("litellm");
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values as IList<string> ?? values.ToList();
        var group = _core.ResolveGroup(options?.ModelId);
        var request = new RouterRequest(group, options?.ModelId ?? group, 0, isStreaming: false);
        var (result, deployment) = await _core.ExecuteAsync(
            request,
            (d, ct) =>
            {
                var forwarded = options?.Clone() ?? new EmbeddingGenerationOptions();
                forwarded.ModelId = null;
                return d.EmbeddingGeneratorFor(_core.ConcreteModel(d, request)).GenerateAsync(list, forwarded, ct);
            },
            cancellationToken).ConfigureAwait(false);
        var properties = result.AdditionalProperties ??= [];
        properties[ResponseProperties.Deployment] = deployment.Deployment.Id;
        properties[ResponseProperties.ModelGroup] = request.Group;
        properties[ResponseProperties.Attempts] = request.Trace.Attempts;
        await _core.RecordTokensAsync(deployment, result.Usage?.TotalTokenCount ?? 0).ConfigureAwait(false);
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }
}
