using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>
/// Streams pipeline updates as Responses' named SSE events. Unlike chat's <see cref="StreamPump"/> (whose items are
/// anonymous chunks), every event here is numbered and named, and a provider of the same protocol has its events sent as
/// they came. While the first update is slow (past the keep-alive interval), headers and comments keep the connection
/// alive. An error before anything was written is an
/// ordinary error response; after that it is a <c>response.failed</c> event (an <c>error</c> event when passing through).
/// </summary>
internal static class ResponsesStream
{
    private static readonly byte[] Ping = ": ping\n\n"u8.ToArray();

    /// <summary>
    /// Runs the stream. Updates that carry a provider's own Responses event (a provider of the same protocol) are sent as
    /// they came, with only the response's id changed; anything else is translated through <paramref name="builder"/>.
    /// <paramref name="beforeEnd"/> gets the final response object before the last event is sent (to store it).
    /// </summary>
    public static async Task RunAsync(
        InferenceCall call,
        IAsyncEnumerable<ChatResponseUpdate> updates,
        ResponseBuilder builder,
        string? previousResponseId,
        TimeSpan keepAlive,
        Func<byte[], CancellationToken, Task> beforeEnd,
        CancellationToken cancellationToken)
    {
        var response = call.Context.Response;
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            ChatFinishReason? finish = null;
            bool? passthrough = null;
            var sequence = -1;
            try
            {
                var more = await NextAsync(call, enumerator, keepAlive, cancellationToken).ConfigureAwait(false);
                if (more)
                {
                    call.Absorb(enumerator.Current.AdditionalProperties);
                }

                StreamPump.Start(call);
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

                    passthrough ??= update.RawRepresentation is WireJson { Format: WireFormat.OpenAIResponses, EventType: not null };
                    if (passthrough == true && update.RawRepresentation is WireJson { EventType: { } type } wire)
                    {
                        var data = ProviderResponses.RewriteEvent(wire.Json, builder.Id, previousResponseId);
                        sequence = wire.Json.TryGetProperty("sequence_number", out var n) && n.TryGetInt32(out var number) ? number : sequence + 1;
                        if (type is "response.completed" or "response.incomplete")
                        {
                            using var document = JsonDocument.Parse(data);
                            await beforeEnd(Encoding.UTF8.GetBytes(document.RootElement.GetProperty("response").GetRawText()), cancellationToken).ConfigureAwait(false);
                        }

                        await WriteAsync(response, [(type, data)], cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        if (!builder.Started)
                        {
                            builder.Model = update.ModelId ?? builder.Model;
                            builder.Start();
                        }

                        builder.Add(update.Contents);
                        await WriteAsync(response, builder.DrainEvents(), cancellationToken).ConfigureAwait(false);
                    }

                    more = await NextAsync(call, enumerator, keepAlive, cancellationToken).ConfigureAwait(false);
                }

                if (passthrough != true)
                {
                    if (!builder.Started)
                    {
                        builder.Start();
                    }

                    builder.Complete(call.Usage, finish);
                    await beforeEnd(ResponseBuilder.ToJson(builder.WriteResponse), cancellationToken).ConfigureAwait(false);
                    await WriteAsync(response, builder.DrainEvents(), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (response.HasStarted && !cancellationToken.IsCancellationRequested)
            {
                var error = GatewayErrors.FromException(e);
                if (passthrough == true)
                {
                    // The provider's numbering continues: its own failure arrived as an error, not as an event.
                    await WriteAsync(response, [("error", ErrorEvent(error, sequence + 1))], cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    if (!builder.Started)
                    {
                        builder.Start();
                    }

                    builder.DrainEvents(); // what was pending is superseded by the failure
                    builder.Fail(error, call.Usage);
                    await WriteAsync(response, builder.DrainEvents(), cancellationToken).ConfigureAwait(false);
                }

                throw new StreamFailedException(e);
            }
        }
    }

    private static byte[] ErrorEvent(GatewayError error, int sequence) => ResponseBuilder.ToJson(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteString("code", error.Code ?? error.Type);
        w.WriteString("message", error.Message);
        w.WriteString("param", error.Param);
        w.WriteNumber("sequence_number", sequence);
        w.WriteEndObject();
    });

    /// <summary>Waits for the next update, opening the stream (and then pinging) while the wait passes the keep-alive interval.</summary>
    private static async Task<bool> NextAsync(InferenceCall call, IAsyncEnumerator<ChatResponseUpdate> enumerator, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var pending = enumerator.MoveNextAsync();
        if (pending.IsCompleted)
        {
            // Updates already buffered (most of a fast stream): no timer, no task.
            call.AddPipelineTime(started);
            return pending.Result;
        }

        var next = pending.AsTask();
        try
        {
            using var timers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                var delay = Task.Delay(keepAlive, call.State.Time, timers.Token);
                if (await Task.WhenAny(next, delay).ConfigureAwait(false) == next)
                {
                    await timers.CancelAsync().ConfigureAwait(false);
                    return await next.ConfigureAwait(false);
                }

                await delay.ConfigureAwait(false); // surfaces cancellation
                StreamPump.Start(call);
                await call.Context.Response.Body.WriteAsync(Ping, cancellationToken).ConfigureAwait(false);
                await call.Context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
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

    private static async Task WriteAsync(HttpResponse response, List<(string Type, byte[] Data)> events, CancellationToken cancellationToken)
    {
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
