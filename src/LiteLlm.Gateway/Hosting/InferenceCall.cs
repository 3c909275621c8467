using System.Diagnostics;
using System.Globalization;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Spend;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Hosting;

/// <summary>The gateway's response header names.</summary>
internal static class GatewayHeaders
{
    public const string CallId = "x-litellm-call-id";
    public const string ModelGroup = "x-litellm-model-group";
    public const string Deployment = "x-litellm-model-id";
    public const string DeploymentName = "x-litellm-deployment";
    public const string Cost = "x-litellm-response-cost";
    public const string CacheHit = "x-litellm-cache-hit";
    public const string Fallbacks = "x-litellm-attempted-fallbacks";
    public const string Retries = "x-litellm-attempted-retries";
    public const string Overhead = "x-litellm-overhead-duration-ms";
    public const string Duration = "x-litellm-response-duration-ms";
    public const string DroppedParams = "x-litellm-dropped-params";
}

/// <summary>Per-request state: the call id and start time, set by the first middleware.</summary>
internal sealed class GatewayRequestState
{
    public GatewayRequestState(string id, long started, DateTimeOffset startTime)
    {
        Id = id;
        Started = started;
        StartTime = startTime;
    }

    public string Id { get; }

    public long Started { get; }

    public DateTimeOffset StartTime { get; }

    // Ids are "chatcmpl-" + 32 hex digits, like a GUID's, made of a random per-process half and a counter: unique across
    // replicas (the spend table's key) without a GUID's cost on every request.
    private static readonly ulong ProcessPrefix = BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private static long s_counter;

    private static string NextId()
    {
        var n = (ulong)Interlocked.Increment(ref s_counter);
        return string.Create(9 + 32, n, static (span, n) =>
        {
            "chatcmpl-".CopyTo(span);
            ProcessPrefix.TryFormat(span[9..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            n.TryFormat(span[25..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    public static GatewayRequestState Of(HttpContext context)
        => context.Features.Get<GatewayRequestState>() ?? Create(context);

    public static GatewayRequestState Create(HttpContext context)
    {
        var state = new GatewayRequestState(NextId(), Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow);
        context.Features.Set(state);
        return state;
    }
}

/// <summary>What one inference request learned on its way: who, which group, what the pipeline reported, how long it took.</summary>
internal sealed class InferenceCall
{
    private long _pipelineTicks;
    private string? _endUser;

    public InferenceCall(HttpContext context, string endpoint)
    {
        Context = context;
        Endpoint = endpoint;
        State = GatewayRequestState.Of(context);
    }

    public HttpContext Context { get; }

    public GatewayRequestState State { get; }

    public string Id => State.Id;

    public string Endpoint { get; }

    public CallerIdentity Caller { get; set; } = CallerIdentity.Anonymous;

    public string? ModelGroup { get; set; }

    public string? ModelId { get; set; }

    public UsageDetails? Usage { get; set; }

    public AdditionalPropertiesDictionary Properties { get; } = [];

    public IGateLease? Lease { get; set; }

    public bool ReachedPipeline { get; set; }

    /// <summary>Gets or sets the call's metadata (what the parser put in the options' <c>metadata</c>); its <c>tags</c> go on the spend record.</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; set; }

    /// <summary>Gets the customer the request names (the parsers put the request's <c>user</c> in the metadata as <c>end_user</c>).</summary>
    public string? EndUser
    {
        get => _endUser ?? (Metadata?.TryGetValue("end_user", out var user) == true && user is string { Length: > 0 } id ? id : null);
        set => _endUser = value is { Length: > 0 } ? value : null;
    }

    /// <summary>Takes the call's metadata from the options the parser built.</summary>
    public void UseMetadataOf(ChatOptions options)
        => Metadata = options?.AdditionalProperties?.TryGetValue("metadata", out var metadata) == true ? metadata as IReadOnlyDictionary<string, object?> : null;

    public TimeSpan PipelineTime => Stopwatch.GetElapsedTime(0, _pipelineTicks);

    /// <summary>Adds time spent waiting on the pipeline (the router and its provider calls).</summary>
    public void AddPipelineTime(long startTimestamp) => Interlocked.Add(ref _pipelineTicks, Stopwatch.GetTimestamp() - startTimestamp);

    public void Absorb(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null)
        {
            return;
        }

        foreach (var (key, value) in properties)
        {
            if (key.StartsWith("litellm.", StringComparison.Ordinal))
            {
                Properties[key] = value;
            }
        }
    }

    public void AbsorbUsage(UsageDetails details)
    {
        if (Usage is null)
        {
            Usage = new UsageDetails();
        }

        Usage.Add(details);
    }

    /// <summary>Writes the x-litellm-* headers from what is known now; call before the body starts.</summary>
    public void ApplyHeaders()
    {
        var headers = Context.Response.Headers;
        if (Context.Response.HasStarted)
        {
            return;
        }

        if ((Get<string>(ResponseProperties.ModelGroup) ?? ModelGroup) is { } group)
        {
            headers[GatewayHeaders.ModelGroup] = Ascii(group);
        }

        if (Get<string>(ResponseProperties.Deployment) is { } deployment)
        {
            headers[GatewayHeaders.DeploymentName] = deployment;
            headers[GatewayHeaders.Deployment] = deployment;
        }

        if (Properties.TryGetValue(ResponseProperties.Cost, out var cost) && cost is not null)
        {
            headers[GatewayHeaders.Cost] = Convert.ToString(cost, CultureInfo.InvariantCulture);
        }

        headers[GatewayHeaders.CacheHit] = Get<bool?>(ResponseProperties.CacheHit) is true ? "true" : "false";
        var fallbacks = Properties.TryGetValue(ResponseProperties.Fallbacks, out var f) && f is System.Collections.ICollection list ? list.Count : 0;
        headers[GatewayHeaders.Fallbacks] = fallbacks.ToString(CultureInfo.InvariantCulture);
        if (Properties.TryGetValue(ResponseProperties.Attempts, out var attempts) && attempts is int a)
        {
            headers[GatewayHeaders.Retries] = Math.Max(0, a - 1 - fallbacks).ToString(CultureInfo.InvariantCulture);
        }

        if (Get<string[]>(ResponseProperties.DroppedParams) is { Length: > 0 } dropped)
        {
            // drop_params' record: what the provider could not take and was left out (known before a non-streamed body).
            headers[GatewayHeaders.DroppedParams] = string.Join(',', dropped);
        }

        var total = Stopwatch.GetElapsedTime(State.Started);
        var overhead = total - PipelineTime;
        headers[GatewayHeaders.Overhead] = Math.Max(0, overhead.TotalMilliseconds).ToString("0.###", CultureInfo.InvariantCulture);
        headers[GatewayHeaders.Duration] = total.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
    }

    public SpendRecord ToSpendRecord(string status)
    {
        var ended = DateTimeOffset.UtcNow;
        return new SpendRecord
        {
            RequestId = Id,
            KeyId = Caller.KeyId,
            UserId = Caller.UserId,
            TeamId = Caller.TeamId,
            EndUser = EndUser,
            ModelGroup = Get<string>(ResponseProperties.ModelGroup) ?? ModelGroup ?? string.Empty,
            Deployment = Get<string>(ResponseProperties.Deployment),
            Provider = Get<string>(ResponseProperties.Provider),
            Model = ModelId,
            InputTokens = Usage?.InputTokenCount ?? 0,
            OutputTokens = Usage?.OutputTokenCount ?? 0,
            CachedTokens = Usage?.CachedInputTokenCount ?? 0,
            Cost = Properties.TryGetValue(ResponseProperties.Cost, out var c) && c is decimal d ? d : null,
            LatencyMs = Stopwatch.GetElapsedTime(State.Started).TotalMilliseconds,
            ApiLatencySeconds = Get<double?>(ResponseProperties.ApiLatency),
            CacheHit = Get<bool?>(ResponseProperties.CacheHit) is true,
            Status = status,
            StartTime = State.StartTime,
            EndTime = ended,
            Endpoint = Endpoint,
            Tags = Spend.SpendTags.From(Metadata),
        };
    }

    private T? Get<T>(string key) => Properties.TryGetValue(key, out var value) && value is T typed ? typed : default;

    private static string Ascii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return Uri.EscapeDataString(value);
            }
        }

        return value;
    }
}
