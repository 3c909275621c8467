using System.Runtime.CompilerServices;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>
/// Wraps a provider's own <see cref="IChatClient"/> so that every provider behaves the same:
/// the model is fixed, errors are unified, the call has a time limit, finish reasons and model ids
/// are filled in, and provider-specific parameters pass through to the wire.
/// </summary>
/// <remarks>
/// Library settings in <see cref="ChatOptions.AdditionalProperties"/> (<see cref="CallSettings"/>) are consumed here; what
/// the provider client is handed holds only what goes to the wire: provider-specific body fields and
/// <see cref="CallSettings.ExtraHeaders"/> (and a mock's script). The provider client writes them into the request it builds.
/// </remarks>
internal sealed class ProviderChatClient : DelegatingChatClient
{
    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly ChatClientMetadata _metadata;
    private readonly ParameterPolicy _parameters;
    private readonly TimeProvider _time;

    public ProviderChatClient(IChatClient inner, ProviderEndpoint endpoint, string model, bool dropParams = false, TimeProvider? time = null)
        : base(inner)
    {
        _endpoint = endpoint;
        _model = model;
        _metadata = new ChatClientMetadata(endpoint.Provider.Name, endpoint.ApiBase, model);
        _parameters = new ParameterPolicy(endpoint, model, dropParams);
        _time = time ?? TimeProvider.System;
    }

    public ProviderEndpoint Endpoint => _endpoint;

    public string Model => _model;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (providerOptions, timeout, dropped) = Prepare(options);
        using var timer = new CancellationTokenSource(timeout, _time);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            var response = await base.GetResponseAsync(messages, providerOptions, timeoutSource.Token).ConfigureAwait(false);
            response.ModelId ??= _model;
            (response.AdditionalProperties ??= [])[ResponseProperties.Provider] = _endpoint.Provider.Name;
            if (dropped is not null)
            {
                response.AdditionalProperties[ResponseProperties.DroppedParams] = dropped;
            }

            response.FinishReason = FinishReasons.Normalize(response.FinishReason, HasToolCalls(response.Messages));
            return response;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Translate(e, timeoutSource.IsCancellationRequested, timeout);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The caller cancelled; whatever the SDK made of that, the caller sees a cancellation.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (providerOptions, timeout, dropped) = Prepare(options);
        // The time limit is an idle limit for streams: no update within it fails the call (the timer restarts per update).
        using var timer = new CancellationTokenSource(timeout, _time);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, providerOptions, timeoutSource.Token).GetAsyncEnumerator(timeoutSource.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Translate(e, timeoutSource.IsCancellationRequested, timeout);
        }

        var first = true;
        var sawToolCalls = false;
        var sawFinish = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        if (!sawFinish)
                        {
                            // A stream that stops without saying why was cut off (lost terminator, proxy timeout):
                            // the answer is incomplete, and a caller must not take it for a whole one.
                            throw new ApiConnectionException(new ProviderErrorDetails(
                                _endpoint.Provider.Name, _model, null, "The stream ended before the provider finished its answer.", null, IsMidStream: !first));
                        }

                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw Translate(e, timeoutSource.IsCancellationRequested, timeout, midStream: !first);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new OperationCanceledException(e.Message, e, cancellationToken);
                }

                timer.CancelAfter(timeout);
                first = false;
                update.ModelId ??= _model;
                sawToolCalls |= HasToolCalls(update.Contents);
                if (update.FinishReason is { } reason)
                {
                    sawFinish = true;
                    update.FinishReason = FinishReasons.Normalize(reason, sawToolCalls);
                    (update.AdditionalProperties ??= [])[ResponseProperties.Provider] = _endpoint.Provider.Name;
                    if (dropped is not null)
                    {
                        update.AdditionalProperties[ResponseProperties.DroppedParams] = dropped;
                        dropped = null;
                    }
                }

                yield return update;
            }

            if (dropped is not null)
            {
                // The stream ended without a finish reason: report the dropped parameters on a last, empty update.
                yield return new ChatResponseUpdate { ModelId = _model, AdditionalProperties = new() { [ResponseProperties.DroppedParams] = dropped } };
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceKey is null && serviceType == typeof(ProviderEndpoint))
        {
            return _endpoint;
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Does nothing: provider clients are shared and owned by <see cref="LiteLlmClientFactory"/>.</summary>
#pragma warning disable CA2215 // deliberately not disposing the shared inner client
    protected override void Dispose(bool disposing)
    {
    }
#pragma warning restore CA2215

    private (ChatOptions Options, TimeSpan Timeout, string[]? Dropped) Prepare(ChatOptions? options)
    {
        var timeout = _endpoint.Timeout;
        var result = options?.Clone() ?? new ChatOptions();
        result.ModelId = _model;

        // drop_params: refuse (or drop) what the provider does not support, before anything is sent.
        var dropped = _parameters.Apply(result);
        if (result.AdditionalProperties is { Count: > 0 } extra)
        {
            // Library settings are consumed here; provider-specific fields (LiteLLM's pass-through of unknown
            // parameters) and the call's extra headers go on to the provider client, which writes them.
            AdditionalPropertiesDictionary? wire = null;
            foreach (var (name, value) in extra)
            {
                if (!CallSettings.IsReserved(name) || name == CallSettings.ExtraHeaders || IsMockScript(name))
                {
                    (wire ??= [])[name] = value;
                }
                else if (name == CallSettings.Timeout && CallSettings.ToTimeSpan(value) is { } t)
                {
                    timeout = t;
                }
            }

            result.AdditionalProperties = wire;
        }

        return (result, timeout, dropped);
    }

    private bool IsMockScript(string name)
        => _endpoint.Provider.Protocol == ProviderProtocol.Mock
        && name is CallSettings.MockResponse or CallSettings.MockToolCalls or CallSettings.MockResponses or CallSettings.MockLatency;

    private static bool HasToolCalls(IList<ChatMessage> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            if (HasToolCalls(messages[i].Contents))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasToolCalls(IList<AIContent> contents)
    {
        // Indexed: a foreach over the interface would allocate an enumerator per call.
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent)
            {
                return true;
            }
        }

        return false;
    }

    private LiteLlmException Translate(Exception e, bool timedOut, TimeSpan timeout, bool midStream = false)
    {
        if (timedOut && e is OperationCanceledException)
        {
            return new ProviderTimeoutException(new ProviderErrorDetails(
                _endpoint.Provider.Name, _model, null, $"No answer within {timeout.TotalSeconds:0.###} s.", null, midStream), e);
        }

        return ExceptionTranslator.Translate(e, _endpoint.Provider.Name, _model, _endpoint.ApiKey);
    }
}
