using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using LiteLlm.Gateway.Tests.Auth;

namespace LiteLlm.Gateway.Tests.Reliability;

/// <summary>Three gateway processes over one PostgreSQL database and one real Redis hold one key's rpm limit together (issue #9).</summary>
[Collection("Gateway load")]
public sealed class MultiProcessRateLimitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Master = "sk-master-replicas-0123456789";
    private const int RpmLimit = 60;
    private const int Requests = 120;
    private const int Replicas = 3;

    private readonly string _directory = Directory.CreateTempSubdirectory("litellm-rel-rpm-").FullName;
    private readonly List<GatewayProcess> _processes = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    [Fact]
    public async Task ThreeProcesses_ShareOneKeysRpmLimit_ThroughRedisAndPostgres()
    {
        var redis = SharedRateLimitTests.RedisOrSkip();
        await using var database = await SpendDatabase.CreateOrSkipAsync("postgres", _directory);
        var (host, port) = (redis.Split(':')[0], redis.Split(':')[1]);
        var config = Path.Combine(_directory, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat, mock_response: "ok"}
            router_settings:
              num_retries: 0
              redis_host: {{host}}
              redis_port: {{port}}
            general_settings:
              master_key: {{Master}}
              {{database.GeneralSettingsLine}}
            """, TestContext.Current.CancellationToken);

        // Start one first (it creates the schema), then the other two side by side.
        _processes.Add(await GatewayProcess.StartAsync(config));
        var starting = Enumerable.Range(1, Replicas - 1).Select(_ => GatewayProcess.StartAsync(config)).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            // Whatever started is killed on teardown, even when one of its siblings failed to start.
            _processes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }

        var key = await _processes[0].GenerateKeyAsync(Master, $$"""{"rpm_limit":{{RpmLimit}}}""");

        // Windows are whole minutes: start well inside one so the run does not straddle a boundary.
        if (DateTime.UtcNow.Second >= 30)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second), TestContext.Current.CancellationToken);
        }

        var started = DateTime.UtcNow;
        var results = new ConcurrentQueue<(int Replica, HttpStatusCode Status, TimeSpan? RetryAfter, string? Body)>();
        using var gate = new SemaphoreSlim(12); // modest concurrency: the machine is shared
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                var replica = i % Replicas; // round-robin
                using var request = GatewayProcess.Chat(key);
                using var response = await _processes[replica].Http.SendAsync(request, TestContext.Current.CancellationToken);
                var retryAfter = response.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date - DateTimeOffset.UtcNow) : null;
                var body = response.StatusCode == HttpStatusCode.OK ? null : await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                results.Enqueue((replica, response.StatusCode, retryAfter, body));
            }
            finally
            {
                gate.Release();
            }
        }));
        var finished = DateTime.UtcNow;

        var all = results.ToList();
        var ok = all.Count(r => r.Status == HttpStatusCode.OK);
        var limited = all.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Requests} requests over {Replicas} processes (rpm_limit {RpmLimit}) between {started:HH:mm:ss.fff} and {finished:HH:mm:ss.fff}: " +
            $"{string.Join(" ", all.GroupBy(r => (int)r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}; " +
            $"200s per process: {string.Join("/", Enumerable.Range(0, Replicas).Select(p => all.Count(r => r.Replica == p && r.Status == HttpStatusCode.OK)))}; " +
            $"Retry-After on 429s: {(limited.Count == 0 ? "-" : $"{limited.Min(r => r.RetryAfter ?? TimeSpan.Zero).TotalSeconds:0}..{limited.Max(r => r.RetryAfter ?? TimeSpan.Zero).TotalSeconds:0} s")}"));

        var crossedMinute = started.Minute != finished.Minute;
        Assert.False(crossedMinute, "The run straddled a minute boundary: the rpm window reset in the middle, so the count is not comparable. Rerun.");
        Assert.True(ok is >= RpmLimit * 95 / 100 and <= RpmLimit * 105 / 100,
            $"{ok} requests were admitted; the shared limit is {RpmLimit} (±5%). {string.Join(" | ", all.Where(r => r.Body is not null && r.Status != HttpStatusCode.TooManyRequests).Select(r => r.Body).Take(3))}");
        Assert.All(all, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{(int)r.Status}: {r.Body}"));
        Assert.Equal(Requests - ok, limited.Count);
        Assert.All(limited, r => Assert.True(r.RetryAfter is { } ra && ra > TimeSpan.Zero && ra <= TimeSpan.FromSeconds(60), $"429 without a sane Retry-After ({r.RetryAfter}): {r.Body}"));
        Assert.All(Enumerable.Range(0, Replicas), p => Assert.True(all.Any(r => r.Replica == p && r.Status == HttpStatusCode.OK), $"Process {p} admitted nothing."));
    }
}
