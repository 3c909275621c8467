using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace LiteLlm.Providers.Ollama;

/// <summary>
/// Source-generated metadata for OllamaSharp's wire types (its own context is internal): the request the pass-through
/// fields start from, and under Native AOT everything <see cref="OllamaSharp.OllamaApiClient"/> reads and writes for chat and
/// embeddings (not tool results: OllamaSharp serializes them through an internal type, so under AOT a tool result sent to
/// Ollama fails as a provider error). Default options, as OllamaSharp's own (it names its fields itself).
/// </summary>
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatResponseStream))]
[JsonSerializable(typeof(ChatDoneResponseStream))]
[JsonSerializable(typeof(EmbedRequest))]
[JsonSerializable(typeof(EmbedResponse))]
[JsonSerializable(typeof(OllamaSharp.Models.ErrorResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(string))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
