using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm.Observability;

/// <summary>What an observing middleware learns about one stream: its first update, its end, or its failure.</summary>
internal abstract class StreamObservation
{
    public abstract void OnFirstUpdate();

    public abstract void OnCompleted(ChatResponse response);

    /// <summary>The stream failed, was cancelled, or the caller stopped reading it (<see cref="OperationCanceledException"/>).</summary>
    public abstract void OnFailed(Exception exception);
}

/// <summary>Passes a stream through unchanged while reporting it to a <see cref="StreamObservation"/>.</summary>
internal static class ObservedStream
{
    public static async IAsyncEnumerable<ChatResponseUpdate> ObserveAsync(
        IAsyncEnumerable<ChatResponseUpdate> source, StreamObservation observation, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        var ended = false;
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception e)
                {
                    ended = true;
                    observation.OnFailed(e);
                    throw;
                }

                if (updates.Count == 0)
                {
                    observation.OnFirstUpdate();
                }

                updates.Add(enumerator.Current);
                yield return enumerator.Current;
            }

            ended = true;
            observation.OnCompleted(updates.ToChatResponse());
        }
        finally
        {
            if (!ended)
            {
                observation.OnFailed(new OperationCanceledException("The caller stopped reading the stream before it ended."));
            }

            await enumerator.DisposeAsync();
        }
    }
}
