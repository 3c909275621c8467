using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>What the gateway learns about one call, for headers and the spend record.</summary>
internal sealed class CallFacts(string id, DateTimeOffset startTime)
{
    public string Id { get; } = id;

    public DateTimeOffset StartTime { get; } = startTime;

    public CallerIdentity Caller { get; set; } = CallerIdentity.Anonymous;

    public string? ModelGroup { get; set; }

    public string? Deployment { get; private set; }

    public string? Provider { get; private set; }

    public string? Model { get; private set; }

    public decimal? Cost { get; private set; }

    public bool CacheHit { get; private set; }

    public string[]? Fallbacks { get; private set; }

    public UsageDetails? Usage { get; set; }

    public string Status { get; set; } = "error";

    public long PipelineStarted { get; set; }

    public long PipelineEnded { get; set; }

    public TimeSpan? TimeToFirstToken { get; set; }

    public void Read(AdditionalPropertiesDictionary? properties, UsageDetails? usage, string? model)
    {
        Usage = usage ?? Usage;
        Model = model ?? Model;
        if (properties is null)
        {
            return;
        }

        if (properties.TryGetValue(ResponseProperties.Deployment, out var d) && d is not null)
        {
            Deployment = Text(d);
        }

        if (properties.TryGetValue(ResponseProperties.Provider, out var p) && p is not null)
        {
            Provider = Text(p);
        }

        if (properties.TryGetValue(ResponseProperties.Cost, out var c))
        {
            Cost = c switch
            {
                decimal m => m,
                JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDecimal(),
                _ => Cost,
            };
        }

        if (properties.TryGetValue(ResponseProperties.CacheHit, out var h))
        {
            CacheHit = h is true || (h is JsonElement { ValueKind: JsonValueKind.True });
        }

        if (properties.TryGetValue(ResponseProperties.Fallbacks, out var f) && f is string[] fallbacks)
        {
            Fallbacks = fallbacks;
        }
    }

    public SpendRecord ToRecord(long started, string endpoint) => new()
    {
        RequestId = Id,
        KeyId = Caller.KeyId,
        UserId = Caller.UserId,
        TeamId = Caller.TeamId,
        ModelGroup = ModelGroup ?? "unknown",
        Deployment = Deployment,
        Provider = Provider,
        Model = Model,
        InputTokens = Usage?.InputTokenCount ?? 0,
        OutputTokens = Usage?.OutputTokenCount ?? 0,
        CachedTokens = Usage?.CachedInputTokenCount ?? 0,
        Cost = Cost,
        LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        CacheHit = CacheHit,
        Status = Status,
        StartTime = StartTime,
        EndTime = DateTimeOffset.UtcNow,
        Endpoint = endpoint,
    };

    private static string? Text(object value) => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
