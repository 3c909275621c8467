using System.Buffers;
using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol.Anthropic;
using LiteLlm.Gateway.Protocol.OpenAI;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol;

/// <summary>Turns pipeline updates into one wire dialect's SSE items (OpenAI chunks, Anthropic events, text completions).</summary>
internal interface IStreamShaper
{
    /// <summary>Items for one update from the pipeline.</summary>
    IEnumerable<SseItem<object>> OnUpdate(ChatResponseUpdate update);

    /// <summary>Items that close a successful stream (finish chunk, usage chunk, [DONE]).</summary>
    IEnumerable<SseItem<object>> OnEnd();

    /// <summary>The item that reports an error after the stream started.</summary>
    SseItem<object> OnError(GatewayError error);
}

/// <summary>
/// Streams pipeline updates as SSE: keep-alive comments while waiting for the first update, then each item
/// written and flushed as it arrives (SseFormatter), with errors before the first byte left to the caller
/// (a normal error response) and errors after it sent in-stream.
/// </summary>
internal static class StreamPump
{
    private static readonly byte[] Ping = ": ping\n\n"u8.ToArray();
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    // Provider chunks keep their text as written (no \u escapes of non-ASCII or '+').
    private static readonly JsonWriterOptions RawJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The <c>[DONE]</c> sentinel item.</summary>
    public static SseItem<object> DoneItem { get; } = new(DoneMarker.Instance);

    public static async Task RunAsync(
        InferenceCall call,
        IAsyncEnumerable<ChatResponseUpdate> updates,
        IStreamShaper shaper,
        TimeSpan keepAlive,
        CancellationToken cancellationToken)
    {
        var context = call.Context;
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            var waitStarted = Stopwatch.GetTimestamp();
            var first = enumerator.MoveNextAsync().AsTask();
            bool hasFirst;
            using var pings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                while (true)
                {
                    var delay = Task.Delay(keepAlive, call.State.Time, pings.Token);
                    if (await Task.WhenAny(first, delay).ConfigureAwait(false) == first)
                    {
                        break;
                    }

                    await delay.ConfigureAwait(false); // surfaces cancellation
                    if (!context.Response.HasStarted)
                    {
                        call.AddPipelineTime(waitStarted);
                        waitStarted = Stopwatch.GetTimestamp();
                        Start(call);
                    }

                    await context.Response.Body.WriteAsync(Ping, cancellationToken).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                await pings.CancelAsync().ConfigureAwait(false); // no timer outlives the wait
                hasFirst = await first.ConfigureAwait(false);
            }
            catch (Exception e) when (context.Response.HasStarted && !cancellationToken.IsCancellationRequested)
            {
                await WriteItemsAsync(context, Single(shaper.OnError(GatewayErrors.FromException(e))), cancellationToken).ConfigureAwait(false);
                throw new StreamFailedException(e);
            }
            finally
            {
                call.AddPipelineTime(waitStarted);
                if (!first.IsCompleted)
                {
                    // Cancelled while the upstream was still starting: let it observe the cancellation
                    // before the enumerator is disposed (disposing a running enumerator throws).
                    try
                    {
                        await first.ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException || cancellationToken.IsCancellationRequested)
                    {
                    }
                }
            }

            if (hasFirst)
            {
                call.Absorb(enumerator.Current.AdditionalProperties);
            }

            Start(call);
            var failure = new StrongBox<Exception?>();
            await WriteItemsAsync(context, Items(call, enumerator, hasFirst, shaper, failure, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (failure.Value is { } error)
            {
                throw new StreamFailedException(error);
            }
        }
    }

    /// <summary>Starts an SSE answer once: the call's headers, 200, <c>text/event-stream</c>, no buffering anywhere on the way.</summary>
    internal static void Start(InferenceCall call)
    {
        var response = call.Context.Response;
        if (response.HasStarted)
        {
            return;
        }

        call.ApplyHeaders();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        call.Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private static async IAsyncEnumerable<SseItem<object>> Single(SseItem<object> item)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return item;
    }

    private static async IAsyncEnumerable<SseItem<object>> Items(
        InferenceCall call,
        IAsyncEnumerator<ChatResponseUpdate> enumerator,
        bool hasFirst,
        IStreamShaper shaper,
        StrongBox<Exception?> failure,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var more = hasFirst;
        while (more)
        {
            var update = enumerator.Current;
            call.Absorb(update.AdditionalProperties);
            call.ModelId ??= update.ModelId;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    call.AbsorbUsage(usage.Details);
                }
            }

            foreach (var item in shaper.OnUpdate(update))
            {
                yield return item;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                more = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failure.Value = e;
                break;
            }
            finally
            {
                call.AddPipelineTime(started);
            }
        }

        if (failure.Value is { } error)
        {
            yield return shaper.OnError(GatewayErrors.FromException(error));
            yield break;
        }

        foreach (var item in shaper.OnEnd())
        {
            yield return item;
        }
    }

    private static Task WriteItemsAsync(HttpContext context, IAsyncEnumerable<SseItem<object>> items, CancellationToken cancellationToken)
        => SseFormatter.WriteAsync(items, context.Response.Body, Format, cancellationToken);

    private static void Format(SseItem<object> item, IBufferWriter<byte> buffer)
    {
        if (item.Data is DoneMarker)
        {
            buffer.Write(Done);
            return;
        }

        using var writer = new Utf8JsonWriter(buffer, RawJson);
        switch (item.Data)
        {
            case RawChunk raw:
                ChatResponseWriter.WriteRaw(writer, raw.Json, raw.Id, raw.Model, raw.StripUsage);
                break;
            case ChatCompletionChunk chunk:
                JsonSerializer.Serialize(writer, chunk, GatewayJson.Context.ChatCompletionChunk);
                break;
            case TextCompletionResponse completion:
                JsonSerializer.Serialize(writer, completion, GatewayJson.Context.TextCompletionResponse);
                break;
            case ErrorResponse error:
                JsonSerializer.Serialize(writer, error, GatewayJson.Context.ErrorResponse);
                break;
            case AnthropicStreamEvent anthropic:
                JsonSerializer.Serialize(writer, anthropic, GatewayJson.Context.AnthropicStreamEvent);
                break;
            default:
                throw new InvalidOperationException("No serializer for " + item.Data?.GetType().Name);
        }
    }

    private sealed class DoneMarker
    {
        public static readonly DoneMarker Instance = new();
    }
}

/// <summary>A stream that failed after its first byte; the error was already sent in-stream.</summary>
internal sealed class StreamFailedException : Exception
{
    public StreamFailedException(Exception inner)
        : base("The stream failed after it started.", inner)
    {
    }

    public StreamFailedException()
    {
    }

    public StreamFailedException(string message)
        : base(message)
    {
    }

    public StreamFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
