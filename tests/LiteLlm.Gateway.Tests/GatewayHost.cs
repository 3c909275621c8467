using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Spend;
using LiteLlm.Routing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Console;
using OpenAI;

namespace LiteLlm.Gateway.Tests;

/// <summary>A real Kestrel gateway on 127.0.0.1 with a free port, registered exactly as Program does, over mock deployments.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string Yaml = """
        model_list:
          - model_name: gpt-4o-mini
            litellm_params:
              model: mock/gpt-4o-mini
              mock_response: "Hello there, general Kenobi"
          - model_name: weather
            litellm_params:
              model: mock/weather
              mock_tool_calls:
                - name: get_weather
                  id: call_weather_1
                  arguments: '{"city":"Paris","unit":"c"}'
                - name: get_time
                  id: call_time_2
                  arguments: '{"tz":"CET"}'
          - model_name: text-embedding-3-small
            litellm_params:
              model: mock/text-embedding-3-small
          - model_name: mock
            litellm_params:
              model: mock/mock
          - model_name: priced
            litellm_params:
              model: mock/priced
              mock_response: "four words of answer"
              input_cost_per_token: 0.001
              output_cost_per_token: 0.002
        router_settings:
          num_retries: 0
        """;

    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        OpenAi = new OpenAIClient(new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = new Uri(address, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) });
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public OpenAIClient OpenAi { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GatewayHost> StartAsync(Action<GatewayOptions>? configure = null, Action<IServiceCollection>? services = null, string yaml = Yaml)
    {
        var options = new GatewayOptions { Host = "127.0.0.1", Port = 0, StreamKeepAliveInterval = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        var config = LiteLlmConfigLoader.ParseYaml(yaml);
        Assert.Empty(config.Errors);
        var app = GatewayApp.Create(
            options,
            b =>
            {
                // The console carries only warnings and errors, so a failed test's report stays readable; capturing providers see everything.
                b.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
                services?.Invoke(b.Services);
            },
            config);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(app, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json, Action<HttpRequestMessage>? configure = null, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        configure?.Invoke(request);
        return Http.SendAsync(request, completion, cancellationToken == default ? TestContext.Current.CancellationToken : cancellationToken);
    }

    public async Task<(HttpResponseMessage Response, JsonElement Body)> PostJsonAsync(string path, string json, Action<HttpRequestMessage>? configure = null)
    {
        var response = await PostAsync(path, json, configure);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>Reads SSE <c>data:</c> payloads (and comments) as they are.</summary>
    public static List<string> SseData(string body)
        => body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(e => e.Split('\n'))
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => l["data: ".Length..])
            .ToList();
}

/// <summary>A gate that wants <c>Bearer sk-good</c>, names the caller, and rate-limits the group <c>limited</c>.</summary>
public sealed class KeyGate : IRequestGate
{
    public int Admitted;
    public int Released;
    public List<string?> SeenAuthorization { get; } = [];

    public ValueTask<GateResult<CallerIdentity>> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        string? auth = context.Request.Headers.Authorization;
        lock (SeenAuthorization)
        {
            SeenAuthorization.Add(auth);
        }

        return ValueTask.FromResult(auth == "Bearer sk-good"
            ? GateResult.Ok(new CallerIdentity { KeyId = "key-hash-1", UserId = "user-1", TeamId = "team-1" })
            : GateResult.Refuse<CallerIdentity>(new GatewayError(401, "Invalid API key.", "authentication_error", "invalid_api_key")));
    }

    public ValueTask<GateResult<IGateLease>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
    {
        if (modelGroup == "mock")
        {
            return ValueTask.FromResult(GateResult.Refuse<IGateLease>(new GatewayError(429, "Rate limit for key exceeded.", "rate_limit_error", "rate_limit_exceeded", RetryAfter: TimeSpan.FromSeconds(7))));
        }

        Interlocked.Increment(ref Admitted);
        return ValueTask.FromResult(GateResult.Ok<IGateLease>(new Lease(this)));
    }

    private sealed class Lease(KeyGate gate) : IGateLease
    {
        public ValueTask ReleaseAsync(SpendRecord? record)
        {
            Interlocked.Increment(ref gate.Released);
            return ValueTask.CompletedTask;
        }
    }
}

public sealed class RecordingSpendSink : ISpendSink
{
    public List<SpendRecord> Records { get; } = [];

    /// <summary>Waits (up to 2 s) until <paramref name="count"/> records arrived: they are recorded after the response has gone out.</summary>
    public async Task<IReadOnlyList<SpendRecord>> WaitForAsync(int count)
    {
        for (var i = 0; i < 100; i++)
        {
            lock (Records)
            {
                if (Records.Count >= count)
                {
                    return [.. Records];
                }
            }

            await Task.Delay(20);
        }

        lock (Records)
        {
            return [.. Records];
        }
    }

    public void Record(SpendRecord record)
    {
        lock (Records)
        {
            Records.Add(record);
        }
    }
}

/// <summary>An upstream under test control: waits (observing cancellation), optionally fails mid-stream, records what it saw.</summary>
public sealed class ProbeChatClient : IChatClient
{
    public TimeSpan Delay { get; set; } = Timeout.InfiniteTimeSpan;

    public bool FailAfterFirstUpdate { get; set; }

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChatOptions? LastOptions { get; private set; }

    public List<ChatMessage> LastMessages { get; } = [];

    public static Deployment AsDeployment(string group, ProbeChatClient client) => new() { ModelGroup = group, Model = "mock/" + group, Client = client };

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Seen(messages, options);
        await WaitAsync(cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, "probe answer")) { ModelId = "probe", FinishReason = ChatFinishReason.Stop, Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2, TotalTokenCount = 5 } };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Seen(messages, options);
        await WaitAsync(cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "first") { ModelId = "probe" };
        if (FailAfterFirstUpdate)
        {
            throw new LiteLlm.Errors.ServiceUnavailableException(new LiteLlm.Errors.ProviderErrorDetails("mock", "probe", 503, "upstream went away"));
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, " second") { ModelId = "probe", FinishReason = ChatFinishReason.Stop };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private void Seen(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        LastOptions = options;
        LastMessages.Clear();
        LastMessages.AddRange(messages);
        Called.TrySetResult();
    }

    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (Delay == TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(Delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Cancelled.TrySetResult();
            throw;
        }
    }
}
