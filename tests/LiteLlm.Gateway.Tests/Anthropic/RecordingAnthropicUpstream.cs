using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LiteLlm.Gateway.Tests.Anthropic;

/// <summary>One request the upstream received: path, headers and body as they arrived.</summary>
public sealed record UpstreamRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A loopback Anthropic API (real Kestrel on 127.0.0.1): records every request and answers <c>/v1/messages</c> from a queue of
/// scripted answers (SSE transcripts, JSON, errors) and <c>/v1/messages/count_tokens</c> from a queue of counts. It also serves
/// <c>/v1/chat/completions</c> from the same queue, to stand for an OpenAI-family deployment in cross-protocol tests.
/// </summary>
public sealed class RecordingAnthropicUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string ContentType, string Body, (string, string)[] Headers)> _answers = new();
    private readonly ConcurrentQueue<long> _counts = new();

    private RecordingAnthropicUpstream(WebApplication app) => _app = app;

    public ConcurrentQueue<UpstreamRequest> Requests { get; } = new();

    public string Address { get; private set; } = string.Empty;

    public static async Task<RecordingAnthropicUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new RecordingAnthropicUpstream(app);
        app.MapPost("/v1/messages", upstream.MessagesAsync);
        app.MapPost("/v1/messages/count_tokens", upstream.CountAsync);
        app.MapPost("/v1/chat/completions", upstream.MessagesAsync);
        app.MapPost("/v1beta/models/{method}", upstream.MessagesAsync); // Gemini: {model}:{method}
        await app.StartAsync();
        upstream.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return upstream;
    }

    public void Sse(string transcript) => _answers.Enqueue((200, "text/event-stream", transcript, []));

    public void Json(string body, int status = 200, params (string, string)[] headers) => _answers.Enqueue((status, "application/json", body, headers));

    public void Count(long tokens) => _counts.Enqueue(tokens);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<UpstreamRequest> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new UpstreamRequest(context.Request.Path, headers, body);
        Requests.Enqueue(request);
        return request;
    }

    private async Task MessagesAsync(HttpContext context)
    {
        await RecordAsync(context);
        if (!_answers.TryDequeue(out var answer))
        {
            answer = (500, "application/json", """{"type":"error","error":{"type":"api_error","message":"no scripted answer"}}""", []);
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private async Task CountAsync(HttpContext context)
    {
        await RecordAsync(context);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"input_tokens":{{(_counts.TryDequeue(out var n) ? n : 1)}}}""", context.RequestAborted);
    }
}
