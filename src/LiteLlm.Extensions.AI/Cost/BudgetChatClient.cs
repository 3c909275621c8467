using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm.Cost;

/// <summary>
/// Refuses calls that would exceed a budget and charges every call's cost to its budgets (see <see cref="BudgetManager"/>).
/// </summary>
/// <remarks>
/// <para>Before the call: the estimate (<see cref="BudgetManager.EstimateCost"/>) is reserved against every applicable
/// budget, or <see cref="BudgetExceededException"/> is thrown and the inner client is never called.</para>
/// <para>After the call: the reservation is replaced by the actual cost — <see cref="ResponseProperties.Cost"/> when a
/// layer below set it (<see cref="CostTrackingChatClient"/>), otherwise priced here from the usage; when neither is known,
/// the estimate is charged; a cache hit (<see cref="ResponseProperties.CacheHit"/>) is charged nothing. A call that throws is released (charged nothing).</para>
/// <para>Streams settle when they end: completed, with the actual cost; abandoned by the consumer, with the actual cost if
/// usage had arrived, else the estimate (the tokens were produced); failed, released.</para>
/// </remarks>
public sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly BudgetManager _manager;

    /// <summary>Initializes the middleware over <paramref name="innerClient"/>, enforcing <paramref name="manager"/>'s budgets.</summary>
    public BudgetChatClient(IChatClient innerClient, BudgetManager manager)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(manager);
        _manager = manager;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        var estimate = _manager.EstimateCost(list, options);
        var reservation = await _manager.ReserveAsync(BudgetManager.SubjectOf(options), estimate, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await reservation.ReleaseAsync().ConfigureAwait(false);
            throw;
        }

        var cost = IsCacheHit(response.AdditionalProperties) ? 0m
            : response.AdditionalProperties?.TryGetValue(ResponseProperties.Cost, out var c) == true && c is decimal d ? d
            : _manager.Calculator.GetCost(response, options?.ModelId);
        await reservation.SettleAsync(cost ?? estimate).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        var estimate = _manager.EstimateCost(list, options);
        var reservation = await _manager.ReserveAsync(BudgetManager.SubjectOf(options), estimate, cancellationToken).ConfigureAwait(false);
        var observed = new StreamCost();
        var failed = false;
        try
        {
            var updates = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using var _ = updates.ConfigureAwait(false);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch
                {
                    failed = true;
                    throw;
                }

                observed.Observe(updates.Current);
                yield return updates.Current;
            }
        }
        finally
        {
            // Runs on completion, failure, and when the consumer stops enumerating (DisposeAsync).
            if (failed)
            {
                await reservation.ReleaseAsync().ConfigureAwait(false);
            }
            else
            {
                await reservation.SettleAsync(observed.Cost(_manager.Calculator, options?.ModelId) ?? estimate).ConfigureAwait(false);
            }
        }
    }

    // A cached answer may still carry the cost of the call that produced it; it costs nothing now.
    private static bool IsCacheHit(AdditionalPropertiesDictionary? properties)
        => properties?.TryGetValue(ResponseProperties.CacheHit, out var hit) == true && hit is true;

    private sealed class StreamCost
    {
        private bool _cacheHit;
        private decimal? _stamped;
        private UsageDetails? _usage;
        private string? _provider;
        private string? _model;

        public void Observe(ChatResponseUpdate update)
        {
            _model = update.ModelId ?? _model;
            if (update.AdditionalProperties is { } properties)
            {
                _cacheHit |= IsCacheHit(properties);
                if (properties.TryGetValue(ResponseProperties.Cost, out var c) && c is decimal cost)
                {
                    _stamped = cost;
                }

                if (properties.TryGetValue(ResponseProperties.Provider, out var p) && p is string provider)
                {
                    _provider = provider;
                }
            }

            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    (_usage ??= new UsageDetails()).Add(usage.Details);
                }
            }
        }

        public decimal? Cost(CostCalculator calculator, string? requestedModel)
            => _cacheHit ? 0m : _stamped ?? calculator.GetCost(_usage, _provider, _model, requestedModel);
    }
}
