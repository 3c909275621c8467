using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OllamaSharp.Models.Chat;

namespace LiteLlm.Providers.Ollama;

/// <summary>
/// Hands a call's pass-through fields that are fields of Ollama's <c>/api/chat</c> request (<c>options</c>,
/// <c>keep_alive</c>, <c>format</c>, <c>think</c>, <c>template</c>) to OllamaSharp as the request it starts from
/// (<see cref="ChatOptions.RawRepresentationFactory"/>); OllamaSharp then adds what the MEAI options say. Other
/// pass-through names that are Ollama model options (<c>num_ctx</c>, …) are mapped by OllamaSharp itself.
/// </summary>
internal sealed class OllamaPassThroughChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => base.GetResponseAsync(messages, With(options), cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, With(options), cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private static ChatOptions? With(ChatOptions? options)
    {
        if (WireExtras.Body(options) is not { } extra)
        {
            return options;
        }

        var fields = new System.Text.Json.Nodes.JsonObject();
        foreach (var name in (string[])["options", "keep_alive", "format", "think", "template"])
        {
            if (extra[name] is { } value)
            {
                fields[name] = value.DeepClone();
            }
        }

        if (fields.Count == 0)
        {
            return options;
        }

        var start = fields.Deserialize(OllamaJsonContext.Default.ChatRequest) ?? new ChatRequest();
        var result = options!.Clone();
        result.RawRepresentationFactory = _ => start;
        return result;
    }
}
