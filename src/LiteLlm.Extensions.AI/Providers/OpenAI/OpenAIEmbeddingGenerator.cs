using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>
/// OpenAI embeddings (<c>POST {base}/embeddings</c>) over plain HTTP, for OpenAI, every compatible host and Azure.
/// Written by hand like chat (decision 0007) so that a call's pass-through fields and headers are written into the
/// request it builds. Vectors are read whether the host answers floats or base64.
/// </summary>
internal sealed class OpenAIEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Uri _uri;
    private readonly string _model;
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OpenAIEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient http)
    {
        _uri = new Uri(OpenAIProtocol.BaseUri(endpoint, model), "embeddings");
        _model = model;
        _http = http;
        _authorization = endpoint.Provider.Protocol != ProviderProtocol.AzureOpenAI && !string.IsNullOrEmpty(endpoint.ApiKey)
            ? new AuthenticationHeaderValue("Bearer", endpoint.ApiKey)
            : null;
        _metadata = new EmbeddingGeneratorMetadata(endpoint.Provider.Name, endpoint.ApiBase, model);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var model = options?.ModelId ?? _model;
        var body = new JsonObject
        {
            ["model"] = model,
            ["input"] = new JsonArray([.. values.Select(v => (JsonNode?)v)]),
            ["encoding_format"] = "float",
        };
        if (options?.Dimensions is { } dimensions)
        {
            body["dimensions"] = dimensions;
        }

        var headers = _authorization is null ? [] : new[] { new KeyValuePair<string, string>("Authorization", _authorization.ToString()) };
        using var doc = await JsonHttp.PostForJsonAsync(_http, _uri, body, headers, options?.AdditionalProperties, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        var embeddings = new List<(int Index, Embedding<float> Vector)>();
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var item in data.EnumerateArray())
            {
                var index = item.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position;
                position++;
                if (item.TryGetProperty("embedding", out var vector))
                {
                    embeddings.Add((index, new Embedding<float>(Read(vector)) { ModelId = OpenAIChatResponse.String(root, "model") ?? model }));
                }
            }
        }

        if (embeddings.Count == 0)
        {
            throw new JsonException("The answer has no 'data' array of embeddings.");
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(embeddings.OrderBy(e => e.Index).Select(e => e.Vector));
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            result.Usage = new UsageDetails
            {
                InputTokenCount = usage.TryGetProperty("prompt_tokens", out var p) && p.TryGetInt64(out var pt) ? pt : null,
                TotalTokenCount = usage.TryGetProperty("total_tokens", out var t) && t.TryGetInt64(out var tt) ? tt : null,
            };
        }

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
        // The HttpClient belongs to LiteLlmClientFactory.
    }

    private static float[] Read(JsonElement vector)
    {
        if (vector.ValueKind == JsonValueKind.String)
        {
            // base64 of little-endian float32s
            var bytes = Convert.FromBase64String(vector.GetString()!);
            var floats = new float[bytes.Length / 4];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
            }

            return floats;
        }

        if (vector.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("An embedding must be an array of numbers or a base64 string.");
        }

        var result = new float[vector.GetArrayLength()];
        var k = 0;
        foreach (var value in vector.EnumerateArray())
        {
            result[k++] = value.GetSingle();
        }

        return result;
    }
}
