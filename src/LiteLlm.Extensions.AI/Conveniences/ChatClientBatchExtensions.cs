using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm;

/// <summary>
/// Client-side fan-out over any <see cref="IChatClient"/>: many conversations against one client
/// (<c>batch_completion</c>), or one conversation against many clients (<c>batch_completion_models</c>).
/// </summary>
public static class ChatClientBatchExtensions
{
    /// <summary>
    /// Sends each conversation to <paramref name="client"/>, at most <see cref="BatchOptions.MaxDegreeOfParallelism"/> at once,
    /// and returns one result per conversation in input order. A failed call does not affect the others.
    /// </summary>
    /// <remarks>
    /// Cancelling <paramref name="cancellationToken"/> starts no further calls and cancels those in flight; their results
    /// carry an <see cref="OperationCanceledException"/>, while calls already finished keep their responses. Each call
    /// gets its own copy of <paramref name="options"/>.
    /// </remarks>
    public static async Task<IReadOnlyList<BatchResult>> GetResponsesAsync(
        this IChatClient client,
        IEnumerable<IEnumerable<ChatMessage>> conversations,
        BatchOptions? batchOptions = null,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(conversations);
        var inputs = conversations as IReadOnlyList<IEnumerable<ChatMessage>> ?? conversations.ToList();
        var results = new BatchResult[inputs.Count];
        if (inputs.Count == 0)
        {
            return results;
        }

        var progress = batchOptions?.Progress;
        var workers = Math.Min(batchOptions?.MaxDegreeOfParallelism ?? BatchOptions.DefaultMaxDegreeOfParallelism, inputs.Count);
        var next = -1;
        var completed = 0;
        var failed = 0;

        async Task WorkAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < inputs.Count)
            {
                BatchResult result;
                if (cancellationToken.IsCancellationRequested)
                {
                    result = new BatchResult(i, null, new OperationCanceledException(cancellationToken));
                }
                else
                {
                    try
                    {
                        var response = await client.GetResponseAsync(inputs[i], options?.Clone(), cancellationToken).ConfigureAwait(false);
                        result = new BatchResult(i, response, null);
                    }
                    catch (Exception e)
                    {
                        result = new BatchResult(i, null, e);
                    }
                }

                results[i] = result;
                var failedSoFar = result.IsSuccess ? Volatile.Read(ref failed) : Interlocked.Increment(ref failed);
                var done = Interlocked.Increment(ref completed);
                progress?.Report(new BatchProgress(i, done, failedSoFar, inputs.Count));
            }
        }

        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            tasks[w] = Task.Run(WorkAsync, CancellationToken.None);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Sends one conversation to every client at once and yields each answer as it arrives (fastest first).
    /// A failed client yields a result with its error; it never ends the enumeration.
    /// </summary>
    public static async IAsyncEnumerable<ModelResult> GetResponsesFromAllAsync(
        this IEnumerable<IChatClient> clients,
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(messages);
        var list = clients.ToList();
        var named = list.Select((c, i) => (NameOf(c, i), (Func<IChatClient>)(() => c))).ToList();
        await foreach (var result in FanOut.AllAsync(named, messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <summary>
    /// Sends one conversation to every client at once and returns the first successful answer; the calls still
    /// running are then cancelled (LiteLLM's <c>batch_completion_models</c>).
    /// </summary>
    /// <exception cref="AggregateException">Every client failed; the inner exceptions are their errors, in input order.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static Task<ModelResult> GetFirstResponseAsync(
        this IEnumerable<IChatClient> clients,
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(messages);
        var named = clients.Select((c, i) => (NameOf(c, i), (Func<IChatClient>)(() => c))).ToList();
        return FanOut.FirstAsync(named, messages, options, cancellationToken);
    }

    private static string NameOf(IChatClient client, int index)
    {
        var metadata = client.GetService<ChatClientMetadata>();
        return metadata?.DefaultModelId is { Length: > 0 } model
            ? (metadata.ProviderName is { Length: > 0 } provider && !model.Contains('/', StringComparison.Ordinal) ? provider + "/" + model : model)
            : metadata?.ProviderName ?? $"client[{index}]";
    }
}

/// <summary>The one-prompt, many-targets machinery shared by the model-string and client overloads.</summary>
internal static class FanOut
{
    public static async IAsyncEnumerable<ModelResult> AllAsync(
        IReadOnlyList<(string Name, Func<IChatClient> Client)> models,
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (models.Count == 0)
        {
            yield break;
        }

        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var tasks = new List<Task<ModelResult>>(models.Count);
        for (var i = 0; i < models.Count; i++)
        {
            tasks.Add(CallAsync(models[i].Name, i, models[i].Client, list, options, cancellationToken));
        }

        await foreach (var done in Task.WhenEach(tasks).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return await done.ConfigureAwait(false);
        }
    }

    public static async Task<ModelResult> FirstAsync(
        IReadOnlyList<(string Name, Func<IChatClient> Client)> models,
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        CancellationToken cancellationToken)
    {
        if (models.Count == 0)
        {
            throw new ArgumentException("At least one model or client is needed.", nameof(models));
        }

        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new List<Task<ModelResult>>(models.Count);
        for (var i = 0; i < models.Count; i++)
        {
            tasks.Add(CallAsync(models[i].Name, i, models[i].Client, list, options, race.Token));
        }

        try
        {
            await foreach (var done in Task.WhenEach(tasks).ConfigureAwait(false))
            {
                var result = await done.ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    // The losers see the cancellation now; this call does not wait for them to wind down.
                    await race.CancelAsync().ConfigureAwait(false);
                    return result;
                }
            }
        }
        finally
        {
            // The race's token source lives until the last loser has seen its cancellation.
            _ = Task.WhenAll(tasks).ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Dispose(), race,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new AggregateException("Every model failed.", tasks.Select(t => t.Result.Error!));
    }

    private static async Task<ModelResult> CallAsync(
        string name, int index, Func<IChatClient> client, IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        await Task.Yield(); // every call starts before any of them runs its synchronous part
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await client().GetResponseAsync(messages, options?.Clone(), cancellationToken).ConfigureAwait(false);
            return new ModelResult(name, index, response, null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e)
        {
            return new ModelResult(name, index, null, e, Stopwatch.GetElapsedTime(started));
        }
    }
}
