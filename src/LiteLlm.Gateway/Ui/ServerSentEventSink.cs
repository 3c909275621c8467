using System.Text;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The response body of an in-process streaming call: splits what the endpoint writes into server-sent events and
/// hands each event's <c>data</c> on as it arrives. An answer that is not a stream (a JSON refusal) is kept whole.
/// </summary>
internal sealed class ServerSentEventSink(Func<string, Task> onEvent) : Stream
{
    private readonly MemoryStream _buffer = new();

    /// <summary>Gets whether anything was written.</summary>
    public bool Started { get; private set; }

    /// <summary>Gets whether the answer is a stream of events (known at the first byte: a JSON answer starts with <c>{</c>).</summary>
    public bool Streamed { get; private set; }

    /// <summary>Gets the whole answer when it was not a stream.</summary>
    public byte[] Unstreamed => Streamed ? [] : _buffer.ToArray();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        if (!Started)
        {
            Started = true;
            var first = buffer.Span.TrimStart(" \t\r\n"u8);
            Streamed = first.IsEmpty || first[0] != (byte)'{';
        }

        _buffer.Write(buffer.Span);
        if (Streamed)
        {
            await DrainAsync(final: false).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    /// <summary>Hands on a last event that ended without a blank line.</summary>
    public Task FinishAsync() => Streamed ? DrainAsync(final: true) : Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task DrainAsync(bool final)
    {
        while (true)
        {
            var bytes = _buffer.GetBuffer().AsMemory(0, (int)_buffer.Length);
            var end = bytes.Span.IndexOf("\n\n"u8);
            if (end < 0 && !(final && bytes.Length > 0))
            {
                return;
            }

            var length = end < 0 ? bytes.Length : end;
            var text = Encoding.UTF8.GetString(bytes.Span[..length]);
            var rest = bytes[Math.Min(bytes.Length, length + 2)..].ToArray();
            _buffer.SetLength(0);
            _buffer.Write(rest);
            var data = new StringBuilder();
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : string.Empty).Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5).TrimEnd('\r'));
                }
            }

            if (data.Length > 0)
            {
                await onEvent(data.ToString()).ConfigureAwait(false);
            }

            if (end < 0)
            {
                return;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
