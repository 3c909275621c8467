using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using LiteLlm.Cost;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Limits;

/// <summary>
/// LiteLLM's soft budget alerts: when a key's, team's or customer's spend in its budget window reaches its
/// <c>soft_budget</c>, one alert per window goes to the webhook (<c>general_settings.alerting: ["webhook"]</c> with
/// <c>WEBHOOK_URL</c>, or <c>["slack"]</c> with <c>SLACK_WEBHOOK_URL</c>; <c>alert_to_webhook_url.budget_alerts</c>
/// overrides either). The body is Slack's <c>{"text": ...}</c> with LiteLLM's webhook event fields beside it.
/// </summary>
/// <remarks>
/// Entirely off the request path: the spend writer hands over the scopes a written batch touched (never waiting), and
/// this loop reads their totals from the database after the batch landed. "Once per window" is a row claimed in
/// <c>litellm_budget_alerts</c>, so replicas and restarts do not repeat an alert.
/// </remarks>
internal sealed partial class SoftBudgetAlerts(Uri? webhook, IServiceProvider services, TimeProvider time, ILogger<SoftBudgetAlerts> logger) : IHostedService, IDisposable
{
    private readonly Channel<(SpendScope Scope, string Id)> _queue = Channel.CreateBounded<(SpendScope, string)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Gets whether alerts are configured (a webhook URL is known).</summary>
    public bool Enabled => webhook is not null;

    /// <summary>Reads the webhook from the config (<c>alerting</c>, <c>alert_to_webhook_url</c>) and the environment, as LiteLLM does.</summary>
    public static Uri? WebhookFrom(IReadOnlyDictionary<string, object?> general)
    {
        ArgumentNullException.ThrowIfNull(general);
        var alerting = general.TryGetValue("alerting", out var list) && list is IEnumerable<object?> items ? items.OfType<string>().ToList() : [];
        string? url = null;
        if (general.TryGetValue("alert_to_webhook_url", out var map) && map is IReadOnlyDictionary<string, object?> byType && byType.TryGetValue("budget_alerts", out var configured))
        {
            url = configured as string;
        }

        url ??= alerting.Contains("webhook") ? Environment.GetEnvironmentVariable("WEBHOOK_URL") : null;
        url ??= alerting.Contains("slack") ? Environment.GetEnvironmentVariable("SLACK_WEBHOOK_URL") : null;
        return alerting.Count > 0 && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>Notes the scopes a written batch spent on; never blocks (a full queue drops, the next batch notes them again).</summary>
    public void Observe(IReadOnlyList<SpendRecord> batch)
    {
        if (webhook is null)
        {
            return;
        }

        foreach (var record in batch)
        {
            if (record.Cost is not > 0)
            {
                continue;
            }

            if (record.KeyId is { } key)
            {
                _queue.Writer.TryWrite((SpendScope.Key, key));
            }

            if (record.TeamId is { } team)
            {
                _queue.Writer.TryWrite((SpendScope.Team, team));
            }

            if (record.EndUser is { } customer)
            {
                _queue.Writer.TryWrite((SpendScope.Customer, customer));
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (webhook is not null)
        {
            _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (scope, id) in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckAsync(scope, id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(logger, scope, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Compares the scope's spend in its current window with its soft budget, and alerts once when it is reached.</summary>
    private async Task CheckAsync(SpendScope scope, string id, CancellationToken cancellationToken)
    {
        var (soft, duration, name, lifetime) = await SoftBudgetOfAsync(scope, id, cancellationToken).ConfigureAwait(false);
        if (soft is not { } softBudget)
        {
            return;
        }

        var window = BudgetWindow.Parse(duration);
        var start = window.IsNone ? DateTimeOffset.UnixEpoch : window.At(time.GetUtcNow()).Start;
        var spend = window.IsNone ? lifetime : await services.GetRequiredService<ISpendStore>().GetSpendAsync(scope, id, start, cancellationToken).ConfigureAwait(false);
        if (spend < softBudget || !await services.GetRequiredService<SqlGatewayStore>().TryClaimAlertAsync(scope.ToString(), id, start, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var group = scope switch { SpendScope.Key => "key", SpendScope.Team => "team", _ => "customer" };
        var body = new JsonObject
        {
            ["text"] = $"Soft budget crossed: {group} {name} has spent ${spend:0.######} of its soft budget ${softBudget:0.######}" + (window.IsNone ? "." : $" in the {duration} window that began {start:yyyy-MM-dd HH:mm} UTC."),
            ["event"] = "soft_budget_crossed",
            ["event_group"] = group,
            ["event_message"] = "Soft Budget Crossed",
            ["spend"] = spend,
            ["soft_budget"] = softBudget,
            ["token"] = scope == SpendScope.Key ? id : null,
            ["team_id"] = scope == SpendScope.Team ? id : null,
            ["customer_id"] = scope == SpendScope.Customer ? id : null,
        };
        try
        {
            using var response = await _http.PostAsJsonAsync(webhook, body, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogSendFailed(logger, group, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(logger, group, e.GetType().Name);
        }
    }

    /// <summary>Gets a scope's soft budget and window (a customer's own, else its shared budget's), a display name and its lifetime spend.</summary>
    private async Task<(decimal? Soft, string? Duration, string Name, decimal Lifetime)> SoftBudgetOfAsync(SpendScope scope, string id, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<SqlGatewayStore>();
        switch (scope)
        {
            case SpendScope.Key when await store.GetKeyAsync(id, cancellationToken).ConfigureAwait(false) is { } key:
                return (key.SoftBudget, key.BudgetDuration, key.KeyAlias ?? key.KeyName ?? id, key.Spend);
            case SpendScope.Team when await store.GetTeamAsync(id, cancellationToken).ConfigureAwait(false) is { } team:
                return (team.SoftBudget, team.BudgetDuration, team.TeamAlias ?? id, team.Spend);
            case SpendScope.Customer when await ((ICustomerStore)store).GetCustomerAsync(id, cancellationToken).ConfigureAwait(false) is { } customer:
                if (customer.SoftBudget is null && customer.BudgetId is { } budgetId && await ((ISharedBudgetStore)store).GetBudgetAsync(budgetId, cancellationToken).ConfigureAwait(false) is { } shared)
                {
                    return (shared.SoftBudget, shared.BudgetDuration, id, customer.Spend);
                }

                return (customer.SoftBudget, customer.BudgetDuration, id, customer.Spend);
            default:
                return (null, null, id, 0);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Checking a {Scope}'s soft budget failed ({Error}); it is checked again with its next spend.")]
    private static partial void LogCheckFailed(ILogger logger, SpendScope scope, string error);

    [LoggerMessage(2, LogLevel.Warning, "Sending a {Group} soft budget alert to the webhook failed ({Error}).")]
    private static partial void LogSendFailed(ILogger logger, string group, string error);
}
