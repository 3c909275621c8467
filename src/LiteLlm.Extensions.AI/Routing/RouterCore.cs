using System.Collections.Frozen;
using LiteLlm.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LiteLlm.Routing.Strategies;
using Polly;
using Polly.Retry;

namespace LiteLlm.Routing;

/// <summary>
/// The routing engine shared by the chat and embedding routers: choose a deployment, retry,
/// cool down, fall back. Generic over what a call returns.
/// </summary>
internal sealed partial class RouterCore
{
    /// <summary>The most retries one request may ask for (<c>num_retries</c>).</summary>
    internal const int MaxRetries = 20;

    private static readonly ResiliencePropertyKey<AttemptState> StateKey = new("litellm.router.attempt");
    private readonly RouterOptions _options;
    private readonly FrozenDictionary<string, DeploymentState[]> _groups;
    private readonly FrozenDictionary<string, string[]> _groupIds;
    private readonly FrozenDictionary<string, string> _groupKeys; // any casing -> the group's own spelling
    private readonly IRouterStateStore _store;
    private readonly IRoutingStrategy _strategy;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ModelPattern[] _patterns; // wildcard groups, most specific first
    private readonly FrozenDictionary<string, ModelPattern> _patternsByGroup;
    private readonly Models.ModelCatalog _catalog;

    public RouterCore(RouterOptions options, LiteLlmClientFactory factory, ILogger? logger)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _store = options.StateStore ?? new InMemoryRouterStateStore();
        if (options.Deployments.Count == 0)
        {
            throw new ArgumentException("A router needs at least one deployment.", nameof(options));
        }

        _groups = options.Deployments
            .GroupBy(d => d.ModelGroup, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.Select(d => new DeploymentState(d, factory, SafeResolve(factory, d))).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        _groupIds = _groups.ToFrozenDictionary(g => g.Key, g => g.Value.Select(s => s.Deployment.Id).ToArray(), StringComparer.OrdinalIgnoreCase);
        _groupKeys = _groups.ToFrozenDictionary(g => g.Key, g => g.Key, StringComparer.OrdinalIgnoreCase);
        _patterns = _groups.Keys.Where(ModelPattern.IsPattern).Select(p => new ModelPattern(p))
            .OrderByDescending(p => p.Specificity).ThenBy(p => p.Pattern.Count(c => c == '*')).ThenBy(p => p.Pattern, StringComparer.Ordinal).ToArray();
        _patternsByGroup = _patterns.ToFrozenDictionary(p => p.Pattern, StringComparer.OrdinalIgnoreCase);
        _catalog = factory.Catalog;
        IndexAccessGroups();
        _strategy = ResolveStrategy(options);
        Validate();
        _pipeline = BuildPipeline();
    }

    public IEnumerable<string> Groups => _groups.Keys;

    public IReadOnlyList<DeploymentState> DeploymentsOf(string group) => _groups[group];

    /// <summary>Runs <paramref name="call"/> on a deployment of the request's group, retrying and falling back as configured.</summary>
    public async Task<(T Result, DeploymentState Deployment)> ExecuteAsync<T>(
        RouterRequest request, Func<DeploymentState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var group = request.Group;
        while (true)
        {
            try
            {
                return await ExecuteGroupAsync(group, request, call, cancellationToken).ConfigureAwait(false);
            }
            catch (LiteLlmException e) when (!cancellationToken.IsCancellationRequested
                && request.Trace.Fallbacks.Count < _options.MaxFallbacks
                && NextFallback(request, e) is { } next)
            {
                LogFallback(e, group, next.Group);
                request.Trace.AddFallback(next.Target.Model);
                group = next.Group;
                request.CurrentGroup = next.Group;
                request.CurrentModel = next.Target.Model;
                request.CurrentMessages = next.Target.Messages ?? (_options.FallbackMessages.TryGetValue(next.Target.Model, out var m) ? m : null);
            }
        }
    }

    /// <summary>Counts tokens a deployment served against this minute's usage.</summary>
    public ValueTask RecordTokensAsync(DeploymentState deployment, long tokens)
        => tokens > 0 ? _store.AddUsageAsync(deployment.Deployment.Id, 0, tokens, _time.GetUtcNow(), CancellationToken.None) : ValueTask.CompletedTask;

    private async Task<(T, DeploymentState)> ExecuteGroupAsync<T>(
        string group, RouterRequest request, Func<DeploymentState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var state = new AttemptState(group, request);
        try
        {
            // The first attempt runs without the retry pipeline: most calls succeed at once, and the pipeline's
            // machinery would cost them a fifth of the router's time and ~1 KB. A failure the policy retries is handed
            // to the pipeline as its first outcome, so counting, back-off and Retry-After are exactly the pipeline's.
            return await AttemptAsync(state, call, cancellationToken).ConfigureAwait(false);
        }
        catch (LiteLlmException e) when (!cancellationToken.IsCancellationRequested && 0 < RetriesFor(e, request))
        {
            state.FirstFailure = e;
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, s) =>
                {
                    if (s.State.FirstFailure is { } failed)
                    {
                        s.State.FirstFailure = null;
                        return ValueTask.FromException<(T, DeploymentState)>(failed);
                    }

                    return new ValueTask<(T, DeploymentState)>(s.Core.AttemptAsync(s.State, s.Call, ctx.CancellationToken));
                },
                context,
                (Core: this, State: state, Call: call)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<(T, DeploymentState)> AttemptAsync<T>(AttemptState state, Func<DeploymentState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        state.Request.Trace.Attempts++;
        var selecting = SelectAsync(state, exclude: null, cancellationToken);

        // The usual case (selection done at once, no hedging): straight to the call, without a state machine here.
        return selecting.IsCompletedSuccessfully && (!HedgingOn || !state.HasAlternative)
            ? CallAsync(selecting.Result, state, call, cancellationToken)
            : AttemptSlowAsync(selecting, state, call, cancellationToken);
    }

    private async Task<(T, DeploymentState)> AttemptSlowAsync<T>(
        ValueTask<DeploymentState> selecting, AttemptState state, Func<DeploymentState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var first = await selecting.ConfigureAwait(false);
        if (!HedgingOn || !state.HasAlternative || await HedgeDelayAsync(state, cancellationToken).ConfigureAwait(false) is not { } hedgeAfter)
        {
            return await CallAsync(first, state, call, cancellationToken).ConfigureAwait(false);
        }

        return await HedgedAsync(first, hedgeAfter, state, call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One call on one deployment; returns the result with the deployment that gave it.</summary>
    private async Task<(T, DeploymentState)> CallAsync<T>(DeploymentState deployment, AttemptState state, Func<DeploymentState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        deployment.Enter();
        var started = _time.GetTimestamp();
        try
        {
            var result = await call(deployment, cancellationToken).ConfigureAwait(false);
            deployment.MarkSucceeded();
            if (!state.Request.IsStreaming)
            {
                RecordLatency(deployment, _time.GetElapsedTime(started), streaming: false);
            }

            return (result, deployment);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            var error = e as LiteLlmException ?? ExceptionTranslator.Translate(e, deployment.Deployment.Model.Split('/')[0], deployment.Deployment.Model, deployment.Deployment.Provider?.ApiKey);
            await OnFailureAsync(deployment, error, state).ConfigureAwait(false);
            if (ReferenceEquals(error, e))
            {
                throw;
            }

            throw error;
        }
        finally
        {
            deployment.Exit();
        }
    }

    private async Task<(T, DeploymentState)> HedgedAsync<T>(
        DeploymentState first, TimeSpan hedgeAfter, AttemptState state, Func<DeploymentState, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var firstSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var firstTask = CallAsync(first, state, call, firstSource.Token);
        using (var delaySource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var delay = Task.Delay(hedgeAfter, _time, delaySource.Token);
            if (await Task.WhenAny(firstTask, delay).ConfigureAwait(false) == firstTask)
            {
                await delaySource.CancelAsync().ConfigureAwait(false);
                return await firstTask.ConfigureAwait(false);
            }
        }

        if (HedgeCap is { } cap && !HedgingOf(state.Group).TryTakeHedge(cap))
        {
            return await firstTask.ConfigureAwait(false); // the group has hedged its share: wait for the first
        }

        DeploymentState second;
        try
        {
            second = await SelectAsync(state, exclude: first, cancellationToken).ConfigureAwait(false);
        }
        catch (LiteLlmException)
        {
            return await firstTask.ConfigureAwait(false); // nobody to hedge with
        }

        LogHedge(state.Group, first.Deployment.Id, second.Deployment.Id);
        state.Request.Trace.Hedged = true;
        RouterMetrics.Hedges.Add(1, new KeyValuePair<string, object?>("model_group", state.Group));
        using var secondSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var secondTask = CallAsync(second, state, call, secondSource.Token);
        var winner = await Task.WhenAny(firstTask, secondTask).ConfigureAwait(false);
        var loser = winner == firstTask ? secondTask : firstTask;
        if (winner.IsCompletedSuccessfully)
        {
            await (winner == firstTask ? secondSource : firstSource).CancelAsync().ConfigureAwait(false);
            DisposeWhenDone(loser);
            return winner.Result;
        }

        // The first to finish failed: the other may still answer.
        try
        {
            return await loser.ConfigureAwait(false);
        }
        catch (LiteLlmException)
        {
            await winner.ConfigureAwait(false); // rethrows the first failure
            throw;
        }
    }

    private static void DisposeWhenDone<T>(Task<(T Result, DeploymentState Deployment)> loser)
        => _ = loser.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully && t.Result.Result is IAsyncDisposable disposable)
                {
                    _ = disposable.DisposeAsync().AsTask();
                }

                _ = t.Exception; // observed
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>
    /// The next fallback for <paramref name="error"/>: context-window and content-policy errors use only their own lists;
    /// bad requests and authentication errors none (they fail everywhere); anything else the request's <c>fallbacks</c>,
    /// else the group's configured ones, else the <c>"*"</c> entry, else <c>default_fallbacks</c>.
    /// </summary>
    private (string Group, FallbackTarget Target)? NextFallback(RouterRequest request, LiteLlmException error)
    {
        var routing = request.Routing;
        IReadOnlyList<FallbackTarget>? candidates = error switch
        {
            ContextWindowExceededException => routing?.ContextWindowFallbacks?.For(request.Group, request.Model) ?? Configured(_options.ContextWindowFallbacks, request),
            ContentPolicyViolationException => routing?.ContentPolicyFallbacks?.For(request.Group, request.Model) ?? Configured(_options.ContentPolicyFallbacks, request),
            BadRequestException or AuthenticationException => null,
            _ => routing?.Fallbacks?.For(request.Group, request.Model) ?? Configured(_options.Fallbacks, request)
                ?? (_options.DefaultFallbacks.Count > 0 ? _options.DefaultFallbacks.Select(g => new FallbackTarget(g)).ToArray() : null),
        };

        foreach (var candidate in candidates ?? [])
        {
            if (TryResolveGroup(candidate.Model) is { } group
                && (!string.Equals(group, request.Group, StringComparison.OrdinalIgnoreCase)
                    || (ModelPattern.IsPattern(group) && !string.Equals(candidate.Model, request.Model, StringComparison.OrdinalIgnoreCase)))
                && !request.Trace.Fallbacks.Contains(candidate.Model, StringComparer.OrdinalIgnoreCase))
            {
                return (group, candidate);
            }
        }

        return null;
    }

    private static FallbackTarget[]? Configured(IDictionary<string, IReadOnlyList<string>> map, RouterRequest request)
        => (Lookup(map, request.Model) ?? Lookup(map, request.Group) ?? Lookup(map, "*"))?.Select(g => new FallbackTarget(g)).ToArray();

    private static IReadOnlyList<string>? Lookup(IDictionary<string, IReadOnlyList<string>> map, string group)
        => map.TryGetValue(group, out var list) && list.Count > 0 ? list : null;

    private static Models.ModelInfo? SafeResolve(LiteLlmClientFactory factory, Deployment deployment)
    {
        if (ModelPattern.IsPattern(deployment.Model))
        {
            return null; // a wildcard deployment is priced per call, by the model it serves
        }

        try
        {
            return factory.Resolve(deployment.Model).Info;
        }
        catch (UnknownModelException) when (deployment.Client is not null || deployment.EmbeddingGenerator is not null)
        {
            return null; // a custom client needs no resolvable model string
        }
    }

    private static IRoutingStrategy ResolveStrategy(RouterOptions options)
    {
        IRoutingStrategy[] builtIn = [new SimpleShuffleStrategy(), new LeastBusyStrategy(), new UsageBasedStrategy(), new LatencyBasedStrategy(), new CostBasedStrategy()];
        var name = options.RoutingStrategy;
        return options.CustomStrategies.Concat(builtIn).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown routing strategy '{name}'. Known: "
                + string.Join(", ", options.CustomStrategies.Concat(builtIn).Select(s => s.Name)) + ".", nameof(options));
    }

    private void Validate()
    {
        foreach (var (name, map) in new[] { ("fallbacks", _options.Fallbacks), ("context_window_fallbacks", _options.ContextWindowFallbacks), ("content_policy_fallbacks", _options.ContentPolicyFallbacks) })
        {
            foreach (var (group, targets) in map)
            {
                foreach (var target in targets.Where(t => TryResolveGroup(t) is null))
                {
                    throw new ArgumentException($"{name}: '{group}' falls back to '{target}', which is not a model group of this router.");
                }
            }
        }

        foreach (var (alias, target) in _options.ModelGroupAlias.Where(a => !_groups.ContainsKey(a.Value)))
        {
            throw new ArgumentException($"model_group_alias: '{alias}' points to '{target}', which is not a model group of this router.");
        }
    }

    private ResiliencePipeline BuildPipeline()
    {
        var policy = _options.RetryPolicy;
        var maxRetries = new[] { _options.NumRetries, policy.BadRequest, policy.Authentication, policy.ContentPolicy, policy.ContextWindow, policy.NotFound, policy.RateLimit ?? 0, policy.Timeout ?? 0, policy.InternalServer ?? 0 }.Max();
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };

        // The strategy is there even with no retries configured: a request may ask for its own num_retries.
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(maxRetries, MaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.RetryBaseDelay,
            MaxDelay = _options.MaxRetryDelay,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is LiteLlmException e
                && args.AttemptNumber < RetriesFor(e, args.Context.Properties.GetValue(StateKey, null!)?.Request)),
            DelayGenerator = args =>
            {
                // Another healthy deployment: go at once. Otherwise honour Retry-After, else exponential back-off with jitter.
                var state = args.Context.Properties.GetValue(StateKey, null!);
                TimeSpan? delay = state is { HasAlternative: true } ? TimeSpan.Zero
                    : args.Outcome.Exception switch
                    {
                        RateLimitException { RetryAfter: { } after } => Min(after, _options.MaxRetryDelay),
                        ServiceUnavailableException { RetryAfter: { } after } => Min(after, _options.MaxRetryDelay),
                        _ => null,
                    };
                return ValueTask.FromResult(delay);
            },
            OnRetry = args =>
            {
                LogRetry(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.GetType().Name);
                return ValueTask.CompletedTask;
            },
        });

        return builder.Build();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>How many retries the policy allows for <paramref name="error"/>: per error kind, with the request's own num_retries if it set one.</summary>
    private int RetriesFor(LiteLlmException error, RouterRequest? request)
        => _options.RetryPolicy.RetriesFor(error, request?.NumRetries ?? _options.NumRetries);

    /// <summary>Per-group attempt state; lives for one request's tries within one model group.</summary>
    private sealed class AttemptState(string group, RouterRequest request)
    {
        public string Group { get; } = group;

        public RouterRequest Request { get; } = request;

        public List<DeploymentState> Tried { get; } = [];

        public bool HasAlternative { get; set; }

        /// <summary>The first attempt's failure, made outside the retry pipeline and replayed as its first outcome.</summary>
        public LiteLlmException? FirstFailure { get; set; }
    }
}
