using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>A provider client that can ask its provider how many input tokens a request has (Anthropic's <c>count_tokens</c>).</summary>
internal interface IInputTokenCounter
{
    /// <summary>Asks the provider for the input token count of the request <paramref name="messages"/> and <paramref name="options"/> would make.</summary>
    Task<long> CountInputTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);
}

/// <summary>Counting a request's input tokens with the provider's own counter, where it has one.</summary>
public static class InputTokenCounting
{
    /// <summary>
    /// Asks the provider behind <paramref name="client"/> how many input tokens the request would have, without running it
    /// (and without being billed for it): Anthropic's <c>POST /v1/messages/count_tokens</c>. A caller's own Anthropic body in
    /// <see cref="ChatOptions.RawRepresentationFactory"/> (a <see cref="WireJson"/>) is sent as it came, with its headers.
    /// </summary>
    /// <param name="client">A client from <see cref="LiteLlmClientFactory"/> (or one wrapping it).</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options (tools, system instructions, thinking).</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The provider's count, or <see langword="null"/> when the provider has no counting endpoint (estimate with
    /// <see cref="Cost.TokenCounter"/> then).</returns>
    /// <exception cref="Errors.LiteLlmException">The provider refused the request or failed.</exception>
    public static async Task<long?> CountInputTokensAsync(this IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        if (client.GetService<IInputTokenCounter>() is not { } counter)
        {
            return null;
        }

        var model = client.GetService<ChatClientMetadata>()?.DefaultModelId;
        var effective = options?.Clone() ?? new ChatOptions();
        effective.ModelId = model ?? effective.ModelId; // the deployment's model, as a call through the client would send
        try
        {
            return await counter.CountInputTokensAsync(messages, effective, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not Errors.LiteLlmException && e is not OperationCanceledException && client.GetService<ProviderEndpoint>() is { } endpoint)
        {
            throw Errors.ExceptionTranslator.Translate(e, endpoint.Provider.Name, model, endpoint.ApiKey);
        }
    }
}
