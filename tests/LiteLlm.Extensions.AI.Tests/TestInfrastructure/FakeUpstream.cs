using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>
/// An in-process provider: records every request exactly as it would leave the machine and answers
/// from a queue of scripted responses (recorded provider bodies, errors, slow or broken answers).
/// </summary>
public sealed class FakeUpstream : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>>> _responses = new();

    public List<RecordedRequest> Requests { get; } = [];

    public RecordedRequest LastRequest => Requests[^1];

    /// <summary>Gets or sets the answer used when the queue is empty.</summary>
    public Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>>? Fallback { get; set; }

    public FakeUpstream Enqueue(Func<HttpResponseMessage> response)
    {
        _responses.Enqueue((_, _) => Task.FromResult(response()));
        return this;
    }

    public FakeUpstream Enqueue(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> response)
    {
        _responses.Enqueue(response);
        return this;
    }

    public FakeUpstream Json(string body, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers)
        => Enqueue(() => Response(status, body, "application/json", headers));

    public FakeUpstream Sse(string body, params (string Name, string Value)[] headers)
        => Enqueue(() => Response(HttpStatusCode.OK, body, "text/event-stream", headers));

    public FakeUpstream Ndjson(string body) => Enqueue(() => Response(HttpStatusCode.OK, body, "application/x-ndjson"));

    public FakeUpstream Status(int status, string body, params (string Name, string Value)[] headers)
        => Enqueue(() => Response((HttpStatusCode)status, body, "application/json", headers));

    /// <summary>Answers with a binary body (e.g. an AWS event stream).</summary>
    public FakeUpstream Bytes(byte[] body, string mediaType, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers)
        => Enqueue(() => BytesResponse(status, body, mediaType, headers));

    /// <summary>Answers with an <c>application/vnd.amazon.eventstream</c> body (Bedrock's streams).</summary>
    public FakeUpstream EventStream(byte[] body, params (string Name, string Value)[] headers)
        => Bytes(body, "application/vnd.amazon.eventstream", HttpStatusCode.OK, headers);

    /// <summary>The connection is refused.</summary>
    public FakeUpstream Refuse() => Enqueue((_, _) => Task.FromException<HttpResponseMessage>(
        new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111))));

    /// <summary>The answer never comes (until the call is cancelled).</summary>
    public FakeUpstream Hang() => Enqueue(async (_, ct) =>
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new InvalidOperationException("unreachable");
    });

    public static HttpResponseMessage Response(HttpStatusCode status, string body, string mediaType, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = mediaType == "application/json" ? "utf-8" : null };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage BytesResponse(HttpStatusCode status, byte[] body, string mediaType, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body);
        lock (Requests)
        {
            Requests.Add(recorded);
        }

        if (_responses.TryDequeue(out var next))
        {
            return await next(recorded, cancellationToken);
        }

        return Fallback is not null
            ? await Fallback(recorded, cancellationToken)
            : throw new InvalidOperationException($"FakeUpstream has no scripted answer for {request.Method} {request.RequestUri}.");
    }
}

/// <summary>A request as the fake upstream received it.</summary>
public sealed record RecordedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public JsonElement Json => JsonDocument.Parse(Body ?? "null").RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
