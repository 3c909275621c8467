using Microsoft.Extensions.AI;

namespace LiteLlm;

/// <summary>How a batch of calls runs (LiteLLM's <c>batch_completion</c>, with bounded concurrency).</summary>
public sealed class BatchOptions
{
    /// <summary>The default number of calls in flight at once.</summary>
    public const int DefaultMaxDegreeOfParallelism = 8;

    private int _maxDegreeOfParallelism = DefaultMaxDegreeOfParallelism;

    /// <summary>Gets or sets how many calls run at once. The default is <see cref="DefaultMaxDegreeOfParallelism"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Gets or sets a receiver told after each call finishes (successfully, failed or cancelled).</summary>
    public IProgress<BatchProgress>? Progress { get; set; }
}

/// <summary>Where a batch stands after one of its calls finished.</summary>
/// <param name="Index">The input position of the call that just finished.</param>
/// <param name="Completed">How many calls have finished, in any way.</param>
/// <param name="Failed">How many of those failed or were cancelled.</param>
/// <param name="Total">How many calls the batch has.</param>
public readonly record struct BatchProgress(int Index, int Completed, int Failed, int Total);

/// <summary>The outcome of one call of a batch: a response, or the error that call ended with.</summary>
public sealed class BatchResult
{
    internal BatchResult(int index, ChatResponse? response, Exception? error)
    {
        Index = index;
        Response = response;
        Error = error;
    }

    /// <summary>Gets the position of the call in the input.</summary>
    public int Index { get; }

    /// <summary>Gets the response, or <see langword="null"/> when the call failed.</summary>
    public ChatResponse? Response { get; }

    /// <summary>
    /// Gets why the call failed: a <see cref="Errors.LiteLlmException"/> for provider errors, an
    /// <see cref="OperationCanceledException"/> when the batch was cancelled before or during the call,
    /// or whatever a non-LiteLlm client threw.
    /// </summary>
    public Exception? Error { get; }

    /// <summary>Gets a value indicating whether the call produced a response.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Response))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Response is not null;

    /// <inheritdoc/>
    public override string ToString() => IsSuccess ? $"#{Index}: {Response.Text}" : $"#{Index}: {Error.GetType().Name}: {Error.Message}";
}

/// <summary>The answer of one model to a prompt sent to several (<c>batch_completion_models</c>).</summary>
public sealed class ModelResult
{
    internal ModelResult(string model, int index, ChatResponse? response, Exception? error, TimeSpan elapsed)
    {
        Model = model;
        Index = index;
        Response = response;
        Error = error;
        Elapsed = elapsed;
    }

    /// <summary>Gets the model string, or for a client its metadata's model (else its provider, else <c>client[i]</c>).</summary>
    public string Model { get; }

    /// <summary>Gets the position of the model (or client) in the input.</summary>
    public int Index { get; }

    /// <summary>Gets the response, or <see langword="null"/> when the call failed.</summary>
    public ChatResponse? Response { get; }

    /// <summary>Gets why the call failed (a <see cref="Errors.LiteLlmException"/> for provider errors), or <see langword="null"/>.</summary>
    public Exception? Error { get; }

    /// <summary>Gets how long the call took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets a value indicating whether the call produced a response.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Response))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Response is not null;

    /// <inheritdoc/>
    public override string ToString() => IsSuccess ? $"{Model}: {Response.Text}" : $"{Model}: {Error.GetType().Name}: {Error.Message}";
}
