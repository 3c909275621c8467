namespace LiteLlm.Observability;

/// <summary>
/// Receives the events of every call through the pipeline: the .NET form of LiteLLM's <c>CustomLogger</c>
/// (<c>success_callback</c>, <c>failure_callback</c>). Register implementations in DI and add
/// <c>UseCallbacks()</c> to the pipeline. Every method does nothing unless overridden.
/// </summary>
/// <remarks>
/// Events are delivered off the request path, in order, by one background consumer: a slow handler delays
/// later events, never a request; a handler that throws is logged and the next event still arrives. When the
/// queue is full events are dropped (counted and logged), so a handler must not be relied on for billing-grade
/// completeness under overload.
/// </remarks>
public interface ILiteLlmCallback
{
    /// <summary>Called when a request enters the pipeline (before the cache and the provider).</summary>
    /// <param name="payload">What is known before the call: request id, model, metadata, start time, messages.</param>
    /// <param name="cancellationToken">Cancelled when the pipeline shuts down.</param>
    /// <returns>A task that completes when the handler is done.</returns>
    ValueTask OnPreCallAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called when a non-streaming request succeeded.</summary>
    /// <param name="payload">The complete record of the call.</param>
    /// <param name="cancellationToken">Cancelled when the pipeline shuts down.</param>
    /// <returns>A task that completes when the handler is done.</returns>
    ValueTask OnSuccessAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called when a request (streaming or not) failed or was cancelled; <see cref="LiteLlmCallPayload.Exception"/> says why.</summary>
    /// <param name="payload">The record of the call so far.</param>
    /// <param name="cancellationToken">Cancelled when the pipeline shuts down.</param>
    /// <returns>A task that completes when the handler is done.</returns>
    ValueTask OnFailureAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called when a streaming request completed; the payload holds the assembled response.</summary>
    /// <param name="payload">The complete record of the call.</param>
    /// <param name="cancellationToken">Cancelled when the pipeline shuts down.</param>
    /// <returns>A task that completes when the handler is done.</returns>
    ValueTask OnStreamCompleteAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
