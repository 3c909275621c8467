using System.Collections.Concurrent;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Limits;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// The gate with a master key: the master key is admin; virtual keys (stored hashed) carry allowed models, a budget
/// (optionally reset every <c>budget_duration</c>), an expiry, rpm and tpm limits and a parallel-request limit, and are
/// bound by their team's models, budget and rpm/tpm/parallel limits, the team's organization's models, budget and rpm/tpm
/// limits, and their user's models and budget. Order: auth → model access → budget (atomic reserve) → rate limits.
/// </summary>
/// <remarks>
/// Keys, users and teams are looked up with a short in-process cache, so the hot path does no database round trip;
/// while the database is unreachable the last looked-up records keep serving. Budgets (<see cref="KeyBudgets"/>) and
/// rate limits and parallel counts (<see cref="RateLimits"/>), of keys and of teams, are shared by every replica when Redis is configured.
/// </remarks>
internal sealed partial class KeyGate(IKeyStore store, GatewayAuthOptions options, TimeProvider time, KeyBudgets budgets, RateLimits limits, ILogger<KeyGate> logger, IOrganizationStore? organizations = null, ICustomerStore? customers = null, ISharedBudgetStore? sharedBudgets = null) : IRequestGate, IBudgetAwareGate
{
    private static readonly GatewayError StoreDown = new(503, "The key database is unreachable; try again shortly.", "service_unavailable", "database_unavailable");
    private readonly ConcurrentDictionary<string, (object? Record, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly SharedLookups _lookups = new();
    private MasterKeyDigest? _master;

    public ValueTask<GateResult<CallerIdentity>> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var presented = PresentedKey(context.Request);
        if (presented is null)
        {
            return ValueTask.FromResult(GateResult.Refuse<CallerIdentity>(new GatewayError(401, "No API key provided: send 'Authorization: Bearer <key>'.", "authentication_error", "missing_api_key")));
        }

        // One SHA-256 of the presented key serves both the constant-time master-key check and the virtual key's id;
        // a cached key is answered without allocating its id (the hot path of every request).
        Span<byte> digest = stackalloc byte[32];
        KeyHasher.Digest(presented, digest);
        if (MasterDigest() is { } master && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(digest, master))
        {
            return ValueTask.FromResult(GateResult.Ok(new CallerIdentity { IsMaster = true, KeyId = "master" }));
        }

        Span<char> id = stackalloc char[4 + 64];
        "key:".CopyTo(id);
        Convert.TryToHexStringLower(digest, id[4..], out _);
        if (TryCached(id, out var cached))
        {
            return ValueTask.FromResult(Identify((VirtualKeyRecord?)cached));
        }

        return AuthenticateSlowAsync(new string(id[4..]), cancellationToken);
    }

    private async ValueTask<GateResult<CallerIdentity>> AuthenticateSlowAsync(string hash, CancellationToken cancellationToken)
    {
        var (found, key) = await CachedAsync<VirtualKeyRecord>("key:" + hash, ct => store.GetKeyAsync(hash, ct), cancellationToken).ConfigureAwait(false);
        return found ? Identify(key) : GateResult.Refuse<CallerIdentity>(StoreDown);
    }

    private GateResult<CallerIdentity> Identify(VirtualKeyRecord? key)
    {
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

    /// <summary>The master key's SHA-256, computed once per configured value (the options may be replaced at run time).</summary>
    private byte[]? MasterDigest()
    {
        var master = options.MasterKey;
        if (master is null)
        {
            return null;
        }

        var known = _master;
        if (known is not null && ReferenceEquals(known.Key, master))
        {
            return known.Digest;
        }

        var digest = new byte[32];
        KeyHasher.Digest(master, digest);
        _master = new MasterKeyDigest(master, digest);
        return digest;
    }

    /// <summary>A fresh cached record under <paramref name="id"/> (no string made for the lookup).</summary>
    private bool TryCached(ReadOnlySpan<char> id, out object? record)
    {
        if (_cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(id, out var cached) && cached.Until > time.GetUtcNow())
        {
            record = cached.Record;
            return true;
        }

        record = null;
        return false;
    }

    private bool TryCachedKey(string keyId, out VirtualKeyRecord? key)
    {
        Span<char> id = stackalloc char[4 + 64];
        if (keyId.Length <= 64)
        {
            "key:".CopyTo(id);
            keyId.CopyTo(id[4..]);
            if (TryCached(id[..(4 + keyId.Length)], out var cached))
            {
                key = (VirtualKeyRecord?)cached;
                return true;
            }
        }

        key = null;
        return false;
    }

    private sealed record MasterKeyDigest(string Key, byte[] Digest);

    public async ValueTask<GateResult<IGateLease>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
    {
        if (caller.IsAnonymous)
        {
            return GateResult.Ok<IGateLease>(Lease.None);
        }

        // The request's customer (its 'user') is held to its block and budget whoever calls, the master key included.
        var (customerError, customerScope) = await CustomerAsync(caller, cancellationToken).ConfigureAwait(false);
        if (customerError is not null)
        {
            return Refuse(customerError);
        }

        if (caller.IsMaster || caller.KeyId is null)
        {
            return customerScope is { } only ? await ReserveOnlyAsync([only], modelGroup, estimatedTokens, cancellationToken).ConfigureAwait(false) : GateResult.Ok<IGateLease>(Lease.None);
        }

        var (error, key, team, org, scopes) = await ResolveAsync(caller, modelGroup, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return Refuse(error);
        }

        if (customerScope is { } customer)
        {
            (scopes ??= new(1)).Add(customer);
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
                return Refuse(BudgetExceeded(refused, key!));
            }
        }

        var lease = new Lease(this, reservation);
        var now = time.GetUtcNow();
        var limited = await TakeLimitsAsync(lease, key!.Token, "this key", key.RpmLimit, key.TpmLimit, key.MaxParallelRequests, now).ConfigureAwait(false)
            ?? (team is null ? null : await TakeLimitsAsync(lease, "team:" + team.TeamId, $"the team '{team.TeamId}'", team.RpmLimit, team.TpmLimit, team.MaxParallelRequests, now).ConfigureAwait(false))
            ?? (org is null ? null : await TakeLimitsAsync(lease, "org:" + org.OrganizationId, $"the organization '{org.OrganizationId}'", org.RpmLimit, org.TpmLimit, null, now).ConfigureAwait(false));
        if (limited is not null)
        {
            await lease.ReleaseAsync(null).ConfigureAwait(false);
            return Refuse(limited);
        }

        return GateResult.Ok<IGateLease>(lease.IsEmpty ? Lease.None : lease);
    }

    /// <summary>
    /// Gets how many output tokens the remaining budget of the caller's key, team and user pays for after a prompt of
    /// <paramref name="promptTokens"/>, at the price the reservation uses (the group's dearest deployment); null when
    /// no budget bounds the caller or the price is unknown.
    /// </summary>
    public async ValueTask<long?> AffordableOutputTokensAsync(CallerIdentity caller, string modelGroup, int promptTokens, CancellationToken cancellationToken)
    {
        if (caller.IsMaster || caller.IsAnonymous || caller.KeyId is null)
        {
            return null;
        }

        var (error, _, _, _, scopes) = await ResolveAsync(caller, modelGroup, cancellationToken).ConfigureAwait(false);
        var price = options.CostEstimator?.Invoke(modelGroup, 1) ?? 0m;
        if (error is not null || scopes is null || price <= 0)
        {
            return null; // a refusal is the admission's to give, with its own wording
        }

        var remaining = await budgets.RemainingAsync(scopes, cancellationToken).ConfigureAwait(false);
        return Math.Max(0, (long)Math.Floor(remaining / price) - promptTokens);
    }

    /// <summary>Loads the key, its team (and the team's organization) and user, checks their model lists, and gathers the budgets the call is held to.</summary>
    private async ValueTask<(GatewayError? Error, VirtualKeyRecord? Key, GatewayTeamRecord? Team, OrganizationRecord? Org, List<BudgetScope>? Scopes)> ResolveAsync(CallerIdentity caller, string modelGroup, CancellationToken cancellationToken)
    {
        if (!Allows(caller.AllowedModels, modelGroup))
        {
            return (new GatewayError(403, $"This key may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"), null, null, null, null);
        }

        var found = true;
        if (!TryCachedKey(caller.KeyId!, out var key))
        {
            (found, key) = await CachedAsync<VirtualKeyRecord>("key:" + caller.KeyId, ct => store.GetKeyAsync(caller.KeyId!, ct), cancellationToken).ConfigureAwait(false);
        }

        if (!found)
        {
            return (StoreDown, null, null, null, null);
        }

        if (key is null)
        {
            return (new GatewayError(401, "Invalid API key.", "authentication_error", "invalid_api_key"), null, null, null, null);
        }

        if (key.BudgetId is not null)
        {
            // A shared budget's limits apply where the key sets none of its own; the key spends against them alone.
            var (sharedFound, shared) = await SharedBudgetAsync(key.BudgetId, cancellationToken).ConfigureAwait(false);
            if (!sharedFound)
            {
                return (StoreDown, null, null, null, null);
            }

            if (shared is not null)
            {
                key = key with
                {
                    MaxBudget = key.MaxBudget ?? shared.MaxBudget,
                    BudgetDuration = key.MaxBudget is null ? shared.BudgetDuration : key.BudgetDuration,
                    RpmLimit = key.RpmLimit ?? shared.RpmLimit,
                    TpmLimit = key.TpmLimit ?? shared.TpmLimit,
                };
            }
        }

        // The key's team and user bound it too: their model lists and budgets apply on top of the key's.
        List<BudgetScope>? scopes = null; // most keys have no budget: nothing allocated for them
        if (key.MaxBudget is { } keyBudget)
        {
            (scopes ??= new(3)).Add(new BudgetScope(SpendScope.Key, key.Token, keyBudget, key.BudgetDuration, key.Spend));
        }

        GatewayTeamRecord? team = null;
        OrganizationRecord? org = null;
        if (key.TeamId is { } teamId)
        {
            (var teamFound, team) = await CachedAsync<GatewayTeamRecord>("team:" + teamId, ct => store.GetTeamAsync(teamId, ct), cancellationToken).ConfigureAwait(false);
            if (!teamFound)
            {
                return (StoreDown, null, null, null, null);
            }

            if (team is not null && (team.Blocked || !ModelAccess.ListAllows(team.Models, modelGroup)))
            {
                return (new GatewayError(403, $"The team '{teamId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"), null, null, null, null);
            }

            if (team?.MaxBudget is { } teamBudget)
            {
                (scopes ??= new(3)).Add(new BudgetScope(SpendScope.Team, teamId, teamBudget, team.BudgetDuration, team.Spend));
            }

            if (team?.OrganizationId is { } orgId && organizations is not null)
            {
                (var orgFound, org) = await CachedAsync<OrganizationRecord>("org:" + orgId, ct => organizations.GetOrganizationAsync(orgId, ct), cancellationToken).ConfigureAwait(false);
                if (!orgFound)
                {
                    return (StoreDown, null, null, null, null);
                }

                if (org is not null && (org.Blocked || !ModelAccess.ListAllows(org.Models, modelGroup)))
                {
                    return (new GatewayError(403, $"The organization '{orgId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"), null, null, null, null);
                }

                if (org?.MaxBudget is { } orgBudget)
                {
                    (scopes ??= new(4)).Add(new BudgetScope(SpendScope.Organization, orgId, orgBudget, org.BudgetDuration, org.Spend));
                }
            }
        }

        if (key.UserId is { } userId)
        {
            var (userFound, user) = await CachedAsync<GatewayUserRecord>("user:" + userId, ct => store.GetUserAsync(userId, ct), cancellationToken).ConfigureAwait(false);
            if (!userFound)
            {
                return (StoreDown, null, null, null, null);
            }

            if (user is not null && !ModelAccess.ListAllows(user.Models, modelGroup))
            {
                return (new GatewayError(403, $"The user '{userId}' may not use the model '{modelGroup}'.", "permission_error", "model_not_allowed", "model"), null, null, null, null);
            }

            if (user?.MaxBudget is { } userBudget)
            {
                (scopes ??= new(3)).Add(new BudgetScope(SpendScope.User, userId, userBudget, user.BudgetDuration, user.Spend));
            }
        }

        return (null, key, team, org, scopes);
    }

    /// <summary>Takes a key's or team's rpm slot, checks its tpm window and takes a parallel slot; the lease gives them back.</summary>
    private async ValueTask<GatewayError?> TakeLimitsAsync(Lease lease, string id, string who, long? rpm, long? tpm, int? parallel, DateTimeOffset now)
    {
        if (rpm is { } rpmLimit && await limits.TryTakeRequestAsync(id, rpmLimit, now).ConfigureAwait(false) is (false, var rpmRetry))
        {
            return new GatewayError(429, $"Rate limit of {rpmLimit} requests per minute reached for {who}.", "rate_limit_error", "rate_limit_exceeded", RetryAfter: rpmRetry);
        }

        if (tpm is { } tpmLimit)
        {
            if (await limits.CheckTokensAsync(id, tpmLimit, now).ConfigureAwait(false) is (false, var tpmRetry))
            {
                return new GatewayError(429, $"Rate limit of {tpmLimit} tokens per minute reached for {who}.", "rate_limit_error", "rate_limit_exceeded", RetryAfter: tpmRetry);
            }

            lease.TokenCounters.Add(id);
        }

        if (parallel is { } parallelLimit)
        {
            if (await limits.TryEnterAsync(id, parallelLimit, now).ConfigureAwait(false) is not { } slot)
            {
                return new GatewayError(429, $"{Capitalized(who)} already has {parallelLimit} requests in flight.", "rate_limit_error", "max_parallel_requests", RetryAfter: TimeSpan.FromSeconds(1));
            }

            lease.Slots.Add(slot);
        }

        return null;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Settles a call's reservation with its recorded cost, gives its parallel slots back and counts its tokens.</summary>
    private async ValueTask EndAsync(Reservation? reservation, List<ParallelSlot> slots, List<string> tokenCounters, SpendRecord? record)
    {
        foreach (var slot in slots)
        {
            await limits.ExitAsync(slot).ConfigureAwait(false);
        }

        if (reservation is not null)
        {
            await budgets.SettleAsync(reservation, record?.Cost ?? 0m).ConfigureAwait(false);
        }

        if (record is not null)
        {
            foreach (var id in tokenCounters)
            {
                await limits.AddTokensAsync(id, record.InputTokens + record.OutputTokens, time.GetUtcNow()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Forgets a cached key (after an update or delete).</summary>
    public void Invalidate(string keyId) => _cache.TryRemove("key:" + keyId, out _);

    private static GateResult<IGateLease> Refuse(GatewayError error) => GateResult.Refuse<IGateLease>(error);

    /// <summary>Whether a <c>models</c> list allows the model: exact names, <c>all-proxy-models</c>, or (through the router) access groups and wildcards.</summary>
    private bool Allows(IReadOnlyList<string> models, string modelGroup)
        => ModelAccess.ListAllows(models, modelGroup) || options.ModelAccess?.Invoke(models, modelGroup) == true;

    /// <summary>Gets what <paramref name="caller"/> may call: its key's models bounded by its team's, the team's organization's and its user's (for the model listings).</summary>
    public async ValueTask<ModelAccess> GetModelAccessAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (caller.IsMaster || caller.IsAnonymous || caller.KeyId is null)
        {
            return ModelAccess.Everything;
        }

        IReadOnlyList<string>? teamModels = null;
        IReadOnlyList<string>? orgModels = null;
        if (caller.TeamId is { } teamId)
        {
            var (_, team) = await CachedAsync<GatewayTeamRecord>("team:" + teamId, ct => store.GetTeamAsync(teamId, ct), cancellationToken).ConfigureAwait(false);
            teamModels = team?.Models;
            if (team?.OrganizationId is { } orgId && organizations is not null)
            {
                var (_, org) = await CachedAsync<OrganizationRecord>("org:" + orgId, ct => organizations.GetOrganizationAsync(orgId, ct), cancellationToken).ConfigureAwait(false);
                orgModels = org?.Models;
            }
        }

        IReadOnlyList<string>? userModels = null;
        if (caller.UserId is { } userId)
        {
            var (_, user) = await CachedAsync<GatewayUserRecord>("user:" + userId, ct => store.GetUserAsync(userId, ct), cancellationToken).ConfigureAwait(false);
            userModels = user?.Models;
        }

        return new ModelAccess(caller.AllowedModels, teamModels, userModels) { OrganizationModels = orgModels, Matcher = options.ModelAccess };
    }

    /// <summary>Forgets a cached team or user (after an update or delete).</summary>
    public void InvalidateScope(SpendScope scope, string id)
        => _cache.TryRemove((scope switch { SpendScope.Team => "team:", SpendScope.Organization => "org:", SpendScope.Customer => "customer:", _ => "user:" }) + id, out _);

    /// <summary>LiteLLM's refusal: "Budget has been exceeded! Key=… Current cost: …, Max budget: …" (400, <c>budget_exceeded</c>).</summary>
    private static GatewayError BudgetExceeded(BudgetRefused refused, VirtualKeyRecord? key)
    {
        if (refused.Scope.Kind == SpendScope.Customer)
        {
            // LiteLLM words a customer's refusal differently: "ExceededBudget: End User=… over budget. Spend=…, Budget=…".
            var spent = refused.Spend + refused.Reserved;
            return new GatewayError(400, $"ExceededBudget: End User={refused.Scope.Id} over budget. Spend={PythonFloat(spent)}, Budget={PythonFloat(refused.Scope.MaxBudget)}", "budget_exceeded", "budget_exceeded");
        }

        var who = refused.Scope.Kind switch
        {
            SpendScope.Team => "Team=" + refused.Scope.Id,
            SpendScope.User => "User=" + refused.Scope.Id,
            SpendScope.Organization => "Organization=" + refused.Scope.Id,
            _ => "Key=" + (key?.KeyAlias is { } alias ? $"{alias} ({key.KeyName})" : key?.KeyName),
        };
        var inFlight = refused.Reserved > 0 ? $" (plus {PythonFloat(refused.Reserved)} reserved by requests in flight)" : string.Empty;
        var message = $"Budget has been exceeded! {who} Current cost: {PythonFloat(refused.Spend)}{inFlight}, Max budget: {PythonFloat(refused.Scope.MaxBudget)}";
        return new GatewayError(400, message, "budget_exceeded", "budget_exceeded");
    }

    /// <summary>Writes an amount as LiteLLM (Python) prints a float: <c>0.011</c>, <c>1.0</c>.</summary>
    internal static string PythonFloat(decimal value)
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

    /// <summary>What one admitted call holds: its budget reservation, its parallel slots, and the tpm windows its tokens count in.</summary>
    private sealed class Lease(KeyGate? gate, Reservation? reservation) : IGateLease
    {
        public static readonly Lease None = new(null, null);
        private int _released;

        public List<ParallelSlot> Slots { get; } = [];

        public List<string> TokenCounters { get; } = [];

        public bool IsEmpty => reservation is null && TokenCounters.Count == 0 && Slots.Count == 0;

        public async ValueTask ReleaseAsync(SpendRecord? record)
        {
            if (gate is null || Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            await gate.EndAsync(reservation, Slots, TokenCounters, record).ConfigureAwait(false);
        }
    }
}
