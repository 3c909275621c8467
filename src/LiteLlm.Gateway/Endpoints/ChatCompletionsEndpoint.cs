using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>POST /v1/chat/completions: parse → gate → pipeline → OpenAI JSON or SSE → spend record.</summary>
internal sealed class ChatCompletionsEndpoint(IChatClient pipeline, LiteLlm.Configuration.LiteLlmRuntime runtime, IRequestGate gate, ISpendSink spend, GatewayOptions options)
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64 };

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var startTime = DateTimeOffset.UtcNow;
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        context.Response.Headers["x-litellm-call-id"] = id;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.RequestTimeout);
        var ct = timeout.Token;
        var facts = new CallFacts(id, startTime);
        try
        {
            var auth = await gate.AuthenticateAsync(context, ct);
            if (auth.Error is { } authError)
            {
                await OpenAIError.WriteAsync(context, authError);
                return;
            }

            ChatRequest request;
            using (var doc = await ReadJsonAsync(context, ct))
            {
                request = ParseRequest(doc.RootElement, ChatRequest.Parse);
            }

            if (!runtime.Router.HasModelGroup(request.Model))
            {
                throw new RequestException(new GatewayError(404, $"The model '{request.Model}' does not exist on this gateway. It serves: {string.Join(", ", runtime.Router.ModelGroups.Order(StringComparer.Ordinal))}.", "invalid_request_error", "model_not_found", "model"));
            }

            facts.Caller = auth.Value!;
            facts.ModelGroup = request.Model;
            var admitted = await gate.AdmitAsync(facts.Caller, request.Model, EstimateTokens(request.Messages), ct);
            if (admitted.Error is { } refusal)
            {
                facts.Status = refusal.Code ?? refusal.Type;
                await OpenAIError.WriteAsync(context, refusal);
                return;
            }

            await using (admitted.Value!)
            {
                AddCallerMetadata(request.Options, facts.Caller);
                facts.PipelineStarted = Stopwatch.GetTimestamp();
                if (request.Stream)
                {
                    await StreamAsync(context, request, facts, ct);
                }
                else
                {
                    var response = await pipeline.GetResponseAsync(request.Messages, request.Options, ct);
                    facts.PipelineEnded = Stopwatch.GetTimestamp();
                    facts.Read(response.AdditionalProperties, response.Usage, response.ModelId);
                    SetHeaders(context, facts, started);
                    context.Response.ContentType = "application/json";
                    await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
                    {
                        ChatResponseWriter.WriteCompletion(writer, id, response.ModelId ?? request.Model, response);
                    }

                    await context.Response.BodyWriter.FlushAsync(ct);
                }

                facts.Status = "success";
            }
        }
        catch (RequestException e)
        {
            facts.Status = "bad_request";
            await OpenAIError.WriteAsync(context, e.Error);
        }
        catch (JsonException e)
        {
            facts.Status = "bad_request";
            await OpenAIError.WriteAsync(context, new GatewayError(400, "The request body is not valid JSON: " + e.Message, "invalid_request_error", "invalid_json"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            facts.Status = "client_disconnected"; // the upstream call was cancelled with the client
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            facts.Status = "timeout";
            await OpenAIError.WriteAsync(context, new GatewayError(504, $"The request took longer than {options.RequestTimeout.TotalSeconds:0} s.", "timeout", "request_timeout"));
        }
        catch (Exception e) when (e is LiteLlmException or BadHttpRequestException)
        {
            var error = e is BadHttpRequestException bad
                ? new GatewayError(bad.StatusCode, bad.Message, "invalid_request_error", "bad_request")
                : OpenAIError.From(e);
            facts.Status = (e as LiteLlmException)?.Kind.ToString() ?? "bad_request";
            await OpenAIError.WriteAsync(context, error);
        }
        finally
        {
            if (facts.ModelGroup is not null)
            {
                spend.Record(facts.ToRecord(started, "/chat/completions"));
            }
        }
    }

    /// <summary>Reads a request, turning invalid UTF-8 inside strings (found only when they are read) into a 400.</summary>
    internal static T ParseRequest<T>(JsonElement root, Func<JsonElement, T> parse)
    {
        try
        {
            return parse(root);
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException || e.Message.Contains("UTF-8", StringComparison.Ordinal))
        {
            throw new RequestException(new GatewayError(400, "The request body is not valid UTF-8.", "invalid_request_error", "invalid_encoding"));
        }
    }

    internal static async Task<JsonDocument> ReadJsonAsync(HttpContext context, CancellationToken ct)
    {
        var contentType = context.Request.ContentType;
        if (contentType is not null && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new RequestException(new GatewayError(415, $"Content-Type must be application/json; got '{contentType}'.", "invalid_request_error", "unsupported_media_type"));
        }

        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, ParseOptions, ct);
        }
        catch (JsonException e)
        {
            throw new RequestException(new GatewayError(400, "The request body is not valid JSON: " + e.Message, "invalid_request_error", "invalid_json"));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("UTF", StringComparison.OrdinalIgnoreCase) || e.InnerException is System.Text.DecoderFallbackException)
        {
            throw new RequestException(new GatewayError(400, "The request body is not valid UTF-8.", "invalid_request_error", "invalid_encoding"));
        }
    }

    private async Task StreamAsync(HttpContext context, ChatRequest request, CallFacts facts, CancellationToken ct)
    {
        var response = context.Response;
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var writer = new ChatResponseWriter.ChunkWriter(response.BodyWriter, facts.Id, request.Model, created);
        await using var updates = pipeline.GetStreamingResponseAsync(request.Messages, request.Options, ct).GetAsyncEnumerator(ct);

        // Wait for the first update; a slow one gets keep-alive comments, an early failure a normal error response.
        var next = updates.MoveNextAsync().AsTask();
        while (await Task.WhenAny(next, Task.Delay(options.KeepAliveInterval, ct)) != next)
        {
            StartStream(response, facts);
            await response.BodyWriter.WriteAsync(": ping\n\n"u8.ToArray(), ct);
            await response.BodyWriter.FlushAsync(ct);
        }

        bool hasUpdate;
        try
        {
            hasUpdate = await next;
        }
        catch (Exception e) when (e is LiteLlmException && response.HasStarted)
        {
            writer.Error(OpenAIError.From(e));
            await response.BodyWriter.FlushAsync(ct);
            throw;
        }

        facts.TimeToFirstToken = Stopwatch.GetElapsedTime(facts.PipelineStarted);
        if (hasUpdate)
        {
            facts.Read(updates.Current.AdditionalProperties, null, updates.Current.ModelId);
        }

        StartStream(response, facts);
        writer.Role();
        UsageDetails? usage = null;
        try
        {
            while (hasUpdate)
            {
                var update = updates.Current;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent { Text.Length: > 0 } text:
                            writer.Content(text.Text);
                            break;
                        case TextReasoningContent { Text.Length: > 0 } reasoning:
                            writer.Reasoning(reasoning.Text);
                            break;
                        case FunctionCallContent call:
                            writer.ToolCall(call);
                            break;
                        case UsageContent u:
                            (usage ??= new UsageDetails()).Add(u.Details);
                            break;
                    }
                }

                if (update.FinishReason is { } finish && !writer.FinishSent)
                {
                    writer.Finish(finish);
                }

                if (update.AdditionalProperties is { Count: > 0 } properties)
                {
                    facts.Read(properties, null, update.ModelId);
                }

                await response.BodyWriter.FlushAsync(ct); // each chunk leaves as it arrives
                hasUpdate = await updates.MoveNextAsync();
            }
        }
        catch (LiteLlmException e)
        {
            // After the first chunk the status is sent: the error travels as an event, as OpenAI does.
            writer.Error(OpenAIError.From(e));
            await response.BodyWriter.FlushAsync(ct);
            facts.Status = e.Kind.ToString();
            facts.Usage = usage;
            throw;
        }

        facts.PipelineEnded = Stopwatch.GetTimestamp();
        facts.Usage = usage;
        if (!writer.FinishSent)
        {
            writer.Finish(null);
        }

        if (request.IncludeUsage && usage is not null)
        {
            writer.Usage(usage);
        }

        writer.Done();
        await response.BodyWriter.FlushAsync(ct);
    }

    private static void StartStream(HttpResponse response, CallFacts facts)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        if (facts.Deployment is { } deployment)
        {
            response.Headers["x-litellm-deployment"] = deployment;
        }

        if (facts.ModelGroup is { } group)
        {
            response.Headers["x-litellm-model-group"] = group;
        }
    }

    private static void SetHeaders(HttpContext context, CallFacts facts, long started)
    {
        var headers = context.Response.Headers;
        if (facts.ModelGroup is { } group)
        {
            headers["x-litellm-model-group"] = group;
        }

        if (facts.Deployment is { } deployment)
        {
            headers["x-litellm-deployment"] = deployment;
        }

        if (facts.Cost is { } cost)
        {
            headers["x-litellm-response-cost"] = cost.ToString(CultureInfo.InvariantCulture);
        }

        headers["x-litellm-cache-hit"] = facts.CacheHit ? "true" : "false";
        if (facts.Fallbacks is { Length: > 0 } fallbacks)
        {
            headers["x-litellm-attempted-fallbacks"] = string.Join(',', fallbacks);
        }

        // The gateway's own time: everything but the pipeline call (parse, auth, gate, serialization so far).
        var total = Stopwatch.GetElapsedTime(started);
        var pipelineTime = facts.PipelineEnded > 0 ? Stopwatch.GetElapsedTime(facts.PipelineStarted, facts.PipelineEnded) : TimeSpan.Zero;
        headers["x-litellm-overhead-duration-ms"] = (total - pipelineTime).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static void AddCallerMetadata(ChatOptions options, CallerIdentity caller)
    {
        if (caller.IsAnonymous)
        {
            return;
        }

        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["user_id"] = caller.UserId,
            ["team_id"] = caller.TeamId,
            ["key_id"] = caller.KeyId,
        };
        (options.AdditionalProperties ??= [])["metadata"] = metadata;
    }

    internal static int EstimateTokens(IEnumerable<ChatMessage> messages)
    {
        long chars = 0;
        foreach (var m in messages)
        {
            foreach (var c in m.Contents)
            {
                if (c is TextContent t)
                {
                    chars += t.Text.Length;
                }
            }
        }

        return (int)Math.Min(int.MaxValue, (chars / 4) + 1);
    }
}
