using System.Globalization;
using LiteLlm.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LiteLlm.Gateway.Storage;

/// <summary>How long stored responses are kept (<c>general_settings.response_retention_period</c>).</summary>
internal sealed class ResponseStoreOptions
{
    /// <summary>Gets or sets how long a stored response is kept. The default is 30 days, OpenAI's own retention.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets how often expired responses are removed.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Reads <c>response_retention_period</c> ("30d", "12h", "90m" or a number of days) from the config's general_settings.</summary>
    public static ResponseStoreOptions FromConfig(LiteLlmConfig config)
    {
        var options = new ResponseStoreOptions();
        if (config?.General.Other.TryGetValue("response_retention_period", out var value) != true || value is null)
        {
            return options;
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture)!.Trim();
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 'd');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            throw new InvalidOperationException($"general_settings.response_retention_period: '{text}' is not a duration such as 30d, 12h or 90m.");
        }

        options.Retention = unit switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            's' => TimeSpan.FromSeconds(n),
            _ => throw new InvalidOperationException($"general_settings.response_retention_period: unit '{unit}' is not one of d, h, m, s."),
        };
        return options;
    }
}

/// <summary>Creates the response table at start, then removes responses older than the retention period, periodically.</summary>
internal sealed partial class ResponseStoreMaintenance(
    IResponseStore store,
    ResponseStoreOptions options,
    TimeProvider time,
    ILogger<ResponseStoreMaintenance> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _loop = LoopAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Removes what is past retention now; returns how many responses went.</summary>
    public Task<int> PurgeAsync(CancellationToken cancellationToken) => store.PurgeAsync(time.GetUtcNow() - options.Retention, cancellationToken);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var removed = await PurgeAsync(cancellationToken).ConfigureAwait(false);
                if (removed > 0)
                {
                    LogPurged(logger, removed);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                LogPurgeFailed(logger, e); // the database may be briefly away; the next round tries again
            }

            try
            {
                await Task.Delay(options.PurgeInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Removed {Count} stored responses past the retention period.")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "Removing expired stored responses failed; retrying later.")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}

/// <summary>Registers the response store: the gateway's database when there is one, else memory.</summary>
internal static class ResponseStoreServiceCollectionExtensions
{
    public static IServiceCollection AddResponseStore(this IServiceCollection services, LiteLlmConfig config)
    {
        services.TryAddSingleton(ResponseStoreOptions.FromConfig(config));
        services.TryAddSingleton<IResponseStore>(sp => sp.GetService<SqlGatewayStore>() is { } database
            ? new SqlResponseStore(database)
            : new MemoryResponseStore());
        services.TryAddSingleton<ResponseStoreMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<ResponseStoreMaintenance>());
        return services;
    }
}
