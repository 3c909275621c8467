using System.Diagnostics;
using System.Net;
using LiteLlm.Gateway.Tests.Fidelity;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// Two gateways on real Kestrel sharing one real PostgreSQL: a model added, changed or deleted through one is served
/// (or no longer served) by the other without a restart — by polling the database, and at once with a Redis notification.
/// </summary>
[Collection("Gateway load")]
public sealed class DbModelReplicaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ModelAddedOnA_IsServedByB_ByPolling_AndItsDeletionToo()
    {
        await using var database = await TestDatabase.CreateAsync("postgres");
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "application/json", DbModelTests.Completion);
        var yaml = DbModelTests.Yaml(database.Setting, general: "  model_sync_interval: 0.5\n");
        await using var a = await GatewayHost.StartAsync(yaml: yaml);
        await using var b = await GatewayHost.StartAsync(yaml: yaml);
        using (var before = await Chat(b.Http, DbModelTests.Master, "shared-chat"))
        {
            Assert.NotEqual(HttpStatusCode.OK, before.StatusCode);
        }

        await AddAsync(a, upstream);
        var served = await WaitForAsync(b, "shared-chat", s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(15));
        Assert.True(served, "B did not serve the model A added within 15 s.");
        Assert.Equal("Bearer " + DbModelTests.UpstreamKey, upstream.Last.Headers["authorization"]);

        using (var deleted = await Send(a.Http, HttpMethod.Post, "/model/delete", DbModelTests.Master, """{"id":"shared-1"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.True(await WaitForAsync(b, "shared-chat", Gone, TimeSpan.FromSeconds(15)), "B still served the model A deleted after 15 s.");
    }

    [Fact]
    public async Task WithRedis_BLearnsOfTheChangeAtOnce_NotAtItsNextPoll()
    {
        var redis = SharedRateLimitTests.RedisOrSkip();
        await using var database = await TestDatabase.CreateAsync("postgres");
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "application/json", DbModelTests.Completion);

        // A poll every 10 minutes: only the Redis notification can bring the change to B within the test.
        var yaml = DbModelTests.Yaml(
            database.Setting,
            general: "  model_sync_interval: 600\n",
            router: $"  redis_host: {redis.Split(':')[0]}\n  redis_port: {redis.Split(':')[1]}\n");
        await using var a = await GatewayHost.StartAsync(yaml: yaml);
        await using var b = await GatewayHost.StartAsync(yaml: yaml);

        var clock = Stopwatch.StartNew();
        await AddAsync(a, upstream);
        Assert.True(await WaitForAsync(b, "shared-chat", s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(20)), "B did not serve the model A added: no Redis notification arrived.");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5));

        using (var deleted = await Send(a.Http, HttpMethod.Post, "/model/delete", DbModelTests.Master, """{"id":"shared-1"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.True(await WaitForAsync(b, "shared-chat", Gone, TimeSpan.FromSeconds(20)), "B still served the model A deleted: no Redis notification arrived.");
    }

    private static async Task AddAsync(GatewayHost gateway, RecordingUpstream upstream)
    {
        using var created = await Send(gateway.Http, HttpMethod.Post, "/model/new", DbModelTests.Master, DbModelTests.NewModel("shared-chat", "shared-1", upstream.Address + "/v1"));
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A model the gateway does not serve: refused as unknown (400 or 404), never a 5xx.</summary>
    private static bool Gone(HttpStatusCode status) => status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound;

    /// <summary>Chats through <paramref name="gateway"/> until the answer status satisfies <paramref name="expected"/> or the time is up.</summary>
    private static async Task<bool> WaitForAsync(GatewayHost gateway, string model, Func<HttpStatusCode, bool> expected, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            using var response = await Chat(gateway.Http, DbModelTests.Master, model);
            if (expected(response.StatusCode))
            {
                return true;
            }

            await Task.Delay(100, Ct);
        }

        return false;
    }
}
