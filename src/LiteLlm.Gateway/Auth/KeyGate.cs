using System.Collections.Concurrent;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// The gate with a master key: the master key is admin; virtual keys (stored hashed) carry allowed models, a budget
/// (optionally reset every <c>budget_duration</c>), an expiry, rpm and tpm limits and a parallel-request limit, and are
/// bound by their team's and user's models and budgets. Order: auth → model access → budget (atomic reserve) → rate limits.
/// </summary>
/// <remarks>
/// Keys, users and teams are looked up with a short in-process cache, so the hot path does no database round trip;
/// while the database is unreachable the last looked-up records keep serving. Budgets (<see cref="KeyBudgets"/>) and
/// rate limits (<see cref="RateLimits"/>) are shared by every replica when Redis is configured; parallel counts are per process.
/// </remarks>
internal sealed partial class KeyGate(IKeyStore store, GatewayAuthOptions options, TimeProvider time, KeyBudgets budgets, RateLimits limits, ILogger<KeyGate> logger) : IRequestGate
{
    private static readonly GatewayError StoreDown = new(503, "The key database is unreachable; try again shortly.", "service_unavailable", "database_unavailable");
    private readonly ConcurrentDictionary<string, (object? Record, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly SharedLookups _lookups = new();

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

        var hash = KeyHasher.Hash(presented);
        var (found, key) = await CachedAsync<VirtualKeyRecord>("key:" + hash, ct => store.GetKeyAsync(hash, ct), cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return GateResult.Refuse<CallerIdentity>(StoreDown);
        }

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

    public async ValueTask<GateResult<IGateLease>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
    {
        if (caller.IsMaster || caller.IsAnonymous || caller.KeyId is null)
        {
            return GateResult.Ok<IGateLease>(Lease.None);
        }

        if (!Allows(caller.AllowedModels, modelGroup))
        {
            return Refuse(new GatewayError(403, $"This key may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"));
        }

        var (found, key) = await CachedAsync<VirtualKeyRecord>("key:" + caller.KeyId, ct => store.GetKeyAsync(caller.KeyId, ct), cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return Refuse(StoreDown);
        }

        if (key is null)
        {
            return Refuse(new GatewayError(401, "Invalid API key.", "authentication_error", "invalid_api_key"));
        }

        // The key's team and user bound it too: their model lists and budgets apply on top of the key's.
        List<BudgetScope>? scopes = null; // most keys have no budget: nothing allocated for them
        if (key.MaxBudget is { } keyBudget)
        {
            (scopes ??= new(3)).Add(new BudgetScope(SpendScope.Key, key.Token, keyBudget, key.BudgetDuration, key.Spend));
        }

        if (key.TeamId is { } teamId)
        {
            var (teamFound, team) = await CachedAsync<GatewayTeamRecord>("team:" + teamId, ct => store.GetTeamAsync(teamId, ct), cancellationToken).ConfigureAwait(false);
            if (!teamFound)
            {
                return Refuse(StoreDown);
            }

            if (team is not null && (team.Blocked || !ModelAccess.ListAllows(team.Models, modelGroup)))
            {
                return Refuse(new GatewayError(403, $"The team '{teamId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"));
            }

            if (team?.MaxBudget is { } teamBudget)
            {
                (scopes ??= new(3)).Add(new BudgetScope(SpendScope.Team, teamId, teamBudget, team.BudgetDuration, team.Spend));
            }
        }

        if (key.UserId is { } userId)
        {
            var (userFound, user) = await CachedAsync<GatewayUserRecord>("user:" + userId, ct => store.GetUserAsync(userId, ct), cancellationToken).ConfigureAwait(false);
            if (!userFound)
            {
                return Refuse(StoreDown);
            }

            if (user is not null && !ModelAccess.ListAllows(user.Models, modelGroup))
            {
                return Refuse(new GatewayError(403, $"The user '{userId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"));
            }

            if (user?.MaxBudget is { } userBudget)
            {
                (scopes ??= new(3)).Add(new BudgetScope(SpendScope.User, userId, userBudget, user.BudgetDuration, user.Spend));
            }
        }

        // Atomic reserve-then-settle: the estimate is held until the request's cost is known, so concurrent requests
        // (on any replica sharing Redis) cannot together overshoot a budget by more than one request's cost.
        Reservation? reservation = null;
        if (scopes is not null)
        {
            var estimate = options.CostEstimator?.Invoke(modelGroup, estimatedTokens) ?? 0m;
            (reservation, var refused) = await budgets.ReserveAsync(scopes, estimate, cancellationToken).ConfigureAwait(false);
            if (refused is not null)
            {
                return Refuse(BudgetExceeded(refused, key));
            }
        }

        var lease = new Lease(this, key.Token, reservation, key.TpmLimit is not null);
        var now = time.GetUtcNow();
        if (key.RpmLimit is { } rpm && await limits.TryTakeRequestAsync(key.Token, rpm, now).ConfigureAwait(false) is (false, var rpmRetry))
        {
            await lease.ReleaseAsync(null).ConfigureAwait(false);
            return Refuse(new GatewayError(429, $"Rate limit of {rpm} requests per minute reached for this key.", "rate_limit_error", "rate_limit_exceeded", RetryAfter: rpmRetry));
        }

        if (key.TpmLimit is { } tpm && await limits.CheckTokensAsync(key.Token, tpm, now).ConfigureAwait(false) is (false, var tpmRetry))
        {
            await lease.ReleaseAsync(null).ConfigureAwait(false);
            return Refuse(new GatewayError(429, $"Rate limit of {tpm} tokens per minute reached for this key.", "rate_limit_error", "rate_limit_exceeded", RetryAfter: tpmRetry));
        }

        if (key.MaxParallelRequests is { } parallel)
        {
            var inFlight = _inFlight.GetOrAdd(key.Token, static _ => new InFlight());
            if (!inFlight.TryEnter(parallel))
            {
                await lease.ReleaseAsync(null).ConfigureAwait(false);
                return Refuse(new GatewayError(429, $"This key already has {parallel} requests in flight.", "rate_limit_error", "max_parallel_requests", RetryAfter: TimeSpan.FromSeconds(1)));
            }

            lease.Slot = inFlight;
        }

        return GateResult.Ok<IGateLease>(lease.IsEmpty ? Lease.None : lease);
    }

    /// <summary>Settles a call's reservation with its recorded cost and counts its tokens.</summary>
    private async ValueTask EndAsync(string keyId, Reservation? reservation, bool countTokens, SpendRecord? record)
    {
        if (reservation is not null)
        {
            await budgets.SettleAsync(reservation, record?.Cost ?? 0m).ConfigureAwait(false);
        }

        if (countTokens && record is not null)
        {
            await limits.AddTokensAsync(keyId, record.InputTokens + record.OutputTokens, time.GetUtcNow()).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a cached key (after an update or delete).</summary>
    public void Invalidate(string keyId) => _cache.TryRemove("key:" + keyId, out _);

    private static GateResult<IGateLease> Refuse(GatewayError error) => GateResult.Refuse<IGateLease>(error);

    /// <summary>Whether a <c>models</c> list allows the model: exact names, <c>all-proxy-models</c>, or (through the router) access groups and wildcards.</summary>
    private bool Allows(IReadOnlyList<string> models, string modelGroup)
        => ModelAccess.ListAllows(models, modelGroup) || options.ModelAccess?.Invoke(models, modelGroup) == true;

    /// <summary>Gets what <paramref name="caller"/> may call: its key's models bounded by its team's and user's (for the model listings).</summary>
    public async ValueTask<ModelAccess> GetModelAccessAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (caller.IsMaster || caller.IsAnonymous || caller.KeyId is null)
        {
            return ModelAccess.Everything;
        }

        IReadOnlyList<string>? teamModels = null;
        if (caller.TeamId is { } teamId)
        {
            var (_, team) = await CachedAsync<GatewayTeamRecord>("team:" + teamId, ct => store.GetTeamAsync(teamId, ct), cancellationToken).ConfigureAwait(false);
            teamModels = team?.Models;
        }

        IReadOnlyList<string>? userModels = null;
        if (caller.UserId is { } userId)
        {
            var (_, user) = await CachedAsync<GatewayUserRecord>("user:" + userId, ct => store.GetUserAsync(userId, ct), cancellationToken).ConfigureAwait(false);
            userModels = user?.Models;
        }

        return new ModelAccess(caller.AllowedModels, teamModels, userModels) { Matcher = options.ModelAccess };
    }

    /// <summary>Forgets a cached team or user (after an update or delete).</summary>
    public void InvalidateScope(SpendScope scope, string id) => _cache.TryRemove((scope == SpendScope.Team ? "team:" : "user:") + id, out _);

    /// <summary>LiteLLM's refusal: "Budget has been exceeded! Key=… Current cost: …, Max budget: …" (400, <c>budget_exceeded</c>).</summary>
    private static GatewayError BudgetExceeded(BudgetRefused refused, VirtualKeyRecord key)
    {
        var who = refused.Scope.Kind switch
        {
            SpendScope.Team => "Team=" + refused.Scope.Id,
            SpendScope.User => "User=" + refused.Scope.Id,
            _ => "Key=" + (key.KeyAlias is { } alias ? $"{alias} ({key.KeyName})" : key.KeyName),
        };
        var inFlight = refused.Reserved > 0 ? $" (plus {PythonFloat(refused.Reserved)} reserved by requests in flight)" : string.Empty;
        var message = $"Budget has been exceeded! {who} Current cost: {PythonFloat(refused.Spend)}{inFlight}, Max budget: {PythonFloat(refused.Scope.MaxBudget)}";
        return new GatewayError(400, message, "budget_exceeded", "budget_exceeded");
    }

    /// <summary>Writes an amount as LiteLLM (Python) prints a float: <c>0.011</c>, <c>1.0</c>.</summary>
    private static string PythonFloat(decimal value)
    {
        var text = value.ToString("0.############", System.Globalization.CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>Looks a record up through the cache; while the database is unreachable a stale record keeps serving. Found is false when neither answers.</summary>
    private async ValueTask<(bool Found, T? Record)> CachedAsync<T>(string id, Func<CancellationToken, Task<T?>> load, CancellationToken cancellationToken)
        where T : class
    {
        var now = time.GetUtcNow();
        var hit = _cache.TryGetValue(id, out var cached);
        if (hit && cached.Until > now)
        {
            return (true, (T?)cached.Record);
        }

        try
        {
            var record = await _lookups.RunAsync(id, async () =>
            {
                var loaded = await load(CancellationToken.None).ConfigureAwait(false);
                _cache[id] = (loaded, now + options.KeyCacheTtl);
                return loaded;
            }, cancellationToken).ConfigureAwait(false);
            return (true, record);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreDown(logger, e.GetType().Name, hit);
            return hit ? (true, (T?)cached.Record) : (false, null);
        }
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

    [LoggerMessage(1, LogLevel.Warning, "The key database did not answer ({Error}); serving the last cached record: {Stale}.")]
    private static partial void LogStoreDown(ILogger logger, string error, bool stale);

    private sealed class InFlight
    {
        private int _count;

        public bool TryEnter(int limit)
        {
            if (Interlocked.Increment(ref _count) <= limit)
            {
                return true;
            }

            Interlocked.Decrement(ref _count);
            return false;
        }

        public void Exit() => Interlocked.Decrement(ref _count);
    }

    /// <summary>What one admitted call holds: its budget reservation, its parallel slot, and whether its tokens count against a tpm limit.</summary>
    private sealed class Lease(KeyGate? gate, string? keyId, Reservation? reservation, bool countTokens) : IGateLease
    {
        public static readonly Lease None = new(null, null, null, false);
        private int _released;

        public InFlight? Slot { get; set; }

        public bool IsEmpty => reservation is null && !countTokens && Slot is null;

        public async ValueTask ReleaseAsync(SpendRecord? record)
        {
            if (gate is null || Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            Slot?.Exit();
            await gate.EndAsync(keyId!, reservation, countTokens, record).ConfigureAwait(false);
        }
    }
}
