using System.Buffers;
using System.Diagnostics;
using System.Text;
using LiteLlm.Gateway.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>
/// Streams pipeline updates as Responses' named SSE events. Unlike chat's <see cref="StreamPump"/> (whose items are
/// anonymous chunks), every event here is numbered and named, and the stream opens with real events rather than comments:
/// when the first update is slow, <c>response.created</c> and <c>response.in_progress</c> go out after the keep-alive
/// interval (as OpenAI sends them at once), and comments keep the connection alive after that. An error before anything
/// was written is an ordinary error response; after that it is a <c>response.failed</c> event.
/// </summary>
internal static class ResponsesStream
{
    private static readonly byte[] Ping = ": ping\n\n"u8.ToArray();

    /// <summary>Runs the stream; <paramref name="beforeEnd"/> runs once the response is final, before its last event is sent (storing it).</summary>
    public static async Task RunAsync(
        InferenceCall call,
        IAsyncEnumerable<ChatResponseUpdate> updates,
        ResponseBuilder builder,
        TimeSpan keepAlive,
        Func<CancellationToken, Task> beforeEnd,
        CancellationToken cancellationToken)
    {
        var response = call.Context.Response;
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            ChatFinishReason? finish = null;
            try
            {
                var more = await NextAsync(call, enumerator, builder, keepAlive, cancellationToken).ConfigureAwait(false);
                if (!response.HasStarted)
                {
                    if (more && enumerator.Current.ModelId is { } model)
                    {
                        builder.Model = model;
                    }

                    if (more)
                    {
                        call.Absorb(enumerator.Current.AdditionalProperties);
                    }

                    await StartAsync(call, builder, cancellationToken).ConfigureAwait(false);
                }

                while (more)
                {
                    var update = enumerator.Current;
                    call.Absorb(update.AdditionalProperties);
                    call.ModelId ??= update.ModelId;
                    finish ??= update.FinishReason;
                    foreach (var content in update.Contents)
                    {
                        if (content is UsageContent usage)
                        {
                            call.AbsorbUsage(usage.Details);
                        }
                    }

                    builder.Add(update.Contents);
                    await WriteAsync(response, builder, cancellationToken).ConfigureAwait(false);
                    more = await NextAsync(call, enumerator, builder, keepAlive, cancellationToken).ConfigureAwait(false);
                }

                builder.Complete(call.Usage, finish);
                await beforeEnd(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (response.HasStarted && !cancellationToken.IsCancellationRequested)
            {
                builder.DrainEvents(); // what was pending is superseded by the failure
                builder.Fail(GatewayErrors.FromException(e), call.Usage);
                await WriteAsync(response, builder, cancellationToken).ConfigureAwait(false);
                throw new StreamFailedException(e);
            }

            await WriteAsync(response, builder, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the next update, opening the stream (and then pinging) while the wait passes the keep-alive interval.</summary>
    private static async Task<bool> NextAsync(InferenceCall call, IAsyncEnumerator<ChatResponseUpdate> enumerator, ResponseBuilder builder, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var next = enumerator.MoveNextAsync().AsTask();
        try
        {
            using var timers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                var delay = Task.Delay(keepAlive, timers.Token);
                if (await Task.WhenAny(next, delay).ConfigureAwait(false) == next)
                {
                    await timers.CancelAsync().ConfigureAwait(false);
                    return await next.ConfigureAwait(false);
                }

                await delay.ConfigureAwait(false); // surfaces cancellation
                if (!call.Context.Response.HasStarted)
                {
                    await StartAsync(call, builder, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await call.Context.Response.Body.WriteAsync(Ping, cancellationToken).ConfigureAwait(false);
                    await call.Context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            call.AddPipelineTime(started);
            if (!next.IsCompleted)
            {
                // Cancelled while the upstream was still working: let it observe the cancellation before the enumerator is disposed.
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException || cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
    }

    private static Task StartAsync(InferenceCall call, ResponseBuilder builder, CancellationToken cancellationToken)
    {
        var response = call.Context.Response;
        call.ApplyHeaders();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        call.Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        builder.Start();
        return WriteAsync(response, builder, cancellationToken);
    }

    private static async Task WriteAsync(HttpResponse response, ResponseBuilder builder, CancellationToken cancellationToken)
    {
        var events = builder.DrainEvents();
        if (events.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        foreach (var (type, data) in events)
        {
            buffer.Write("event: "u8);
            Encoding.UTF8.GetBytes(type, buffer);
            buffer.Write("\ndata: "u8);
            buffer.Write(data);
            buffer.Write("\n\n"u8);
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
