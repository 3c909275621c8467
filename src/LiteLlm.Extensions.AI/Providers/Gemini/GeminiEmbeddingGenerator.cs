using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using LiteLlm.Providers.Http;

namespace LiteLlm.Providers.Gemini;

/// <summary>Gemini embeddings through <c>models/{model}:batchEmbedContents</c>.</summary>
internal sealed class GeminiEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly HttpClient _http;

    public GeminiEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient http)
    {
        _endpoint = endpoint;
        _model = model;
        _http = http;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var model = GeminiProtocol.ModelName(options?.ModelId ?? _model);
        var requests = new JsonArray();
        foreach (var value in values)
        {
            var request = new JsonObject
            {
                ["model"] = "models/" + model,
                ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = value }) },
            };
            if (options?.Dimensions is { } dimensions)
            {
                request["outputDimensionality"] = dimensions;
            }

            requests.AddNode(request);
        }

        var body = new JsonObject { ["requests"] = requests };
        using var doc = await JsonHttp.PostForJsonAsync(_http, GeminiProtocol.MethodUri(_endpoint, model, "batchEmbedContents"), body, GeminiProtocol.Headers(_endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var embedding in doc.RootElement.Items("embeddings"))
        {
            var vector = embedding.Items("values").Select(v => v.GetSingle()).ToArray();
            result.Add(new Embedding<float>(vector) { ModelId = model });
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }
}
