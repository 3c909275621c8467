using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace LiteLlm.Caching;

/// <summary>
/// Caches embeddings per input string in a <see cref="HybridCache"/>: only the inputs not in the cache go upstream
/// (in one call), and the results come back in input order. The per-request <c>cache</c> controls of
/// <see cref="ResponseCachingChatClient"/> apply here too.
/// </summary>
public sealed class EmbeddingCachingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly HybridCacheEntryOptions ProbeOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private readonly HybridCache _cache;
    private readonly ResponseCacheOptions _options;
    private readonly JsonSerializerOptions _json;
    private readonly string? _defaultModel;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingCachingGenerator"/> class.</summary>
    /// <param name="innerGenerator">The generator whose embeddings are cached.</param>
    /// <param name="cache">The cache that stores embeddings.</param>
    /// <param name="options">The cache settings; <see langword="null"/> for the defaults.</param>
    public EmbeddingCachingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, HybridCache cache, ResponseCacheOptions? options = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
        _options = options ?? new ResponseCacheOptions();
        _options.Validate();
        _json = _options.JsonSerializerOptions;
        _defaultModel = innerGenerator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        var control = ResponseCacheControl.From(options?.AdditionalProperties);
        var model = options?.ModelId ?? _defaultModel;
        var ns = control.Namespace ?? _options.Namespace;
        var keys = inputs.Select(input => ResponseCacheKeys.ForEmbedding(input, options, model, ns, _json)).ToArray();

        var results = new Embedding<float>?[inputs.Count];
        if (!control.NoCache)
        {
            var stored = await Task.WhenAll(keys.Select(key => ProbeAsync(key, cancellationToken)));
            for (var i = 0; i < stored.Length; i++)
            {
                results[i] = stored[i] is { } payload ? Deserialize(payload) : null;
            }
        }

        // One upstream call for the distinct inputs that missed.
        var misses = Enumerable.Range(0, inputs.Count).Where(i => results[i] is null).ToList();
        var distinct = misses.Select(i => inputs[i]).Distinct(StringComparer.Ordinal).ToList();
        UsageDetails? usage = null;
        if (distinct.Count > 0)
        {
            var generated = await base.GenerateAsync(distinct, options, cancellationToken);
            if (generated.Count != distinct.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {generated.Count} embeddings for {distinct.Count} inputs.");
            }

            usage = generated.Usage;
            var byInput = new Dictionary<string, Embedding<float>>(StringComparer.Ordinal);
            for (var i = 0; i < distinct.Count; i++)
            {
                byInput[distinct[i]] = generated[i];
            }

            foreach (var i in misses)
            {
                results[i] = byInput[inputs[i]];
            }

            if (!control.NoStore)
            {
                var entry = EntryOptions(control.Ttl);
                string[] tags = [ResponseCacheKeys.ModelTag(model)];
                await Task.WhenAll(misses.DistinctBy(i => inputs[i], StringComparer.Ordinal)
                    .Select(i => _cache.SetAsync(keys[i], Serialize(results[i]!), entry, tags, cancellationToken).AsTask()));
            }
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(results!) { Usage = usage };
        embeddings.AdditionalProperties = new()
        {
            [ResponseProperties.CacheHit] = distinct.Count == 0,
        };
        if (distinct.Count == 0)
        {
            embeddings.AdditionalProperties[ResponseProperties.Cost] = 0m;
        }

        return embeddings;
    }

    private HybridCacheEntryOptions EntryOptions(TimeSpan? ttl)
    {
        var expiration = ttl ?? _options.Expiration;
        var local = _options.LocalCacheExpiration is { } l && l < expiration ? l : expiration;
        return new HybridCacheEntryOptions { Expiration = expiration, LocalCacheExpiration = local };
    }

    private async Task<byte[]?> ProbeAsync(string key, CancellationToken cancellationToken)
        => await _cache.GetOrCreateAsync<byte[]?>(key, static _ => ValueTask.FromResult<byte[]?>(null), ProbeOnly, cancellationToken: cancellationToken);

    private byte[] Serialize(Embedding<float> embedding) => JsonSerializer.SerializeToUtf8Bytes(embedding, _json.GetTypeInfo(typeof(Embedding<float>)));

    private Embedding<float> Deserialize(byte[] payload)
        => (Embedding<float>?)JsonSerializer.Deserialize(payload, _json.GetTypeInfo(typeof(Embedding<float>)))
           ?? throw new InvalidOperationException("The cache held an empty embedding.");
}
