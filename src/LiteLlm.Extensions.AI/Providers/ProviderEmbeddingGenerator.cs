using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>Wraps a provider's embedding generator: fixed model, unified errors, a time limit.</summary>
internal sealed class ProviderEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly TimeProvider _time;

    public ProviderEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ProviderEndpoint endpoint, string model, TimeProvider? time = null)
        : base(inner)
    {
        _endpoint = endpoint;
        _model = model;
        _metadata = new EmbeddingGeneratorMetadata(endpoint.Provider.Name, endpoint.ApiBase, model);
        _time = time ?? TimeProvider.System;
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var timeout = options?.AdditionalProperties is { } props && props.TryGetValue(CallSettings.Timeout, out var t)
            ? CallSettings.ToTimeSpan(t) ?? _endpoint.Timeout
            : _endpoint.Timeout;
        var forwarded = options?.Clone() ?? new EmbeddingGenerationOptions();
        forwarded.ModelId = _model;
        forwarded.AdditionalProperties = WireOnly(options?.AdditionalProperties);

        using var timer = new CancellationTokenSource(timeout, _time);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            var result = await base.GenerateAsync(values, forwarded, timeoutSource.Token).ConfigureAwait(false);
            foreach (var embedding in result)
            {
                embedding.ModelId ??= _model;
            }

            return result;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw new ProviderTimeoutException(new ProviderErrorDetails(_endpoint.Provider.Name, _model, null, $"No answer within {timeout.TotalSeconds:0.###} s."), e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ExceptionTranslator.Translate(e, _endpoint.Provider.Name, _model, _endpoint.ApiKey);
        }
    }

    /// <summary>Does nothing: provider clients are shared and owned by <see cref="LiteLlmClientFactory"/>.</summary>
#pragma warning disable CA2215 // deliberately not disposing the shared inner client
    protected override void Dispose(bool disposing)
    {
    }
#pragma warning restore CA2215

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : base.GetService(serviceType, serviceKey);
    }

    // As for chat: properties that are not library settings go to the wire as body fields (Cohere's input_type,
    // OpenAI's user), written by the provider's generator; the call's extra headers go along.
    private static AdditionalPropertiesDictionary? WireOnly(AdditionalPropertiesDictionary? properties)
    {
        AdditionalPropertiesDictionary? wire = null;
        foreach (var (name, value) in properties ?? [])
        {
            if (!CallSettings.IsReserved(name) || name == CallSettings.ExtraHeaders)
            {
                (wire ??= [])[name] = value;
            }
        }

        return wire;
    }
}
