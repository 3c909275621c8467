using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LiteLlm.Configuration;
using LiteLlm.Errors;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Limits;
using LiteLlm.Gateway.Metrics;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Gateway.Spend;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Hosting;

/// <summary>
/// Runs one inference request through the gateway's envelope: authenticate, parse, resolve the model group,
/// admit (budgets, rate limits), call the pipeline, write, and record spend, with one error path for all endpoints.
/// </summary>
internal sealed partial class InferenceService(
    IRequestGate gate,
    ISpendSink spend,
    LiteLlmRuntime runtime,
    IChatClient pipeline,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    GatewayOptions options,
    GatewayMetrics metrics,
    ILogger<InferenceService> logger)
{
    public IChatClient Pipeline => pipeline;

    public IEmbeddingGenerator<string, Embedding<float>> Embeddings => embeddings;

    public GatewayOptions Options => options;

    public LiteLlmRuntime Runtime => runtime;

    /// <summary>Runs <paramref name="body"/> inside the envelope; <paramref name="writeError"/> shapes errors (OpenAI by default).</summary>
    public async Task RunAsync(
        HttpContext context,
        string endpoint,
        Func<InferenceCall, CancellationToken, Task> body,
        Func<HttpContext, GatewayError, Task>? writeError = null)
    {
        var call = new InferenceCall(context, endpoint);
        using var timeout = new CancellationTokenSource(options.RequestTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        var status = "success";
        metrics.InFlight.Add(1);
        try
        {
            var auth = await gate.AuthenticateAsync(context, linked.Token).ConfigureAwait(false);
            if (auth.Error is { } refused)
            {
                throw new GatewayRequestException(refused);
            }

            call.Caller = auth.Value ?? CallerIdentity.Anonymous;
            await body(call, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = "Cancelled"; // the client went away; the upstream call was cancelled with it
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            status = "Timeout";
            await WriteErrorAsync(context, new GatewayError(504, $"The request did not complete within the gateway's timeout of {options.RequestTimeout.TotalSeconds:0.###} s.", "timeout", "timeout"), writeError).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            status = GatewayErrors.KindOf(e);
            var error = GatewayErrors.FromException(e);
            if (error.Status >= 500 && (e is StreamFailedException { InnerException: { } inner } ? inner : e) is not LiteLlmException)
            {
                LogUnexpected(logger, e, call.Id);
            }

            await WriteErrorAsync(context, error, writeError).ConfigureAwait(false);
        }
        finally
        {
            metrics.InFlight.Add(-1);

            // The spend record is queued, then the lease settles the budget reservation with the same cost.
            SpendRecord? record = null;
            if (call.ModelGroup is not null)
            {
                metrics.Requests.Add(1, new("endpoint", endpoint), new("model_group", call.ModelGroup), new("status", status));
                if (call.ReachedPipeline)
                {
                    record = call.ToSpendRecord(status);
                    spend.Record(record);
                }
            }

            if (call.Lease is { } lease)
            {
                try
                {
                    await lease.ReleaseAsync(record).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    LogLeaseFailed(logger, e, call.Id); // the response is already written; a gate's failure must not reach the caller
                }
            }
        }
    }

    /// <summary>Reads and deserializes the body; malformed JSON and wrong types become 400s naming the field.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        RequireJson(context);

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new GatewayRequestException(GatewayErrors.FromException(e));
        }

        return value ?? throw GatewayErrors.Invalid("The request body must be a JSON object.");
    }

    /// <summary>
    /// Reads the body once as a JSON document (kept for the request: its elements are the client's own fields, which
    /// travel to a provider of the same protocol) and deserializes <typeparamref name="T"/> from it.
    /// </summary>
    public static async Task<(T Value, JsonElement Body)> ReadWithBodyAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        RequireJson(context);

        try
        {
            var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            context.Response.RegisterForDispose(document);
            var root = document.RootElement;
            var value = root.ValueKind == JsonValueKind.Object ? root.Deserialize(typeInfo)
                : throw new JsonException($"The request body must be a JSON object, not {root.ValueKind}.");
            return (value ?? throw GatewayErrors.Invalid("The request body must be a JSON object."), root);
        }
        catch (JsonException e)
        {
            throw new GatewayRequestException(GatewayErrors.FromException(e));
        }
    }

    // A body that says it is not JSON is a 415, whatever it holds.
    private static void RequireJson(HttpContext context)
    {
        if (context.Request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayRequestException(new GatewayError(415, $"Content-Type must be application/json; got '{contentType}'.", "invalid_request_error", "unsupported_media_type"));
        }
    }

    /// <summary>
    /// Runs request translation; values System.Text.Json can only reject lazily (invalid UTF-8 or unpaired surrogates
    /// inside strings) and out-of-range options become 400s instead of escaping as 500s.
    /// </summary>
    public static T Parse<T>(Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (InvalidOperationException)
        {
            throw GatewayErrors.Invalid("The request contains a string that is not valid UTF-8 or has an unpaired UTF-16 surrogate.", code: "invalid_json");
        }
        catch (ArgumentException e)
        {
            throw GatewayErrors.Invalid("The request contains a value out of range: " + e.Message, e.ParamName);
        }
        catch (FormatException)
        {
            throw GatewayErrors.Invalid("The request contains a malformed value.");
        }
    }

    /// <summary>Admits a chat call; with budget-aware admission its <c>max_tokens</c> is first lowered to what the caller's budget pays for.</summary>
    public async Task AdmitAsync(InferenceCall call, string model, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        await BudgetAwareAdmission.ApplyAsync(gate, runtime, call, model, messages, options, cancellationToken).ConfigureAwait(false);
        await AdmitAsync(call, model, EstimateTokens(messages, options.MaxOutputTokens), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks the model group exists (404 otherwise) and admits the call through the gate.</summary>
    public async Task AdmitAsync(InferenceCall call, string model, int estimatedTokens, CancellationToken cancellationToken)
    {
        try
        {
            _ = runtime.Router.DeploymentsOf(model);
        }
        catch (UnknownModelException e)
        {
            throw new GatewayRequestException(GatewayErrors.FromException(e));
        }

        call.ModelGroup = model;
        if (call.EndUser is { } endUser)
        {
            call.Caller = call.Caller with { EndUserId = endUser }; // the customer's block and budget apply too
        }

        var admitted = await gate.AdmitAsync(call.Caller, model, estimatedTokens, cancellationToken).ConfigureAwait(false);
        if (admitted.Error is { } refused)
        {
            throw new GatewayRequestException(refused);
        }

        call.Lease = admitted.Value;
        call.ReachedPipeline = true;
    }

    /// <summary>Four characters a token, plus the output allowance: what the gate reserves before the call.</summary>
    public static int EstimateTokens(IEnumerable<ChatMessage> messages, int? maxOutputTokens)
    {
        long chars = 0;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    chars += text.Text.Length;
                }
            }
        }

        return (int)Math.Min(int.MaxValue, (chars / 4) + 1 + (maxOutputTokens ?? 0));
    }

    private static Task WriteErrorAsync(HttpContext context, GatewayError error, Func<HttpContext, GatewayError, Task>? writeError)
        => context.Response.HasStarted ? Task.CompletedTask
            : writeError is null ? GatewayErrors.WriteAsync(context, error) : writeError(context, error);

    [LoggerMessage(2, LogLevel.Error, "Releasing the gate's lease of request {CallId} failed.")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception, string callId);

    [LoggerMessage(1, LogLevel.Error, "Request {CallId} failed inside the gateway.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string callId);
}
