using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Providers;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;

namespace LiteLlm.Configuration;

/// <summary>The routing part of the config: model strings, router_settings, fallbacks in every LiteLLM form.</summary>
internal sealed partial class ConfigParser
{
    /// <summary>An unknown or misspelled provider stops the config with one line naming the entry and the accepted prefixes.</summary>
    private void ValidateModel(string model, string group, string path)
    {
        if (model == "*")
        {
            return; // LiteLLM's catch-all: the caller's model string is the provider model
        }

        var probe = ModelPattern.IsPattern(model) ? model.Replace("*", "x", StringComparison.Ordinal) : model;
        try
        {
            _ = Resolver.Resolve(probe);
        }
        catch (UnknownModelException e)
        {
            _errors.Add($"{path} (model_name '{group}'): litellm_params.model: " + e.Message.Replace(probe, model, StringComparison.Ordinal));
        }
    }

    private static readonly ModelResolver Resolver = new(ProviderRegistry.Default, ModelCatalog.Default);

    private RouterSettings ParseRouter(Dictionary<string, object?>? r)
    {
        if (r is null)
        {
            return new RouterSettings();
        }

        const string P = "router_settings";
        HashSet<string> known = ["routing_strategy", "num_retries", "timeout", "stream_timeout", "allowed_fails", "cooldown_time", "disable_cooldowns", "max_fallbacks",
            "enable_pre_call_checks", "retry_policy", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "default_fallbacks", "model_group_alias",
            "redis_host", "redis_port", "redis_password", "redis_url", "enable_tag_filtering",
            "hedge_after", "hedge_max_share", "hedge_percentile", "budget_aware_max_tokens", "budget_aware_min_tokens"];
        var adaptive = string.Equals(r.GetValueOrDefault("hedge_after") as string, "adaptive", StringComparison.OrdinalIgnoreCase);
        var share = Dbl(r, "hedge_max_share", P);
        var percentile = Dbl(r, "hedge_percentile", P);
        if (share > 1 || percentile is <= 0 or > 1)
        {
            _errors.Add($"{P}: hedge_max_share and hedge_percentile are fractions between 0 and 1 (e.g. 0.05, 0.95).");
        }

        Unknown(r, known, P);
        return new RouterSettings
        {
            RoutingStrategy = Str(r, "routing_strategy", P),
            NumRetries = Int(r, "num_retries", P),
            Timeout = Seconds(r, "timeout", P),
            StreamTimeout = Seconds(r, "stream_timeout", P),
            AllowedFails = Int(r, "allowed_fails", P),
            CooldownTime = Seconds(r, "cooldown_time", P),
            DisableCooldowns = Bool(r, "disable_cooldowns", P) ?? false,
            MaxFallbacks = Int(r, "max_fallbacks", P),
            EnablePreCallChecks = Bool(r, "enable_pre_call_checks", P) ?? false,
            EnableTagFiltering = Bool(r, "enable_tag_filtering", P) ?? false,
            HedgeAfter = adaptive ? null : Seconds(r, "hedge_after", P),
            AdaptiveHedging = adaptive,
            HedgeMaxShare = share,
            HedgePercentile = percentile,
            BudgetAwareMaxTokens = Bool(r, "budget_aware_max_tokens", P) ?? false,
            BudgetAwareMinTokens = Int(r, "budget_aware_min_tokens", P) is { } floor ? Math.Max(1, floor) : 256,
            RetryPolicy = ParseRetryPolicy(Map(r, "retry_policy", P + ".retry_policy")),
            Fallbacks = Fallbacks(r, "fallbacks", P),
            ContextWindowFallbacks = Fallbacks(r, "context_window_fallbacks", P),
            ContentPolicyFallbacks = Fallbacks(r, "content_policy_fallbacks", P),
            DefaultFallbacks = StrList(r, "default_fallbacks", P),
            ModelGroupAlias = Aliases(r, P),
            RedisConfiguration = Redis(r, P),
            FallbackMessages = FallbackMessages,
        };
    }

    private RetryPolicy? ParseRetryPolicy(Dictionary<string, object?>? p)
    {
        if (p is null)
        {
            return null;
        }

        const string P = "router_settings.retry_policy";
        Unknown(p, ["BadRequestErrorRetries", "AuthenticationErrorRetries", "TimeoutErrorRetries", "RateLimitErrorRetries", "ContentPolicyViolationErrorRetries", "InternalServerErrorRetries"], P);
        return new RetryPolicy
        {
            BadRequest = Int(p, "BadRequestErrorRetries", P) ?? 0,
            Authentication = Int(p, "AuthenticationErrorRetries", P) ?? 0,
            Timeout = Int(p, "TimeoutErrorRetries", P),
            RateLimit = Int(p, "RateLimitErrorRetries", P),
            ContentPolicy = Int(p, "ContentPolicyViolationErrorRetries", P) ?? 0,
            InternalServer = Int(p, "InternalServerErrorRetries", P),
        };
    }

    /// <summary>Gets the messages fallback targets bring (<c>{model, messages}</c> targets), by target.</summary>
    private Dictionary<string, IReadOnlyList<ChatMessage>> FallbackMessages { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reads fallbacks in every LiteLLM form, with the request parameter's reader: a list of one-entry mappings
    /// (<c>[{"gpt-4o": ["claude"]}]</c>), a plain mapping, targets as names or <c>{model, messages}</c>, and a list of names
    /// (for every group, as the <c>"*"</c> entry).
    /// </summary>
    private Dictionary<string, IReadOnlyList<string>> Fallbacks(Dictionary<string, object?> map, string key, string path)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (map.GetValueOrDefault(key) is not { } node)
        {
            return result;
        }

        if (node is string)
        {
            _errors.Add($"{path}.{key}: must be a list of mappings like [{{\"gpt-4o\": [\"claude-3-5-sonnet\"]}}] (or a list of model names for every group).");
            return result;
        }

        FallbackList? list;
        try
        {
            list = FallbackList.Parse(ToJson(node), $"{path}.{key}");
        }
        catch (UnsupportedParameterException e)
        {
            _errors.Add(e.ProviderMessage ?? e.Message);
            return result;
        }

        foreach (var (group, targets) in (list?.ByGroup ?? new Dictionary<string, IReadOnlyList<FallbackTarget>>()).Append(new("*", list?.ForAny ?? [])))
        {
            if (targets.Count == 0)
            {
                continue;
            }

            result[group] = targets.Select(t => t.Model).ToList();
            foreach (var target in targets.Where(t => t.Messages is not null))
            {
                FallbackMessages[target.Model] = target.Messages!;
            }
        }

        return result;
    }

    /// <summary>The YAML/configuration tree as JSON (scalars stay strings: model names are strings either way).</summary>
    private static JsonElement ToJson(object? node)
    {
        static JsonNode? Convert(object? value) => value switch
        {
            null => null,
            Dictionary<string, object?> d => new JsonObject(d.Select(p => KeyValuePair.Create(p.Key, Convert(p.Value)))),
            List<object?> l => new JsonArray(l.Select(Convert).ToArray()),
            _ => JsonValue.Create(System.Convert.ToString(value, CultureInfo.InvariantCulture)),
        };

        using var document = JsonDocument.Parse(Convert(node)?.ToJsonString() ?? "null");
        return document.RootElement.Clone();
    }

    private Dictionary<string, string> Aliases(Dictionary<string, object?> map, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, value) in Map(map, "model_group_alias", path + ".model_group_alias") ?? [])
        {
            var target = value switch
            {
                string s => s,
                Dictionary<string, object?> d => d.GetValueOrDefault("model") as string,
                _ => null,
            };
            if (target is null)
            {
                _errors.Add($"{path}.model_group_alias.{alias}: must name a model group.");
            }
            else
            {
                result[alias] = target;
            }
        }

        return result;
    }
}
