using System.Globalization;
using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiteLlm.Cost;

/// <summary>
/// Enforces budgets by reserve-then-settle: before a call, its estimated cost is reserved against every budget that
/// applies, atomically in the <see cref="IBudgetStore"/>, or the call is refused with
/// <see cref="BudgetExceededException"/>; after the call the reservation is replaced by the actual cost. Spend can
/// therefore never pass a limit by more than what calls actually cost beyond their estimates; with estimates that are
/// upper bounds (see <see cref="EstimateCost"/>), not at all.
/// </summary>
public sealed partial class BudgetManager
{
    private readonly Budget[] _budgets;
    private readonly ILogger _logger;

    /// <summary>Initializes a manager for <paramref name="budgets"/>.</summary>
    /// <param name="budgets">The budgets; names must be unique.</param>
    /// <param name="store">Where counters live (default: a new <see cref="InMemoryBudgetStore"/>).</param>
    /// <param name="timeProvider">The clock for windows (default: <see cref="TimeProvider.System"/>).</param>
    /// <param name="catalog">Prices for estimates and actual costs (default: <see cref="ModelCatalog.Default"/>).</param>
    /// <param name="logger">Where a failure to record a finished call's cost is logged (it never fails the call).</param>
    public BudgetManager(IEnumerable<Budget> budgets, IBudgetStore? store = null, TimeProvider? timeProvider = null, ModelCatalog? catalog = null, ILogger<BudgetManager>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(budgets);
        _budgets = [.. budgets];
        foreach (var budget in _budgets)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(budget.Name, nameof(budgets));
            ArgumentOutOfRangeException.ThrowIfNegative(budget.MaxBudget, nameof(budgets));
        }

        if (_budgets.GroupBy(b => b.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Budget names must be unique; '{duplicate.Key}' is used twice.", nameof(budgets));
        }

        Store = store ?? new InMemoryBudgetStore();
        TimeProvider = timeProvider ?? TimeProvider.System;
        Calculator = catalog is null ? CostCalculator.Default : new CostCalculator(catalog);
    }

    /// <summary>Gets the budgets enforced.</summary>
    public IReadOnlyList<Budget> Budgets => _budgets;

    /// <summary>Gets the counter store.</summary>
    public IBudgetStore Store { get; }

    /// <summary>Gets the clock that places requests in windows.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Gets or sets the output tokens an estimate assumes when the request sets no <see cref="ChatOptions.MaxOutputTokens"/>:
    /// the model's maximum output, capped at this value. Reserving a model's full maximum (up to 128k tokens) would lock
    /// up budgets for answers that are almost always far shorter.
    /// </summary>
    /// <value>The default is 4096.</value>
    public int MaxEstimatedOutputTokens { get; init; } = 4096;

    /// <summary>
    /// Gets or sets how a request's <see cref="ChatOptions.ModelId"/> maps to the prices of its estimate; the default looks
    /// the id up in the catalog. Over a router the id is a model group, which the catalog does not know:
    /// <c>AddLiteLlm</c> sets this to the group's dearest deployment, as the gateway estimates.
    /// </summary>
    public Func<string, ModelInfo?>? ModelInfoFor { get; init; }

    internal CostCalculator Calculator { get; }

    /// <summary>Reads the ids a request is counted under from <c>options.AdditionalProperties["metadata"]</c> (<c>user_id</c>, <c>team_id</c>, <c>key_id</c>) and <see cref="ChatOptions.ModelId"/>.</summary>
    public static BudgetSubject SubjectOf(ChatOptions? options)
    {
        var metadata = options?.AdditionalProperties?.TryGetValue(CallSettings.Metadata, out var m) == true ? m : null;
        return new BudgetSubject(Read(metadata, "user_id"), Read(metadata, "team_id"), Read(metadata, "key_id"), options?.ModelId);
    }

    /// <summary>
    /// Estimates a request's cost in USD: its prompt tokens (<see cref="TokenCounter"/>) at the input price plus
    /// <see cref="ChatOptions.MaxOutputTokens"/> (or the model's maximum output, capped at
    /// <see cref="MaxEstimatedOutputTokens"/>) at the output price, long-context tiers included.
    /// A model the catalog cannot price estimates at 0: it is admitted while the budget is not spent, and charged what
    /// its response is known to cost (nothing when that is unknown, as LiteLLM records it).
    /// </summary>
    public decimal EstimateCost(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.ModelId is not { } model || (ModelInfoFor ?? Calculator.Catalog.Lookup)(model) is not { } info || info.InputCostPerToken is null)
        {
            return 0m;
        }

        var prompt = TokenCounter.CountTokens(messages, model, options.Tools);
        var output = options.MaxOutputTokens ?? Math.Min(info.MaxOutputTokens ?? MaxEstimatedOutputTokens, MaxEstimatedOutputTokens);
        var prices = CostCalculator.PricesFor(info, prompt);
        return (prompt * prices.Input ?? 0m) + (Math.Max(0, output) * (prices.Output ?? 0m));
    }

    /// <summary>Reserves <paramref name="estimate"/> USD against every budget that applies to <paramref name="subject"/>, or throws <see cref="BudgetExceededException"/>.</summary>
    public async ValueTask<BudgetReservation> ReserveAsync(BudgetSubject subject, decimal estimate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentOutOfRangeException.ThrowIfNegative(estimate);
        var now = TimeProvider.GetUtcNow();
        var applicable = Applicable(subject).ToArray();
        if (applicable.Length == 0)
        {
            return new BudgetReservation(this, [], estimate);
        }

        var counters = applicable.Select(a => Counter(a.Budget, a.ScopeId, now).Counter).ToArray();
        if (await Store.TryReserveAsync(counters, estimate, now, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            var (budget, scopeId) = applicable[refusal.Index];
            throw new BudgetExceededException(budget, scopeId, refusal.Spend, refusal.Reserved, estimate, counters[refusal.Index].ExpiresAt);
        }

        return new BudgetReservation(this, counters, estimate);
    }

    /// <summary>Gets the state of every budget that applies to <paramref name="subject"/> (for <c>/key/info</c>-style reporting).</summary>
    public async ValueTask<IReadOnlyList<BudgetStatus>> GetStatusAsync(BudgetSubject subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var result = new List<BudgetStatus>();
        foreach (var (budget, scopeId) in Applicable(subject))
        {
            result.Add(await GetStatusAsync(budget, scopeId, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    /// <summary>Gets the state of <paramref name="budget"/> for <paramref name="scopeId"/> (ignored for global budgets) in the current window.</summary>
    public async ValueTask<BudgetStatus> GetStatusAsync(Budget budget, string? scopeId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var now = TimeProvider.GetUtcNow();
        scopeId = budget.Scope == BudgetScope.Global ? null : scopeId ?? budget.ScopeId;
        var (counter, start) = Counter(budget, scopeId, now);
        var (spend, reserved) = await Store.GetAsync(counter, now, cancellationToken).ConfigureAwait(false);
        return new BudgetStatus(budget, scopeId, spend, reserved, start, counter.ExpiresAt);
    }

    internal async ValueTask SettleAsync(BudgetCounter[] counters, decimal reserved, decimal actual)
    {
        if (counters.Length > 0)
        {
            // Not cancellable: the call has happened; its cost must be recorded whatever the caller does next. A store
            // that fails now (Redis went away) must not turn a call that succeeded into an error: the caller keeps its
            // response, and the log says the budget undercounts it.
            try
            {
                await Store.SettleAsync(counters, reserved, actual, TimeProvider.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSettleFailed(_logger, actual, counters.Length, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Recording a finished call's cost of {Cost} USD against {Count} budget counters failed ({Error}); those budgets undercount it.")]
    private static partial void LogSettleFailed(ILogger logger, decimal cost, int count, string error);

    private IEnumerable<(Budget Budget, string? ScopeId)> Applicable(BudgetSubject subject)
    {
        foreach (var budget in _budgets)
        {
            var id = budget.Scope switch
            {
                BudgetScope.Global => string.Empty,
                BudgetScope.User => subject.UserId,
                BudgetScope.Team => subject.TeamId,
                BudgetScope.ApiKey => subject.KeyId,
                _ => subject.Model,
            };
            var comparison = budget.Scope == BudgetScope.Model ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (id is not null && (budget.Scope == BudgetScope.Global || budget.ScopeId is null || string.Equals(budget.ScopeId, id, comparison)))
            {
                yield return (budget, budget.Scope == BudgetScope.Global ? null : id);
            }
        }
    }

    private static (BudgetCounter Counter, DateTimeOffset? Start) Counter(Budget budget, string? scopeId, DateTimeOffset now)
    {
        var id = budget.Scope == BudgetScope.Model ? scopeId?.ToUpperInvariant() : scopeId;
        if (budget.Window.IsNone)
        {
            return (new BudgetCounter($"{budget.Name}:{budget.Scope}:{id}:all", budget.MaxBudget, null), null);
        }

        var (start, end) = budget.Window.At(now);
        var key = string.Create(CultureInfo.InvariantCulture, $"{budget.Name}:{budget.Scope}:{id}:{start.ToUnixTimeSeconds()}");
        return (new BudgetCounter(key, budget.MaxBudget, end), start);
    }

    private static string? Read(object? metadata, string name) => metadata switch
    {
        IEnumerable<KeyValuePair<string, object?>> d => d.FirstOrDefault(p => p.Key == name).Value switch
        {
            null => null,
            JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.ToString(),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        },
        IEnumerable<KeyValuePair<string, string>> d => d.FirstOrDefault(p => p.Key == name).Value,
        JsonElement { ValueKind: JsonValueKind.Object } e when e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            => v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString(),
        _ => null,
    };
}
