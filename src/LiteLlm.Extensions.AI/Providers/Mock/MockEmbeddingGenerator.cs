using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>Deterministic embeddings without a network: equal inputs give equal unit vectors.</summary>
public sealed class MockEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int DefaultDimensions = 16;
    private readonly string _model;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="MockEmbeddingGenerator"/> class.</summary>
    /// <param name="model">The model name reported in results.</param>
    /// <param name="timeProvider">The clock for <c>created</c> (the system's when null).</param>
    public MockEmbeddingGenerator(string model = "mock", TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _model = model;
        _metadata = new EmbeddingGeneratorMetadata("mock", new Uri("mock://local/"), model, DefaultDimensions);
    }

    /// <inheritdoc/>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dims = options?.Dimensions ?? DefaultDimensions;
        var result = new GeneratedEmbeddings<Embedding<float>>();
        long tokens = 0;
        foreach (var value in values)
        {
            result.Add(new Embedding<float>(Vector(value, dims)) { ModelId = _model, CreatedAt = _time.GetUtcNow() });
            tokens += Math.Max(1, value.Length / 4);
        }

        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return Task.FromResult(result);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static float[] Vector(string value, int dims)
    {
        var vector = new float[dims];
        // A seeded Random is deterministic across processes; the seed is a stable hash of the text.
#pragma warning disable CA5394 // not used for security
        var random = new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(value)), 0));
        double norm = 0;
        for (var i = 0; i < dims; i++)
        {
            vector[i] = (float)random.NextDouble() - 0.5f;
            norm += vector[i] * vector[i];
        }
#pragma warning restore CA5394

        var scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 1f;
        for (var i = 0; i < dims; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }
}
