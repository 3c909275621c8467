using System.Collections.Concurrent;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// The gate with a master key: the master key is admin; virtual keys (stored hashed) carry allowed models, a budget,
/// an expiry, an rpm limit and a parallel-request limit. Order: auth → model access → budget → rate limits.
/// </summary>
/// <remarks>
/// Keys are looked up by their SHA-256 with a short in-process cache, so the hot path does no database round trip.
/// Rate limits are shared by every replica when Redis is configured (<see cref="SharedRateLimiter"/>); parallel counts
/// are per process.
/// Spend reaches the budget check at once through <see cref="AddSpend"/>, before its batch is written.
/// </remarks>
internal sealed class KeyGate(IKeyStore store, GatewayAuthOptions options, TimeProvider time, SharedRateLimiter? shared = null) : IRequestGate
{
    private readonly ConcurrentDictionary<string, (VirtualKeyRecord? Key, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KeyCounters> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (object? Record, DateTimeOffset Until)> _owners = new(StringComparer.Ordinal);

    public async ValueTask<GateResult<CallerIdentity>> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var presented = PresentedKey(context.Request);
        if (presented is null)
        {
            return GateResult.Refuse<CallerIdentity>(new GatewayError(401, "No API key provided: send 'Authorization: Bearer <key>'.", "authentication_error", "missing_api_key"));
        }

        if (KeyHasher.SecretEquals(presented, options.MasterKey))
        {
            return GateResult.Ok(new CallerIdentity { IsMaster = true, KeyId = "master" });
        }

        var key = await LookupAsync(KeyHasher.Hash(presented), cancellationToken).ConfigureAwait(false);
        if (key is null || key.Blocked)
        {
            return GateResult.Refuse<CallerIdentity>(new GatewayError(401, "Invalid API key.", "authentication_error", "invalid_api_key"));
        }

        if (key.Expires is { } expires && expires <= time.GetUtcNow())
        {
            return GateResult.Refuse<CallerIdentity>(new GatewayError(401, "This API key has expired.", "authentication_error", "expired_api_key"));
        }

        return GateResult.Ok(new CallerIdentity
        {
            KeyId = key.Token,
            KeyAlias = key.KeyAlias,
            UserId = key.UserId,
            TeamId = key.TeamId,
            AllowedModels = key.Models,
        });
    }

    public async ValueTask<GateResult<IAsyncDisposable>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
    {
        if (caller.IsMaster || caller.IsAnonymous || caller.KeyId is null)
        {
            return GateResult.Ok<IAsyncDisposable>(Lease.None);
        }

        if (caller.AllowedModels.Count > 0 && !caller.AllowedModels.Contains(modelGroup, StringComparer.OrdinalIgnoreCase))
        {
            return GateResult.Refuse<IAsyncDisposable>(new GatewayError(403, $"This key may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"));
        }

        var key = await LookupAsync(caller.KeyId, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return GateResult.Refuse<IAsyncDisposable>(new GatewayError(401, "Invalid API key.", "authentication_error", "invalid_api_key"));
        }

        var counters = _counters.GetOrAdd(key.Token, static _ => new KeyCounters());

        // Atomic reserve-then-settle: the estimate is held until the request's spend is recorded, so concurrent
        // requests of one key cannot together overshoot its budget by more than one request's cost.
        var estimate = key.MaxBudget is null ? 0m : (options.CostEstimator?.Invoke(modelGroup, estimatedTokens) ?? 0m);
        if (key.MaxBudget is { } budget && !counters.TryReserve(key.Spend, estimate, budget, out var committed))
        {
            return GateResult.Refuse<IAsyncDisposable>(new GatewayError(400, $"Budget has been exceeded: spend {committed:0.######} of max budget {budget:0.######}.", "budget_exceeded", "budget_exceeded"));
        }

        // The key's team and user bound it too: their model lists and budgets apply on top of the key's.
        if (key.TeamId is { } teamId && await CachedAsync("team:" + teamId, ct => store.GetTeamAsync(teamId, ct), cancellationToken).ConfigureAwait(false) is { } team)
        {
            if (team.Blocked || (team.Models.Count > 0 && !team.Models.Contains(modelGroup, StringComparer.OrdinalIgnoreCase)))
            {
                return GateResult.Refuse<IAsyncDisposable>(new GatewayError(403, $"The team '{teamId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"));
            }

            if (team.MaxBudget is { } teamBudget && team.Spend >= teamBudget)
            {
                return GateResult.Refuse<IAsyncDisposable>(new GatewayError(400, $"The team '{teamId}' has exceeded its budget of {teamBudget:0.######}.", "budget_exceeded", "budget_exceeded"));
            }
        }

        if (key.UserId is { } userId && await CachedAsync("user:" + userId, ct => store.GetUserAsync(userId, ct), cancellationToken).ConfigureAwait(false) is { } user)
        {
            if (user.Models.Count > 0 && !user.Models.Contains(modelGroup, StringComparer.OrdinalIgnoreCase))
            {
                return GateResult.Refuse<IAsyncDisposable>(new GatewayError(403, $"The user '{userId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"));
            }

            if (user.MaxBudget is { } userBudget && user.Spend >= userBudget)
            {
                return GateResult.Refuse<IAsyncDisposable>(new GatewayError(400, $"The user '{userId}' has exceeded their budget of {userBudget:0.######}.", "budget_exceeded", "budget_exceeded"));
            }
        }

        var now = time.GetUtcNow();
        var (allowed, retryAfter) = key.RpmLimit is not { } rpm ? (true, TimeSpan.Zero)
            : shared is not null ? await shared.TryTakeAsync(key.Token, rpm, now, options.RateLimitWindow).ConfigureAwait(false)
            : (counters.TryTakeRequest(rpm, now, options.RateLimitWindow, out var local), local);
        if (!allowed)
        {
            counters.Release(estimate);
            return GateResult.Refuse<IAsyncDisposable>(new GatewayError(429, $"Rate limit of {key.RpmLimit} requests per minute reached for this key.", "rate_limit_error", "rate_limit_exceeded", RetryAfter: retryAfter));
        }

        if (key.MaxParallelRequests is { } parallel && !counters.TryEnter(parallel))
        {
            counters.Release(estimate);
            return GateResult.Refuse<IAsyncDisposable>(new GatewayError(429, $"This key already has {parallel} requests in flight.", "rate_limit_error", "max_parallel_requests", RetryAfter: TimeSpan.FromSeconds(1)));
        }

        return GateResult.Ok<IAsyncDisposable>(key.MaxParallelRequests is null && key.MaxBudget is null ? Lease.None : new Lease(counters, key.MaxParallelRequests is not null, estimate));
    }

    /// <summary>Counts spend that is queued but not yet written, so budgets see it at once.</summary>
    public void AddSpend(string? keyId, decimal cost)
    {
        if (keyId is not null && cost > 0 && _counters.TryGetValue(keyId, out var counters))
        {
            counters.AddUnwritten(cost);
        }
    }

    /// <summary>Called after a batch is written: the stored spend now includes it.</summary>
    public void SpendWritten(string? keyId, decimal cost)
    {
        if (keyId is not null && _counters.TryGetValue(keyId, out var counters))
        {
            counters.AddUnwritten(-cost);
        }

        if (keyId is not null)
        {
            _cache.TryRemove(keyId, out _);
        }
    }

    /// <summary>Forgets a cached key (after an update or delete).</summary>
    public void Invalidate(string keyId) => _cache.TryRemove(keyId, out _);

    private async ValueTask<VirtualKeyRecord?> LookupAsync(string hash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Key;
        }

        var key = await store.GetKeyAsync(hash, cancellationToken).ConfigureAwait(false);
        _cache[hash] = (key, now + options.KeyCacheTtl);
        return key;
    }

    private async ValueTask<T?> CachedAsync<T>(string id, Func<CancellationToken, Task<T?>> load, CancellationToken cancellationToken)
        where T : class
    {
        var now = time.GetUtcNow();
        if (_owners.TryGetValue(id, out var cached) && cached.Until > now)
        {
            return (T?)cached.Record;
        }

        var record = await load(cancellationToken).ConfigureAwait(false);
        _owners[id] = (record, now + options.KeyCacheTtl);
        return record;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
        {
            return authorization[7..].Trim();
        }

        var apiKey = request.Headers["x-api-key"].ToString();
        return apiKey.Length > 0 ? apiKey : null;
    }

    private sealed class KeyCounters
    {
        private readonly Lock _lock = new();
        private long _window;
        private long _requests;
        private int _inFlight;
        private decimal _unwritten;
        private decimal _reserved;

        public bool TryReserve(decimal stored, decimal estimate, decimal budget, out decimal committed)
        {
            lock (_lock)
            {
                committed = stored + _unwritten + _reserved;
                if (committed >= budget || committed + estimate > budget)
                {
                    return false;
                }

                _reserved += estimate;
                return true;
            }
        }

        public void Release(decimal estimate)
        {
            if (estimate == 0)
            {
                return;
            }

            lock (_lock)
            {
                _reserved = Math.Max(0, _reserved - estimate);
            }
        }

        public decimal UnwrittenSpend
        {
            get
            {
                lock (_lock)
                {
                    return _unwritten;
                }
            }
        }

        public void AddUnwritten(decimal cost)
        {
            lock (_lock)
            {
                _unwritten = Math.Max(0, _unwritten + cost);
            }
        }

        public bool TryTakeRequest(long limit, DateTimeOffset now, TimeSpan window, out TimeSpan retryAfter)
        {
            var bucket = now.UtcTicks / window.Ticks;
            lock (_lock)
            {
                if (bucket != _window)
                {
                    _window = bucket;
                    _requests = 0;
                }

                if (_requests >= limit)
                {
                    retryAfter = TimeSpan.FromTicks(((bucket + 1) * window.Ticks) - now.UtcTicks);
                    return false;
                }

                _requests++;
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }

        public bool TryEnter(int limit)
        {
            if (Interlocked.Increment(ref _inFlight) <= limit)
            {
                return true;
            }

            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        public void Exit() => Interlocked.Decrement(ref _inFlight);
    }

    private sealed class Lease(KeyCounters? counters, bool parallel, decimal reserved) : IAsyncDisposable
    {
        public static readonly Lease None = new(null, false, 0);
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (counters is not null && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                if (parallel)
                {
                    counters.Exit();
                }

                counters.Release(reserved); // the actual cost was recorded just before (InferenceService)
            }

            return ValueTask.CompletedTask;
        }
    }
}
