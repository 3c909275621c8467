using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LiteLlm.Gateway.Tests.Reliability;

/// <summary>
/// Spend records survive the gateway process going away under load (issue #9): an orderly SIGTERM loses none, a SIGKILL
/// loses at most the records still waiting in the writer's queue (the flush window), and a restart on the same database
/// starts cleanly, without duplicates, and serves. The gateway is a real OS process; the database is read directly.
/// </summary>
[Collection("Gateway load")]
public sealed class SpendDurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Master = "sk-master-reliability-0123456789";
    private const int Clients = 8;
    private static readonly TimeSpan LoadBeforeSignal = TimeSpan.FromSeconds(3);

    /// <summary>Long enough that a writer slower than the gateway shows a backlog beyond the flush window.</summary>
    private static readonly TimeSpan SustainedLoad = TimeSpan.FromSeconds(6);

    /// <summary>GatewayAuthOptions.SpendFlushInterval's default.</summary>
    private static readonly TimeSpan FlushInterval = new LiteLlm.Gateway.Auth.GatewayAuthOptions().SpendFlushInterval;

    /// <summary>Generous bound on a SIGKILL's loss: SpendFlushInterval (500 ms) plus one batch in flight, with room for a loaded machine.</summary>
    private static readonly TimeSpan LossWindowBound = TimeSpan.FromSeconds(2);

    private readonly string _directory = Directory.CreateTempSubdirectory("litellm-rel-").FullName;
    private readonly List<GatewayProcess> _processes = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync(); // kills anything still running, even after a failed assertion
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

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Sigterm_UnderLoad_EveryCompletedRequestHasExactlyOneSpendRow_AndRestartServes(string kind)
    {
        await using var database = await SpendDatabase.CreateOrSkipAsync(kind, _directory);
        var config = WriteConfig(database);
        var gateway = await StartAsync(config);
        var key = await gateway.GenerateKeyAsync(Master);

        var (results, signalled, exited) = await LoadThenSignalAsync(gateway, key, "TERM", LoadBeforeSignal);
        Assert.True(exited, $"The gateway did not exit within 40 s of SIGTERM.\n{gateway.Output}");
        var rows = await database.ReadSpendAsync();
        var ok = results.Where(r => r.Status == 200).ToList();
        Report(kind, "SIGTERM", results, rows, signalled, LoadBeforeSignal);
        output.WriteLine($"[{kind} SIGTERM] exit code: {gateway.ExitCode}");

        Assert.True(ok.Count > 50, $"Too little load reached the gateway ({ok.Count} OK) for the test to mean anything.");
        // spend_logs.request_id is the gateway's call id (x-litellm-call-id); the body's id is the provider's when it sends one.
        Assert.All(ok, r => Assert.StartsWith("chatcmpl-", r.CallId, StringComparison.Ordinal));
        var byId = rows.GroupBy(r => r.RequestId).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = byId.Where(p => p.Value > 1).Select(p => p.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} request ids have more than one spend row: {string.Join(", ", duplicates.Take(5))}");
        var missing = ok.Where(r => !byId.ContainsKey(r.CallId!)).ToList();
        Assert.True(missing.Count == 0,
            $"SIGTERM lost the spend rows of {missing.Count} of {ok.Count} completed requests (orderly shutdown must drain the spend queue). " +
            $"Exit code {gateway.ExitCode}. Gateway output:\n{Tail(gateway.Output)}");
        Assert.True(gateway.ExitCode == 0, $"An orderly shutdown should exit 0, not {gateway.ExitCode}:\n{Tail(gateway.Output)}");

        await RestartServesAsync(config, database, key, rows.Count);
    }

    [Fact]
    public Task Sigkill_Sqlite_UnderSustainedLoad_LosesAtMostTheFlushWindow_AndRestartRecovers() => SigkillAsync("sqlite");

    /// <summary>
    /// PostgreSQL: the spend writer must keep up with a busy gateway (one round trip per batch), or its queue grows for as
    /// long as the load lasts and a SIGKILL loses seconds of spend instead of the flush window (it did, before the fix).
    /// </summary>
    [Fact]
    public Task Sigkill_Postgres_UnderSustainedLoad_LosesAtMostTheFlushWindow_AndRestartRecovers() => SigkillAsync("postgres");

    private async Task SigkillAsync(string kind)
    {
        await using var database = await SpendDatabase.CreateOrSkipAsync(kind, _directory);
        var config = WriteConfig(database);
        var gateway = await StartAsync(config);
        var key = await gateway.GenerateKeyAsync(Master);

        var (results, killed, exited) = await LoadThenSignalAsync(gateway, key, "KILL", SustainedLoad);
        Assert.True(exited, "The gateway did not exit after SIGKILL.");
        var rows = await database.ReadSpendAsync();
        var ok = results.Where(r => r.Status == 200).ToList();
        var (lost, oldest) = Report(kind, "SIGKILL", results, rows, killed, SustainedLoad);

        Assert.True(ok.Count > 50, $"Too little load reached the gateway ({ok.Count} OK) for the test to mean anything.");
        var duplicates = rows.GroupBy(r => r.RequestId).Count(g => g.Count() > 1);
        Assert.Equal(0, duplicates);

        // Whatever was lost, a new process on the same (crashed) database starts, serves and records without duplicates.
        await RestartServesAsync(config, database, key, rows.Count);

        // The loss is bounded by the flush window: every completed request without a row completed shortly before the kill.
        var lostOutsideWindow = lost.Count(r => Stopwatch.GetElapsedTime(r.CompletedTimestamp, killed) > LossWindowBound);
        Assert.True(lostOutsideWindow == 0,
            $"{lostOutsideWindow} of {lost.Count} completed requests without a spend row completed more than {LossWindowBound.TotalSeconds} s before SIGKILL " +
            $"(oldest: {oldest.TotalMilliseconds:0} ms before). The spend writer is not keeping up: its backlog, not the {FlushInterval.TotalMilliseconds} ms flush window, is what a crash loses.");
    }

    private async Task<GatewayProcess> StartAsync(string config)
    {
        var gateway = await GatewayProcess.StartAsync(config);
        _processes.Add(gateway);
        return gateway;
    }

    private string WriteConfig(SpendDatabase database)
    {
        var path = Path.Combine(_directory, "config.yaml");
        File.WriteAllText(path, $"""
            model_list:
              - model_name: chat
                litellm_params: {"{"}model: mock/chat, mock_response: "ok"{"}"}
            router_settings:
              num_retries: 0
            general_settings:
              master_key: {Master}
              {database.GeneralSettingsLine}
            """);
        return path;
    }

    /// <summary>8 clients for 3 s, then the signal while they keep sending; returns the results, the signal's timestamp and whether the process exited.</summary>
    private static async Task<(IReadOnlyList<LoadResult> Results, long SignalTimestamp, bool Exited)> LoadThenSignalAsync(GatewayProcess gateway, string key, string signal, TimeSpan loadFor)
    {
        var load = new ChatLoad();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(gateway.Http, key, Clients, stop.Token);
        await Task.Delay(loadFor, TestContext.Current.CancellationToken);
        var signalled = Stopwatch.GetTimestamp();
        await gateway.SignalAsync(signal);
        var exited = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(40));
        var exitedAfter = Stopwatch.GetElapsedTime(signalled);
        await stop.CancelAsync();
        await running;
        TestContext.Current.TestOutputHelper?.WriteLine($"SIG{signal}: the process exited {exitedAfter.TotalMilliseconds:0} ms after the signal");
        return (load.Results, signalled, exited);
    }

    /// <summary>Prints the figures (the test output is the measurement) and returns the completed requests without a spend row.</summary>
    private (List<LoadResult> Lost, TimeSpan Oldest) Report(string kind, string signal, IReadOnlyList<LoadResult> results, List<SpendRow> rows, long signalled, TimeSpan loadFor)
    {
        var ids = rows.Select(r => r.RequestId).ToHashSet(StringComparer.Ordinal);
        var ok = results.Where(r => r.Status == 200).ToList();
        var lost = ok.Where(r => !ids.Contains(r.CallId!)).ToList();
        var seen = results.Where(r => r.CallId is not null).Select(r => r.CallId!).ToHashSet(StringComparer.Ordinal);
        var unseen = rows.Count(r => !seen.Contains(r.RequestId));
        var okBefore = ok.Count(r => r.CompletedTimestamp <= signalled);
        var inLast2s = ok.Count(r => r.CompletedTimestamp <= signalled && Stopwatch.GetElapsedTime(r.CompletedTimestamp, signalled) <= LossWindowBound);
        var ages = lost.Select(r => r.CompletedTimestamp <= signalled ? Stopwatch.GetElapsedTime(r.CompletedTimestamp, signalled) : -Stopwatch.GetElapsedTime(signalled, r.CompletedTimestamp)).ToList();
        var oldest = ages.Count == 0 ? TimeSpan.Zero : ages.Max();
        var newest = ages.Count == 0 ? TimeSpan.Zero : ages.Min();
        var statuses = string.Join(" ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{kind} {signal}] requests: {statuses} (0 = transport error); OK before the signal: {okBefore} over {loadFor.TotalSeconds:0} s ({okBefore / loadFor.TotalSeconds:0} req/s); OK within {LossWindowBound.TotalSeconds} s before it: {inLast2s}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{kind} {signal}] spend rows: {rows.Count}; completed (200) without a row: {lost.Count}; rows for requests the client never saw complete: {unseen}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{kind} {signal}] lost requests completed between {oldest.TotalMilliseconds:0} ms and {newest.TotalMilliseconds:0} ms before the signal (window covered: {(oldest - newest).TotalMilliseconds:0} ms)"));
        return (lost, oldest);
    }

    /// <summary>A new process on the same database starts, serves the same key, and records exactly one new row.</summary>
    private async Task RestartServesAsync(string config, SpendDatabase database, string key, int rowsBefore)
    {
        var clock = Stopwatch.StartNew();
        var restarted = await StartAsync(config);
        output.WriteLine($"[{database.Kind}] restart live after {clock.ElapsedMilliseconds} ms");
        using var request = GatewayProcess.Chat(key);
        using var response = await restarted.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"After the restart: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}\n{Tail(restarted.Output)}");
        var id = response.Headers.GetValues("x-litellm-call-id").Single();
        Assert.True(await database.WaitForRowAsync(id, TimeSpan.FromSeconds(15)), $"The restarted gateway did not record spend for {id}.\n{Tail(restarted.Output)}");

        var rows = await database.ReadSpendAsync();
        Assert.Equal(rowsBefore + 1, rows.Count); // nothing replayed, nothing duplicated
        Assert.Equal(rows.Count, rows.Select(r => r.RequestId).Distinct(StringComparer.Ordinal).Count());

        await restarted.SignalAsync("TERM");
        Assert.True(await restarted.WaitForExitAsync(TimeSpan.FromSeconds(40)), "The restarted gateway did not stop on SIGTERM.");
        Assert.DoesNotContain("Unhandled exception", restarted.Output, StringComparison.Ordinal);
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
}
