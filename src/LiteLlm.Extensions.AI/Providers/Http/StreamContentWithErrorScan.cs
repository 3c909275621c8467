using System.Net;
using System.Text;
using LiteLlm.Errors;

namespace LiteLlm.Providers.Http;

/// <summary>
/// Wraps a streamed response (SSE or NDJSON) so that an error sent inside the stream after a 200
/// (OpenAI's <c>data: {"error":…}</c>, Anthropic's <c>event: error</c>, Ollama's <c>{"error":…}</c>
/// line) and a connection that breaks mid-stream surface as unified exceptions, whatever the SDK
/// reading the stream would have done with them.
/// </summary>
internal sealed class StreamContentWithErrorScan : HttpContent
{
    private readonly HttpContent _inner;
    private readonly ProviderHttpHandler _owner;
    private readonly string? _model;
    private readonly bool _ndjson;

    public StreamContentWithErrorScan(HttpContent inner, ProviderHttpHandler owner, string? model, bool ndjson)
    {
        _inner = inner;
        _owner = owner;
        _model = model;
        _ndjson = ndjson;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new ScanningStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var source = await CreateContentReadStreamAsync(CancellationToken.None).ConfigureAwait(false);
        await source.CopyToAsync(stream).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class ScanningStream : Stream
    {
        private const int PrefixLength = 24;
        private static readonly byte[][] SseMarkers =
        [
            "data: {\"error\""u8.ToArray(), "data:{\"error\""u8.ToArray(),
            "data: {\"type\":\"error\""u8.ToArray(), "data:{\"type\":\"error\""u8.ToArray(),
        ];

        private static readonly byte[][] SseEventMarkers = ["event: error"u8.ToArray(), "event:error"u8.ToArray()];
        private static readonly byte[][] NdjsonMarkers = ["{\"error\""u8.ToArray()];

        private readonly Stream _inner;
        private readonly StreamContentWithErrorScan _content;
        private readonly byte[] _prefix = new byte[PrefixLength];
        private int _prefixCount;
        private bool _atLineStart = true;
        private bool _lineDecided;
        private List<byte>? _capture;
        private bool _captureAwaitsData;
        private Exception? _pending;

        public ScanningStream(Stream inner, StreamContentWithErrorScan content)
        {
            _inner = inner;
            _content = content;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_pending is not null)
            {
                throw _pending;
            }

            while (true)
            {
                int read;
                try
                {
                    read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    throw _content._owner.StreamBroken(_content._model, e);
                }

                if (read == 0)
                {
                    if (_capture is not null)
                    {
                        throw ErrorFromCapture();
                    }

                    return 0;
                }

                var deliver = Scan(buffer.Span[..read]);
                if (_pending is not null)
                {
                    if (deliver > 0)
                    {
                        return deliver;
                    }

                    throw _pending;
                }

                if (deliver > 0)
                {
                    return deliver;
                }
            }
        }

        /// <summary>Scans the bytes; returns how many of them (from the start) may be delivered.</summary>
        private int Scan(ReadOnlySpan<byte> span)
        {
            var deliver = _capture is null ? span.Length : 0;
            var i = 0;
            var lineStart = _atLineStart ? 0 : -1;
            while (i < span.Length)
            {
                if (_capture is not null)
                {
                    var nl = span[i..].IndexOf((byte)'\n');
                    var end = nl < 0 ? span.Length : i + nl;
                    _capture.AddRange(span[i..end]);
                    if (nl < 0)
                    {
                        return deliver;
                    }

                    i = end + 1;
                    if (_captureAwaitsData && !EndsWithDataLine())
                    {
                        _capture.Add((byte)'\n');
                        continue;
                    }

                    _pending = ErrorFromCapture();
                    return deliver;
                }

                if (_atLineStart && !_lineDecided)
                {
                    // Collect the first bytes of the line to compare with the markers.
                    while (i < span.Length && _prefixCount < PrefixLength && span[i] != (byte)'\n')
                    {
                        _prefix[_prefixCount++] = span[i++];
                    }

                    if (i < span.Length || _prefixCount == PrefixLength)
                    {
                        _lineDecided = true;
                        var prefix = _prefix.AsSpan(0, _prefixCount);
                        var isEvent = !_content._ndjson && StartsWithAny(prefix, SseEventMarkers);
                        if (isEvent || StartsWithAny(prefix, _content._ndjson ? NdjsonMarkers : SseMarkers))
                        {
                            _capture = [.. prefix];
                            _captureAwaitsData = isEvent;
                            deliver = Math.Max(0, lineStart);
                            continue;
                        }
                    }
                    else
                    {
                        return deliver; // the line's start continues in the next read
                    }
                }

                var newline = span[i..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _atLineStart = false;
                    return deliver;
                }

                i += newline + 1;
                _atLineStart = true;
                _lineDecided = false;
                _prefixCount = 0;
                lineStart = i;
            }

            return deliver;
        }

        private bool EndsWithDataLine()
        {
            var text = Encoding.UTF8.GetString([.. _capture!]);
            var last = text[(text.LastIndexOf('\n') + 1)..];
            return last.StartsWith("data:", StringComparison.Ordinal);
        }

        private LiteLlmException ErrorFromCapture()
        {
            var text = Encoding.UTF8.GetString([.. _capture!]);
            var payload = text;
            var dataLine = text.Split('\n').LastOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal));
            if (dataLine is not null)
            {
                payload = dataLine["data:".Length..].Trim();
            }

            _capture = null;
            var error = _content._owner.StreamError(_content._model, payload.Trim());
            _pending = error;
            return error;
        }

        private static bool StartsWithAny(ReadOnlySpan<byte> prefix, byte[][] markers)
        {
            foreach (var marker in markers)
            {
                if (prefix.Length >= marker.Length ? prefix.StartsWith(marker) : false)
                {
                    return true;
                }
            }

            return false;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
