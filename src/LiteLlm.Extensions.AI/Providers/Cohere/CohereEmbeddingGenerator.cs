using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Cohere;

/// <summary>
/// Cohere embeddings through <c>POST {base}v2/embed</c>, float vectors. <c>input_type</c> defaults to
/// <c>search_document</c>; an <c>input_type</c> additional property overrides it.
/// </summary>
internal sealed class CohereEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string DefaultInputType = "search_document";

    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly HttpClient _http;

    public CohereEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient http)
    {
        _endpoint = endpoint;
        _model = model;
        _http = http;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var model = options?.ModelId ?? _model;
        var inputType = options?.AdditionalProperties?.TryGetValue("input_type", out var t) == true && t?.ToString() is { Length: > 0 } given ? given : DefaultInputType;
        var body = new JsonObject
        {
            ["model"] = model,
            ["texts"] = new JsonArray([.. values.Select(v => (JsonNode?)v)]),
            ["input_type"] = inputType,
            ["embedding_types"] = new JsonArray("float"),
        };
        if (options?.Dimensions is { } dimensions)
        {
            body["output_dimension"] = dimensions;
        }

        using var doc = await JsonHttp.PostForJsonAsync(_http, CohereProtocol.Uri(_endpoint, "v2/embed"), body, CohereProtocol.Headers(_endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false);
        var root = doc.RootElement;
        var result = new GeneratedEmbeddings<Embedding<float>>(
            root.Prop("embeddings").Items("float").Select(e => new Embedding<float>(e.EnumerateArray().Select(v => v.GetSingle()).ToArray()) { ModelId = model }));
        if (root.Prop("meta").Prop("billed_units").Count("input_tokens") is { } input)
        {
            result.Usage = new UsageDetails { InputTokenCount = input, TotalTokenCount = input };
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }
}
