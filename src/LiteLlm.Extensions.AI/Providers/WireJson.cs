using System.Text.Json;

namespace LiteLlm.Providers;

/// <summary>The provider wire formats whose JSON documents can travel through the pipeline unchanged.</summary>
public enum WireFormat
{
    /// <summary>OpenAI Chat Completions (OpenAI, every OpenAI-compatible host, Azure OpenAI).</summary>
    OpenAIChat,

    /// <summary>Anthropic Messages.</summary>
    AnthropicMessages,

    /// <summary>OpenAI Responses.</summary>
    OpenAIResponses,
}

/// <summary>
/// A JSON document in a provider's own wire format, carried through Microsoft.Extensions.AI's raw-representation
/// slots so that a call whose caller and provider speak the same protocol is lossless.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Requests:</b> <see cref="Microsoft.Extensions.AI.ChatOptions.RawRepresentationFactory"/> returns the caller's whole
/// request body. A provider client whose format is <see cref="Format"/> writes that body with only what it owns changed
/// (<c>model</c>, <c>stream</c>, what it needs to read usage); every other field, known to it or not, is sent as it came.
/// Messages whose <see cref="Microsoft.Extensions.AI.ChatMessage.RawRepresentation"/> is a <see cref="WireJson"/> of the same
/// format are written verbatim; messages without one (added by middleware, a fallback's own messages) are translated.
/// A provider of another format ignores the document and translates the MEAI objects.</item>
/// <item><b>Answers:</b> the provider client sets <see cref="Microsoft.Extensions.AI.ChatResponse.RawRepresentation"/> (or each
/// <see cref="Microsoft.Extensions.AI.ChatResponseUpdate.RawRepresentation"/>: one per stream event) to the provider's
/// document, so a host that answers in the same format can return every field the provider sent.</item>
/// </list>
/// </remarks>
public sealed class WireJson
{
    /// <summary>Initializes a new instance of the <see cref="WireJson"/> class.</summary>
    /// <param name="format">The wire format <paramref name="json"/> is written in.</param>
    /// <param name="json">The document (a request body, an answer, one stream event's data, or one message).</param>
    public WireJson(WireFormat format, JsonElement json)
    {
        Format = format;
        Json = json;
    }

    /// <summary>Gets the wire format of <see cref="Json"/>.</summary>
    public WireFormat Format { get; }

    /// <summary>Gets the document.</summary>
    public JsonElement Json { get; }

    /// <summary>
    /// Gets the protocol headers the caller sent with a request (for Anthropic: <c>anthropic-beta</c>, <c>anthropic-version</c>),
    /// which a provider of the same format forwards. Never credentials.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets the SSE event name of one stream event, where the format names its events (Anthropic, Responses).</summary>
    public string? EventType { get; init; }

    /// <summary>Returns <paramref name="raw"/> as a <see cref="WireJson"/> of <paramref name="format"/>, or <see langword="null"/>.</summary>
    /// <param name="raw">A raw representation, or what a raw-representation factory returned.</param>
    /// <param name="format">The format wanted.</param>
    /// <returns>The document when it is of <paramref name="format"/>; otherwise <see langword="null"/>.</returns>
    public static WireJson? As(object? raw, WireFormat format) => raw is WireJson w && w.Format == format ? w : null;
}
