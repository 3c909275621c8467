using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Admin;
using LiteLlm.Gateway.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace LiteLlm.Gateway.Ui;

/// <summary>What a management call answered: its status and JSON body (an error's message is in <see cref="Error"/>).</summary>
internal sealed record UiApiResult(int Status, JsonNode? Body)
{
    public bool Ok => Status is >= 200 and < 300;

    public string Error => Body?["error"]?["message"]?.GetValue<string>() ?? $"The gateway answered {Status}.";
}

/// <summary>
/// Calls the gateway's own management endpoints in-process with the signed-in user's key, exactly as an HTTP client
/// would (same handler, same role checks, same input validation), without a loopback connection: the UI therefore
/// can never show or change more than the management API lets that key.
/// </summary>
internal sealed class UiApi(IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _handlers = new(StringComparer.Ordinal);
    private IReadOnlyList<EndpointDataSource> _sources = [];

    /// <summary>Remembers where the endpoints are (called once, when the routes are mapped).</summary>
    public void Attach(IEndpointRouteBuilder endpoints) => _sources = [.. endpoints.DataSources];

    /// <summary>Authenticates <paramref name="key"/> as the management API does: its role, or the API's refusal.</summary>
    public async Task<(AdminCaller? Caller, string? Error)> WhoAsync(string key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = Context(scope.ServiceProvider, "GET", "/key/info", key, cancellationToken);
        try
        {
            return (await AdminAccess.CallerAsync(context).ConfigureAwait(false), null);
        }
        catch (GatewayRequestException e)
        {
            return (null, e.Error.Message);
        }
        catch (System.Data.Common.DbException)
        {
            return (null, "The key database is unreachable; try again shortly.");
        }
    }

    public Task<UiApiResult> GetAsync(string key, string path, CancellationToken cancellationToken) => CallAsync("GET", path, key, null, cancellationToken);

    public Task<UiApiResult> PostAsync(string key, string path, JsonObject body, CancellationToken cancellationToken) => CallAsync("POST", path, key, body, cancellationToken);

    private async Task<UiApiResult> CallAsync(string method, string pathAndQuery, string key, JsonObject? body, CancellationToken cancellationToken)
    {
        using var response = new MemoryStream();
        var (status, _) = await RunAsync(method, pathAndQuery, key, body, response, cancellationToken).ConfigureAwait(false);
        return new UiApiResult(status, Parse(response.ToArray()));
    }

    /// <summary>
    /// Posts <paramref name="body"/> to a streaming endpoint (<c>/chat/completions</c> with <c>stream: true</c>) as the
    /// signed-in key: each server-sent event's <c>data</c> goes to <paramref name="onEvent"/> as it is written, so the
    /// caller can pass tokens on while the model still answers. A refusal before the stream starts comes back as the
    /// result's error; the result's second value is the answer's <c>x-litellm-call-id</c> (its spend log's request id).
    /// </summary>
    public async Task<(UiApiResult Result, string? CallId)> StreamAsync(string key, string path, JsonObject body, Func<string, Task> onEvent, CancellationToken cancellationToken)
    {
        using var sink = new ServerSentEventSink(onEvent);
        var (status, headers) = await RunAsync("POST", path, key, body, sink, cancellationToken).ConfigureAwait(false);
        await sink.FinishAsync().ConfigureAwait(false);
        return (new UiApiResult(status, sink.Streamed ? null : Parse(sink.Unstreamed)), headers[GatewayHeaders.CallId].ToString());
    }

    private async Task<(int Status, IHeaderDictionary Headers)> RunAsync(string method, string pathAndQuery, string key, JsonObject? body, Stream response, CancellationToken cancellationToken)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        var handler = _handlers.GetOrAdd(method + " " + path, _ => Find(method, path));
        await using var scope = scopes.CreateAsyncScope();
        var context = Context(scope.ServiceProvider, method, path, key, cancellationToken);

        // As the gateway's own middleware does: the call's id (the spend log's request id) and a response that
        // reports itself started once its body is written, so a failure mid-stream ends the stream as over HTTP.
        context.Features.Set<IHttpResponseFeature>(new InProcessResponse(() => response.CanSeek ? response.Length > 0 : response is ServerSentEventSink { Started: true }));
        context.Response.Headers[GatewayHeaders.CallId] = GatewayRequestState.Create(context).Id;
        if (q >= 0)
        {
            context.Request.QueryString = new QueryString(pathAndQuery[q..]);
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = bytes.Length;
            context.Request.Body = new MemoryStream(bytes);
        }

        context.Response.Body = response;
        await handler(context).ConfigureAwait(false);
        return (context.Response.StatusCode, context.Response.Headers);
    }

    /// <summary>The response of an in-process call: started once its body has bytes (the default feature never starts).</summary>
    private sealed class InProcessResponse(Func<bool> started) : HttpResponseFeature
    {
        public override bool HasStarted => started();
    }

    private static JsonNode? Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static DefaultHttpContext Context(IServiceProvider services, string method, string path, string key, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Headers.Authorization = "Bearer " + key;
        return context;
    }

    private RequestDelegate Find(string method, string path)
    {
        foreach (var endpoint in _sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.RequestDelegate is { } handler
                && string.Equals(endpoint.RoutePattern.RawText, path, StringComparison.Ordinal)
                && endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.Ordinal) == true)
            {
                return handler;
            }
        }

        throw new InvalidOperationException($"The management endpoint {method} {path} is not mapped.");
    }
}
