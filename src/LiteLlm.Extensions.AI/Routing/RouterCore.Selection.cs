using LiteLlm.Errors;

namespace LiteLlm.Routing;

internal sealed partial class RouterCore
{
    internal const string NoDeploymentsCode = "no_deployments_available";

    /// <summary>
    /// Chooses a deployment of the attempt's group: healthy (not cooling down), under its rpm/tpm and
    /// parallel limits, big enough for the prompt; then the lowest order tier; then the strategy.
    /// </summary>
    private async ValueTask<DeploymentState> SelectAsync(AttemptState state, DeploymentState? exclude, CancellationToken cancellationToken)
    {
        var all = _groups[state.Group];
        var now = _time.GetUtcNow();
        var usage = await _store.GetAsync(_groupIds[state.Group], now, cancellationToken).ConfigureAwait(false);
        var estimate = state.Request.EstimatedPromptTokens;
        var eligible = _options.EnableTagFiltering ? ByTags(all, state) : null;
        var candidates = new List<DeploymentState>(all.Length);
        TimeSpan? soonest = null;
        var tooSmall = 0;
        for (var i = 0; i < all.Length; i++)
        {
            var s = all[i];
            var u = usage[i];
            s.RequestsThisMinute = u.Requests;
            s.TokensThisMinute = u.Tokens;
            var d = s.Deployment;
            if (ReferenceEquals(s, exclude) || eligible?[i] == false)
            {
                continue;
            }

            if (u.CooldownUntil is { } cooling)
            {
                // Another replica may have cooled it down: the health the metrics report follows the shared store.
                s.MarkCooledDown(cooling);
            }

            if (u.CooldownUntil is { } until && all.Length > 1)
            {
                soonest = Earlier(soonest, until - now);
                continue;
            }

            if ((d.Rpm is { } rpm && u.Requests >= rpm) || (d.Tpm is { } tpm && u.Tokens + estimate > tpm))
            {
                soonest = Earlier(soonest, TimeSpan.FromSeconds(60 - (now.ToUnixTimeSeconds() % 60)));
                continue;
            }

            if (d.MaxParallelRequests is { } parallel && s.InFlight >= parallel)
            {
                soonest = Earlier(soonest, TimeSpan.FromSeconds(1));
                continue;
            }

            if (_options.EnablePreCallChecks && s.MaxInputTokens is { } max && estimate > max)
            {
                tooSmall++;
                continue;
            }

            candidates.Add(s);
        }

        if (candidates.Count == 0)
        {
            if (exclude is null && tooSmall > 0 && soonest is null)
            {
                throw new ContextWindowExceededException(new ProviderErrorDetails("router", state.Group, null,
                    $"The prompt (about {estimate} tokens) exceeds the context window of every deployment of '{state.Group}'.", "context_window_exceeded"));
            }

            RouterMetrics.NoDeployments.Add(1, new KeyValuePair<string, object?>("model_group", state.Group));
            throw new RateLimitException(
                new ProviderErrorDetails("router", state.Group, 429, $"No deployments available for model group '{state.Group}'. Try again in {Math.Ceiling((soonest ?? TimeSpan.FromSeconds(1)).TotalSeconds)} seconds.", NoDeploymentsCode),
                soonest ?? TimeSpan.FromSeconds(1));
        }

        // Prefer deployments this request has not failed on yet.
        if (state.Tried.Count > 0 && candidates.Count > 1)
        {
            var fresh = candidates.Where(c => !state.Tried.Contains(c)).ToList();
            if (fresh.Count > 0)
            {
                candidates = fresh;
            }
        }

        var pick = _strategy.Pick(new RoutingRequest(state.Group, state.Request.IsStreaming, estimate), LowestTier(candidates));
        state.Tried.Add(pick);
        state.HasAlternative = candidates.Count > 1;
        await _store.AddUsageAsync(pick.Deployment.Id, 1, 0, now, cancellationToken).ConfigureAwait(false);
        return pick;
    }

    /// <summary>
    /// LiteLLM's tag filtering: a tagged request may use the deployments sharing one of its tags, else those tagged
    /// <c>default</c>, else none (a 400); an untagged request the <c>default</c>-tagged deployments, else all.
    /// </summary>
    private static bool[] ByTags(DeploymentState[] all, AttemptState state)
    {
        const string Default = "default";
        var tags = state.Request.Routing?.Tags;
        var matching = new bool[all.Length];
        var defaults = new bool[all.Length];
        bool anyMatching = false, anyDefault = false;
        for (var i = 0; i < all.Length; i++)
        {
            var own = all[i].Deployment.Tags;
            matching[i] = tags is { Count: > 0 } && own.Any(t => tags.Contains(t, StringComparer.Ordinal));
            defaults[i] = own.Contains(Default, StringComparer.Ordinal);
            anyMatching |= matching[i];
            anyDefault |= defaults[i];
        }

        if (anyMatching)
        {
            return matching;
        }

        if (anyDefault)
        {
            return defaults;
        }

        if (tags is { Count: > 0 })
        {
            throw new BadRequestException(new ProviderErrorDetails("router", state.Group, 400,
                $"No deployment of '{state.Group}' has any of the tags [{string.Join(", ", tags)}], and none is tagged 'default' (router_settings.enable_tag_filtering).",
                "no_deployments_with_tag_routing"));
        }

        return Array.ConvertAll(all, _ => true);
    }

    /// <summary>
    /// Cools a deployment down: at once on 429, 401, 404 and time-outs; after more than
    /// <see cref="RouterOptions.AllowedFails"/> other transient failures within the window. A group's
    /// only deployment is never cooled down. Bad requests are the caller's fault, not the deployment's.
    /// </summary>
    private async ValueTask OnFailureAsync(DeploymentState deployment, LiteLlmException error, AttemptState state)
    {
        LogAttemptFailed(deployment.Deployment.Id, state.Group, error.Kind);
        var cooldown = deployment.Deployment.CooldownTime ?? _options.CooldownTime;
        var immediate = error is RateLimitException or AuthenticationException or PermissionDeniedException or NotFoundException or ProviderTimeoutException;
        if (immediate || error.IsTransient)
        {
            deployment.MarkFailed();
        }

        if (_options.DisableCooldowns || _groups[state.Group].Length == 1 || cooldown <= TimeSpan.Zero)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (!immediate)
        {
            if (!error.IsTransient)
            {
                return;
            }

            var fails = await _store.AddFailureAsync(deployment.Deployment.Id, _options.AllowedFailsWindow, now, CancellationToken.None).ConfigureAwait(false);
            if (fails <= _options.AllowedFails)
            {
                return;
            }
        }

        if (error is RateLimitException { RetryAfter: { } retryAfter } && retryAfter > cooldown)
        {
            cooldown = retryAfter < TimeSpan.FromMinutes(5) ? retryAfter : TimeSpan.FromMinutes(5);
        }

        LogCooldown(deployment.Deployment.Id, state.Group, cooldown.TotalSeconds, error.Kind);
        RouterMetrics.Cooldowns.Add(1, new KeyValuePair<string, object?>("model_group", state.Group), new KeyValuePair<string, object?>("deployment", deployment.Deployment.Id));
        deployment.MarkCooledDown(now + cooldown);
        await _store.CoolDownAsync(deployment.Deployment.Id, now + cooldown, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The candidates of the lowest order tier (the list itself when they share one, as they usually do).</summary>
    private static List<DeploymentState> LowestTier(List<DeploymentState> candidates)
    {
        var tier = int.MaxValue;
        var mixed = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            var order = candidates[i].Deployment.Order ?? int.MaxValue;
            mixed |= i > 0 && order != tier;
            tier = Math.Min(tier, order);
        }

        if (!mixed)
        {
            return candidates;
        }

        var result = new List<DeploymentState>(candidates.Count);
        foreach (var c in candidates)
        {
            if ((c.Deployment.Order ?? int.MaxValue) == tier)
            {
                result.Add(c);
            }
        }

        return result;
    }

    private static TimeSpan Earlier(TimeSpan? current, TimeSpan candidate)
        => current is { } c && c < candidate ? c : candidate;
}
