using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace LiteLlm.Gateway.Tests.Reliability;

/// <summary>What one request of a <see cref="ChatLoad"/> got: the status (0 for a transport failure), the gateway's call id, when it completed.</summary>
public sealed record LoadResult(int Status, string? CallId, string? BodyId, long CompletedTimestamp, string? Error);

/// <summary>N clients sending chat requests back to back until stopped, each result recorded with its completion time.</summary>
public sealed class ChatLoad
{
    private readonly ConcurrentQueue<LoadResult> _results = new();

    public IReadOnlyList<LoadResult> Results => [.. _results];

    /// <summary>Runs <paramref name="clients"/> loops against <paramref name="http"/> until <paramref name="stop"/> fires.</summary>
    public Task RunAsync(HttpClient http, string key, int clients, CancellationToken stop)
        => Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => ClientAsync(http, key, stop), CancellationToken.None)));

    private async Task ClientAsync(HttpClient http, string key, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = GatewayProcess.Chat(key);
                // Not bound to `stop`: a request in flight when the load stops is allowed to finish (it may be the one that matters).
                using var response = await http.SendAsync(request, CancellationToken.None);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var callId = response.Headers.TryGetValues("x-litellm-call-id", out var values) ? values.FirstOrDefault() : null;
                string? bodyId = null;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    bodyId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString();
                }

                _results.Enqueue(new LoadResult((int)response.StatusCode, callId, bodyId, Stopwatch.GetTimestamp(), response.StatusCode == HttpStatusCode.OK ? null : text));
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
            {
                // The gateway is going or gone: connection refused or reset, or a response cut short.
                _results.Enqueue(new LoadResult(0, null, null, Stopwatch.GetTimestamp(), e.GetType().Name + ": " + e.Message));
                try
                {
                    await Task.Delay(20, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
