using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>A team's rpm limit and parallel limit hold across all its keys and two gateways sharing one real Redis.</summary>
[Collection("Gateway load")]
public sealed class SharedTeamLimitTests
{
    private const string Master = "sk-master-team-limits-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string database, string modelEntry)
    {
        var redis = SharedRateLimitTests.RedisOrSkip();
        return $"""
            model_list:
              - model_name: chat
                {modelEntry}
            router_settings:
              num_retries: 0
              redis_host: {redis.Split(':')[0]}
              redis_port: {redis.Split(':')[1]}
            general_settings:
              master_key: {Master}
              database_url: postgresql://litellm:litellm@127.0.0.1:5432/{database}
            """;
    }

    [Fact]
    public async Task TeamRpmLimit_AdmitsExactlyNAcrossKeysAndReplicas_AndRefusesTheRestWithRetryAfter()
    {
        var database = await PostgresDatabase.CreateOrSkipAsync();
        try
        {
            var yaml = Yaml(database.Name, """litellm_params: {model: mock/chat, mock_response: "ok"}""");
            await using var a = await GatewayHost.StartAsync(yaml: yaml);
            await using var b = await GatewayHost.StartAsync(yaml: yaml);
            var team = "t-rpm-" + Guid.NewGuid().ToString("N");
            using (var created = await Send(a.Http, HttpMethod.Post, "/team/new", Master, $$"""{"team_id":"{{team}}","rpm_limit":10}"""))
            {
                var json = await Json(created);
                Assert.True(created.IsSuccessStatusCode, json.ToString());
                Assert.Equal(10, json.GetProperty("rpm_limit").GetInt64());
            }

            // Two keys of the team, neither with a limit of its own: only the team's limit can refuse them.
            string[] keys = [await GenerateKeyAsync(a.Http, Master, $$"""{"team_id":"{{team}}"}"""), await GenerateKeyAsync(b.Http, Master, $$"""{"team_id":"{{team}}"}""")];
            if (DateTime.UtcNow.Second >= 40)
            {
                await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second), Ct); // one whole window for the run
            }

            var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Chat(i % 2 == 0 ? a.Http : b.Http, keys[(i / 2) % 2], "chat")));
            var summary = string.Join(",", responses.GroupBy(r => r.StatusCode).Select(g => $"{g.Key}={g.Count()}"));
            Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) == 10, summary);
            var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
            Assert.Equal(14, refused.Count);
            foreach (var response in refused)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After missing");
                var error = (await Json(response)).GetProperty("error");
                Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
                Assert.Contains($"the team '{team}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task TeamMaxParallelRequests_IsSharedByTwoGateways_AndFreedWhenCallsEnd()
    {
        var database = await PostgresDatabase.CreateOrSkipAsync();
        await using var upstream = await HoldingUpstream.StartAsync(hold: 2);
        try
        {
            var yaml = Yaml(database.Name, $"litellm_params: {{model: openai/gpt-4o-mini, api_base: {upstream.Address}, api_key: sk-up}}");
            await using var a = await GatewayHost.StartAsync(yaml: yaml);
            await using var b = await GatewayHost.StartAsync(yaml: yaml);
            var team = "t-par-" + Guid.NewGuid().ToString("N");
            (await Send(a.Http, HttpMethod.Post, "/team/new", Master, $$"""{"team_id":"{{team}}","max_parallel_requests":2}""")).EnsureSuccessStatusCode();
            var keyA = await GenerateKeyAsync(a.Http, Master, $$"""{"team_id":"{{team}}"}""");
            var keyB = await GenerateKeyAsync(b.Http, Master, $$"""{"team_id":"{{team}}"}""");

            // Two calls through gateway A are held by the upstream: the team's two slots are taken.
            var held = new[] { Chat(a.Http, keyA, "chat"), Chat(a.Http, keyA, "chat") };
            await upstream.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            // A third through gateway B, with the team's other key, is refused (the upstream would answer it at once).
            using (var third = await Chat(b.Http, keyB, "chat"))
            {
                var body = await third.Content.ReadAsStringAsync(Ct);
                Assert.True(third.StatusCode == HttpStatusCode.TooManyRequests, $"{third.StatusCode} {body}");
                Assert.Contains("max_parallel_requests", body, StringComparison.Ordinal);
                Assert.True(third.Headers.RetryAfter is not null);
            }

            upstream.Release.SetResult();
            foreach (var response in await Task.WhenAll(held))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // The slots are given back (just after each answer is written): B admits again.
            var again = HttpStatusCode.TooManyRequests;
            for (var attempt = 0; attempt < 50 && again == HttpStatusCode.TooManyRequests; attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), Ct);
                using var response = await Chat(b.Http, keyB, "chat");
                again = response.StatusCode;
            }

            Assert.Equal(HttpStatusCode.OK, again);
            Assert.Equal(3, upstream.Count);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>An OpenAI-shaped upstream that holds its first <c>hold</c> calls until released and answers the rest at once.</summary>
    private sealed class HoldingUpstream(WebApplication app, string address) : IAsyncDisposable
    {
        private const string Answer = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""";
        private int _count;

        public string Address => address;

        public int Count => Volatile.Read(ref _count);

        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<HoldingUpstream> StartAsync(int hold)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            HoldingUpstream? self = null;
            app.Run(async context =>
            {
                var n = Interlocked.Increment(ref self!._count);
                if (n <= hold)
                {
                    if (n == hold)
                    {
                        self.Arrived.TrySetResult();
                    }

                    await self.Release.Task.WaitAsync(context.RequestAborted);
                }

                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Answer, context.RequestAborted);
            });
            await app.StartAsync(TestContext.Current.CancellationToken);
            self = new HoldingUpstream(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return self;
        }

        public async ValueTask DisposeAsync()
        {
            Release.TrySetResult();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }
}
