namespace LiteLlm.Cost;

/// <summary>Who a budget counts spend for.</summary>
public enum BudgetScope
{
    /// <summary>Every request (LiteLLM's proxy-wide <c>max_budget</c>).</summary>
    Global,

    /// <summary>Requests whose metadata carries <c>user_id</c>.</summary>
    User,

    /// <summary>Requests whose metadata carries <c>team_id</c>.</summary>
    Team,

    /// <summary>Requests whose metadata carries <c>key_id</c> (a virtual key).</summary>
    ApiKey,

    /// <summary>Requests for a model (<see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>, as the caller names it).</summary>
    Model,
}

/// <summary>A spend limit in USD over a time window.</summary>
/// <remarks>
/// <para>With <see cref="ScopeId"/> set the budget counts only that user, team, key or model; left
/// <see langword="null"/> it is a budget for each of them, counted separately (every user gets $10 a day).</para>
/// <para><see cref="Duration"/> is <c>&lt;n&gt;s|m|h|d|w|mo</c> (<c>"1h"</c>, <c>"1d"</c>, <c>"30d"</c>, <c>"1mo"</c>) or
/// <see langword="null"/> for a budget that never resets. Windows are fixed and aligned, in UTC: <c>s</c>/<c>m</c>/<c>h</c>/<c>d</c>
/// count blocks from 1970-01-01 (so <c>"1d"</c> resets at midnight and <c>"1h"</c> on the hour), <c>w</c> from a Monday,
/// and <c>mo</c> are calendar months (<c>"1mo"</c> resets on the 1st).</para>
/// </remarks>
public sealed record Budget
{
    private readonly string? _duration;

    /// <summary>Initializes a budget.</summary>
    /// <param name="name">A unique name; it names the budget in errors, status and storage keys.</param>
    /// <param name="scope">Who the budget counts.</param>
    /// <param name="maxBudget">The limit in USD.</param>
    /// <param name="duration">The reset period, or <see langword="null"/> for none.</param>
    /// <param name="scopeId">The one user, team, key or model counted, or <see langword="null"/> for each separately.</param>
    /// <exception cref="ArgumentException"><paramref name="duration"/> is not a duration.</exception>
    public Budget(string name, BudgetScope scope, decimal maxBudget, string? duration = null, string? scopeId = null)
    {
        Name = name;
        Scope = scope;
        MaxBudget = maxBudget;
        Duration = duration;
        ScopeId = scopeId;
    }

    /// <summary>Gets the budget's unique name.</summary>
    public string Name { get; init; }

    /// <summary>Gets who the budget counts.</summary>
    public BudgetScope Scope { get; init; }

    /// <summary>Gets the limit in USD (LiteLLM's <c>max_budget</c>).</summary>
    public decimal MaxBudget { get; init; }

    /// <summary>Gets the reset period (LiteLLM's <c>budget_duration</c>), or <see langword="null"/> for a budget that never resets.</summary>
    public string? Duration
    {
        get => _duration;
        init
        {
            // Parsed once here, so that a bad duration fails at configuration time and "with" copies stay consistent.
            Window = BudgetWindow.Parse(value);
            _duration = value;
        }
    }

    /// <summary>Gets the one user, team, key or model counted, or <see langword="null"/> for each separately.</summary>
    public string? ScopeId { get; init; }

    internal BudgetWindow Window { get; private init; }
}

/// <summary>A budget's state for one scope id in the current window.</summary>
/// <param name="Budget">The budget.</param>
/// <param name="ScopeId">The user, team, key or model counted (<see langword="null"/> for global).</param>
/// <param name="Spend">USD spent in the window.</param>
/// <param name="Reserved">USD reserved by requests in flight.</param>
/// <param name="WindowStart">When the window began, or <see langword="null"/> for a budget without a duration.</param>
/// <param name="ResetsAt">When the window ends, or <see langword="null"/> for a budget without a duration.</param>
public sealed record BudgetStatus(Budget Budget, string? ScopeId, decimal Spend, decimal Reserved, DateTimeOffset? WindowStart, DateTimeOffset? ResetsAt)
{
    /// <summary>Gets the USD left before the limit (never negative).</summary>
    public decimal Remaining => Math.Max(0, Budget.MaxBudget - Spend);
}

/// <summary>The ids a request is counted under, read from <c>ChatOptions.AdditionalProperties["metadata"]</c> and the model.</summary>
/// <param name="UserId">The <c>user_id</c> metadata value.</param>
/// <param name="TeamId">The <c>team_id</c> metadata value.</param>
/// <param name="KeyId">The <c>key_id</c> metadata value.</param>
/// <param name="Model">The model asked for.</param>
public sealed record BudgetSubject(string? UserId = null, string? TeamId = null, string? KeyId = null, string? Model = null);
