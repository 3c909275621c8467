using System.Text.Json.Serialization;
using OllamaSharp.Models.Chat;

namespace LiteLlm.Providers.Ollama;

/// <summary>
/// Source-generated metadata for the OllamaSharp request the pass-through fields start from (OllamaSharp's own context is
/// internal). Default options, as the reflection-based <c>Deserialize</c> used: OllamaSharp names its fields itself.
/// </summary>
[JsonSerializable(typeof(ChatRequest))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
