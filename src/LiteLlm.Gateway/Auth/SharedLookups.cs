using System.Collections.Concurrent;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// Concurrent lookups of one id share one call: a burst of requests on a cold key sends the database one query, not
/// one each (which exhausted PostgreSQL's connections under two gateways' 120 concurrent requests). The shared call is
/// not tied to any one request; each caller waits only as long as its own request allows.
/// </summary>
internal sealed class SharedLookups
{
    private readonly ConcurrentDictionary<string, Task<object?>> _running = new(StringComparer.Ordinal);

    public async Task<T> RunAsync<T>(string id, Func<Task<T>> load, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _running.GetOrAdd(id, mine.Task);
        if (shared == mine.Task)
        {
            _ = CompleteAsync(id, load, mine);
        }

        return (T)(await shared.WaitAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task CompleteAsync<T>(string id, Func<Task<T>> load, TaskCompletionSource<object?> mine)
    {
        // Out of the table before the waiters wake: a caller that comes after the answer asks again.
        try
        {
            var result = await load().ConfigureAwait(false);
            _running.TryRemove(KeyValuePair.Create(id, mine.Task));
            mine.SetResult(result);
        }
        catch (Exception e)
        {
            _running.TryRemove(KeyValuePair.Create(id, mine.Task));
            mine.SetException(e);
        }
    }
}
