using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using LiteLlm.Providers.Http;

namespace LiteLlm.Providers;

/// <summary>
/// The little HTTP the hand-written protocol clients (Gemini, Cohere) need: post a JSON body, read a
/// JSON answer, read an SSE stream. Failed answers never reach these methods: <see cref="Http.ProviderHttpHandler"/>
/// has already turned them into unified exceptions.
/// </summary>
internal static class JsonHttp
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    /// <summary>
    /// Posts <paramref name="body"/> with the call's pass-through fields and extra headers (<paramref name="extras"/>, see
    /// <see cref="WireExtras"/>) added; a stream is returned as soon as the headers arrive.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient http, Uri uri, JsonObject body, IEnumerable<KeyValuePair<string, string>> headers, AdditionalPropertiesDictionary? extras, bool stream, CancellationToken cancellationToken)
    {
        WireExtras.Merge(body, WireExtras.Body(extras));
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body.ToUtf8Bytes()),
        };
        request.Content.Headers.ContentType = JsonMediaType;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        WireExtras.ApplyHeaders(request, extras);
        if (stream)
        {
            request.Headers.Accept.Add(EventStream);
        }

        return await http.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Posts <paramref name="body"/> and parses the JSON answer.</summary>
    public static async Task<JsonDocument> PostForJsonAsync(
        HttpClient http, Uri uri, JsonObject body, IEnumerable<KeyValuePair<string, string>> headers, AdditionalPropertiesDictionary? extras, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(http, uri, body, headers, extras, stream: false, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Posts <paramref name="body"/> and yields the data of each SSE event as JSON (LF or CRLF framing; "[DONE]" ends it).</summary>
    public static async IAsyncEnumerable<(string EventType, JsonElement Data)> PostForSseAsync(
        HttpClient http, Uri uri, JsonObject body, IEnumerable<KeyValuePair<string, string>> headers, AdditionalPropertiesDictionary? extras, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await PostAsync(http, uri, body, headers, extras, stream: true, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // A recorded Gemini stream ends its last event without the blank line; the SSE rules would drop it.
            var parser = SseParser.Create(new FinalBlankLineStream(stream));
            await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                var data = item.Data.Trim();
                if (data.Length == 0)
                {
                    continue;
                }

                if (data == "[DONE]")
                {
                    yield break;
                }

                using var doc = JsonDocument.Parse(data);
                yield return (item.EventType, doc.RootElement.Clone());
            }
        }
    }

    /// <summary>Reads a string property, or null.</summary>
    public static string? Str(this JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Reads a property of the given kind, or default.</summary>
    public static JsonElement Prop(this JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    /// <summary>Reads a token count (Cohere sends them as 18.0), or null.</summary>
    public static long? Count(this JsonElement e, string name)
        => e.Prop(name) is { ValueKind: JsonValueKind.Number } n ? (n.TryGetInt64(out var l) ? l : (long)n.GetDouble()) : null;

    /// <summary>Enumerates an array property (none when it is absent).</summary>
    public static IEnumerable<JsonElement> Items(this JsonElement e, string name)
        => e.Prop(name) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];

    /// <summary>Reads a stream and then one extra blank line, so that a final event without one is still dispatched.</summary>
    private sealed class FinalBlankLineStream(Stream inner) : Stream
    {
        private static readonly byte[] BlankLine = "\n\n"u8.ToArray();
        private int _tail = -1;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_tail < 0)
            {
                var read = inner.Read(buffer);
                if (read > 0 || buffer.IsEmpty)
                {
                    return read;
                }

                _tail = 0;
            }

            return Tail(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_tail < 0)
            {
                var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read > 0 || buffer.IsEmpty)
                {
                    return read;
                }

                _tail = 0;
            }

            return Tail(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Tail(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, BlankLine.Length - _tail);
            BlankLine.AsSpan(_tail, n).CopyTo(buffer);
            _tail += n;
            return n;
        }
    }
}
