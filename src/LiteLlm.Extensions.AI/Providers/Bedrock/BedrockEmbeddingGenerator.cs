using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Bedrock;

/// <summary>The embedding model families reachable through InvokeModel.</summary>
internal enum BedrockEmbeddingKind
{
    /// <summary>Amazon Titan text embeddings: one input per request, <c>{"inputText","dimensions"?}</c>.</summary>
    Titan,

    /// <summary>Cohere embed v3: a batch per request, <c>{"texts","input_type"}</c>.</summary>
    Cohere,
}

/// <summary>Bedrock embeddings through <c>POST model/{id}/invoke</c> (Titan text and Cohere embed).</summary>
internal sealed class BedrockEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Cohere embed takes at most 96 texts per request.</summary>
    public const int CohereBatchSize = 96;

    private readonly BedrockTransport _transport;
    private readonly string _model;
    private readonly BedrockEmbeddingKind _kind;

    public BedrockEmbeddingGenerator(BedrockTransport transport, string model, BedrockEmbeddingKind kind)
    {
        _transport = transport;
        _model = model;
        _kind = kind;
    }

    /// <summary>Gets the family of an embedding model id (inference-profile prefixes such as <c>us.</c> allowed), or null.</summary>
    public static BedrockEmbeddingKind? KindOf(string model)
        => model.Contains("amazon.titan-embed-text", StringComparison.OrdinalIgnoreCase) || model.Contains("amazon.titan-embed-g1-text", StringComparison.OrdinalIgnoreCase)
            ? BedrockEmbeddingKind.Titan
            : model.Contains("cohere.embed", StringComparison.OrdinalIgnoreCase) ? BedrockEmbeddingKind.Cohere : null;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        long inputTokens = 0;
        var sawTokens = false;
        if (_kind == BedrockEmbeddingKind.Titan)
        {
            foreach (var input in inputs)
            {
                var body = new JsonObject { ["inputText"] = input };
                if (options?.Dimensions is { } dimensions)
                {
                    body["dimensions"] = dimensions;
                }

                using var doc = await InvokeAsync(body, cancellationToken).ConfigureAwait(false);
                var root = doc.RootElement;
                result.Add(new Embedding<float>(Vector(root.GetProperty("embedding"))) { ModelId = _model, CreatedAt = _transport.Now });
                if (root.TryGetProperty("inputTextTokenCount", out var count) && count.TryGetInt64(out var n))
                {
                    inputTokens += n;
                    sawTokens = true;
                }
            }
        }
        else
        {
            foreach (var batch in inputs.Chunk(CohereBatchSize))
            {
                var body = new JsonObject
                {
                    ["texts"] = new JsonArray([.. batch.Select(t => JsonValue.Create(t))]),
                    ["input_type"] = "search_document",
                };
                using var doc = await InvokeAsync(body, cancellationToken).ConfigureAwait(false);
                var embeddings = doc.RootElement.GetProperty("embeddings");
                if (embeddings.ValueKind == JsonValueKind.Object)
                {
                    embeddings = embeddings.GetProperty("float"); // the embedding_types form
                }

                foreach (var vector in embeddings.EnumerateArray())
                {
                    result.Add(new Embedding<float>(Vector(vector)) { ModelId = _model, CreatedAt = _transport.Now });
                }
            }
        }

        if (sawTokens)
        {
            result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens };
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }

    private async Task<JsonDocument> InvokeAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var bytes = body.ToUtf8Bytes(BedrockTransport.WireJson.Encoder);
        using var response = await _transport.PostAsync("invoke", bytes, stream: false, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(answer);
    }

    private static float[] Vector(JsonElement array)
    {
        var vector = new float[array.GetArrayLength()];
        var i = 0;
        foreach (var v in array.EnumerateArray())
        {
            vector[i++] = v.GetSingle();
        }

        return vector;
    }
}
