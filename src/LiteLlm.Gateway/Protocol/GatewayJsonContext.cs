using System.Text.Json;
using System.Text.Json.Serialization;
using LiteLlm.Gateway.Protocol.Anthropic;
using LiteLlm.Gateway.Protocol.OpenAI;

namespace LiteLlm.Gateway.Protocol;

/// <summary>Source-generated serialization for every request and response body the gateway reads or writes.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(TextCompletionResponse))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(EmbeddingResponse<float[]>))]
[JsonSerializable(typeof(EmbeddingResponse<string>))]
[JsonSerializable(typeof(ModelListResponse))]
[JsonSerializable(typeof(ModelInfoResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
[JsonSerializable(typeof(AnthropicErrorResponse))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext
{
}

/// <summary>The context the gateway uses: relaxed escaping so text, base64 and non-ASCII stay literal, as OpenAI writes them.</summary>
internal static class GatewayJson
{
    public static GatewayJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    });
}
