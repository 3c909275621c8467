using System.Threading.Channels;

namespace LiteLlm.Observability;

/// <summary>Settings of the callback dispatch (<see cref="CallbacksChatClient"/>).</summary>
public sealed class LiteLlmCallbackOptions
{
    /// <summary>Gets or sets how many events may wait for the handlers before events are dropped.</summary>
    /// <value>The default is 10,000.</value>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets which event is dropped when the queue is full.</summary>
    /// <value>The default is <see cref="BoundedChannelFullMode.DropOldest"/>. <see cref="BoundedChannelFullMode.Wait"/> is
    /// not accepted: a request never waits for a handler.</value>
    public BoundedChannelFullMode FullMode { get; set; } = BoundedChannelFullMode.DropOldest;

    /// <summary>Gets or sets the clock used for start and end times and latencies.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        if (FullMode == BoundedChannelFullMode.Wait)
        {
            throw new ArgumentOutOfRangeException(nameof(FullMode), FullMode, "Callbacks never make a request wait; choose a Drop mode.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
