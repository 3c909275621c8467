using System.Globalization;
using LiteLlm.Models;
using LiteLlm.Providers;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;

namespace LiteLlm.Configuration;

/// <summary>Turns the config tree (dictionaries, lists, strings) into <see cref="LiteLlmConfig"/>, with paths in every message.</summary>
internal sealed partial class ConfigParser
{
    private static readonly HashSet<string> TopLevel = ["model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables"];

    // litellm_params that configure the deployment; anything else goes to the provider as a request parameter.
    private static readonly HashSet<string> DeploymentKeys =
    [
        "model", "api_key", "api_base", "base_url", "api_version", "rpm", "tpm", "weight", "order", "timeout", "stream_timeout",
        "max_parallel_requests", "cooldown_time", "extra_headers", "organization", "input_cost_per_token", "output_cost_per_token",
        "max_input_tokens", "mock_response", "mock_tool_calls", "mock_latency", "drop_params", "tags", "use_responses_api", "replay_file",
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name", "aws_bedrock_runtime_endpoint",
    ];

    private static readonly HashSet<string> ProviderSettingKeys =
    [
        "mock_response", "mock_tool_calls", "mock_latency", "drop_params", "use_responses_api", "replay_file",
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name",
    ];

    private readonly Func<string, string?> _processEnvironment;
    private readonly List<string> _warnings = [];
    private readonly List<string> _errors = [];
    private Dictionary<string, string> _configEnvironment = new(StringComparer.Ordinal);

    public ConfigParser(Func<string, string?> environment) => _processEnvironment = environment;

    public LiteLlmConfig Parse(object? root)
    {
        if (root is null)
        {
            return new LiteLlmConfig { Errors = ["The config is empty: it needs at least a model_list."] };
        }

        if (root is not Dictionary<string, object?> map)
        {
            return new LiteLlmConfig { Errors = ["The config must be a mapping with model_list, router_settings, litellm_settings, general_settings."] };
        }

        foreach (var key in map.Keys.Where(k => !TopLevel.Contains(k)))
        {
            _warnings.Add($"{key}: unknown top-level section, ignored.");
        }

        _configEnvironment = Map(map, "environment_variables", "environment_variables")?
            .Where(p => p.Value is string)
            .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal) ?? new(StringComparer.Ordinal);

        var litellm = ParseLitellm(Map(map, "litellm_settings", "litellm_settings"));
        var modelList = ParseModelList(map.GetValueOrDefault("model_list"), litellm);
        var config = new LiteLlmConfig
        {
            ModelList = modelList,
            ModelOverrides = CustomPrices,
            Router = ParseRouter(Map(map, "router_settings", "router_settings")),
            Litellm = litellm,
            General = ParseGeneral(Map(map, "general_settings", "general_settings")),
            EnvironmentVariables = _configEnvironment,
            Warnings = _warnings,
            Errors = _errors,
        };
        return config;
    }

    /// <summary>Reads an environment variable as the config sees it: its own environment_variables first.</summary>
    public string? Environment(string name) => _configEnvironment.TryGetValue(name, out var v) ? v : _processEnvironment(name);

    private List<Deployment> ParseModelList(object? node, LitellmSettings litellm)
    {
        var result = new List<Deployment>();
        if (node is null)
        {
            _errors.Add("model_list: missing; at least one model is needed.");
            return result;
        }

        if (node is not List<object?> list)
        {
            _errors.Add("model_list: must be a list of {model_name, litellm_params}.");
            return result;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var path = $"model_list[{i}]";
            if (list[i] is not Dictionary<string, object?> entry)
            {
                _errors.Add($"{path}: must be a mapping with model_name and litellm_params.");
                continue;
            }

            foreach (var key in entry.Keys.Where(k => k is not ("model_name" or "litellm_params" or "model_info")))
            {
                _warnings.Add($"{path}.{key}: unknown key, ignored.");
            }

            var group = Str(entry, "model_name", path);
            var p = Map(entry, "litellm_params", path + ".litellm_params");
            var info = Map(entry, "model_info", path + ".model_info");
            var model = p is null ? null : Str(p, "model", path + ".litellm_params");
            if (group is null || model is null)
            {
                _errors.Add($"{path}: needs model_name and litellm_params.model (e.g. model_name: gpt-4o, litellm_params: {{model: openai/gpt-4o}}).");
                continue;
            }

            ValidateModel(model, group, path);
            if (model == "mock/replay" && p!.GetValueOrDefault("replay_file") is not string { Length: > 0 })
            {
                _errors.Add($"{path}.litellm_params.replay_file: mock/replay needs the JSONL file a recording wrote (UseRecording, litellm_settings.record_file).");
            }

            result.Add(ParseDeployment(group, model, p!, info, path, litellm));
        }

        return result;
    }

    private Deployment ParseDeployment(string group, string model, Dictionary<string, object?> p, Dictionary<string, object?>? info, string path, LitellmSettings litellm)
    {
        var pp = path + ".litellm_params";
        var settings = new Dictionary<string, object?>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in p)
        {
            if (ProviderSettingKeys.Contains(key))
            {
                settings[key] = key.StartsWith("aws_", StringComparison.Ordinal) ? Resolve(value as string, $"{pp}.{key}") : value;
            }
            else if (!DeploymentKeys.Contains(key))
            {
                // LiteLLM passes unknown litellm_params to the provider; so do we, and say so.
                parameters[key] = value;
                _warnings.Add($"{pp}.{key}: not a deployment setting; sent to the provider as a request parameter.");
            }
        }

        if (litellm.DropParams && !settings.ContainsKey("drop_params"))
        {
            settings["drop_params"] = true;
        }

        var headers = Map(p, "extra_headers", pp + ".extra_headers")?.ToDictionary(h => h.Key, h => Resolve(h.Value?.ToString(), $"{pp}.extra_headers.{h.Key}") ?? string.Empty);
        var maxInput = Int(p, "max_input_tokens", pp) ?? (info is null ? null : Int(info, "max_input_tokens", path + ".model_info"));
        if (info is not null)
        {
            foreach (var key in info.Keys.Where(k => k is not ("id" or "max_input_tokens" or "max_output_tokens" or "base_model" or "mode" or "input_cost_per_token" or "output_cost_per_token" or "supports_function_calling" or "supports_vision" or "access_groups")))
            {
                _warnings.Add($"{path}.model_info.{key}: unknown key, ignored.");
            }
        }

        var timeout = Seconds(p, "timeout", pp) ?? litellm.RequestTimeout;
        ConfigureCustomPrice(model, p, info, pp);
        var deployment = new Deployment
        {
            ModelGroup = group,
            Model = model,
            Provider = new ProviderOptions
            {
                ApiKey = Resolve(Str(p, "api_key", pp), pp + ".api_key"),
                ApiBase = Resolve(Str(p, "api_base", pp) ?? Str(p, "base_url", pp), pp + ".api_base"),
                ApiVersion = Resolve(Str(p, "api_version", pp), pp + ".api_version"),
                Headers = headers,
                Timeout = timeout,
                Settings = settings.Count > 0 ? settings : null,
            },
            Rpm = Int(p, "rpm", pp),
            Tpm = Int(p, "tpm", pp),
            Weight = Dbl(p, "weight", pp),
            Order = Int(p, "order", pp),
            MaxParallelRequests = Int(p, "max_parallel_requests", pp),
            CooldownTime = Seconds(p, "cooldown_time", pp),
            StreamTimeout = Seconds(p, "stream_timeout", pp),
            MaxInputTokens = maxInput,
            Tags = StrList(p, "tags", pp),
            AccessGroups = info is null ? [] : StrList(info, "access_groups", path + ".model_info"),
            ConfigureOptions = parameters.Count == 0 ? null : DeploymentParameters.Apply(parameters),
        };
        return info is not null && Str(info, "id", path + ".model_info") is { } id ? deployment with { Id = id } : deployment;
    }

    private void ConfigureCustomPrice(string model, Dictionary<string, object?> p, Dictionary<string, object?>? info, string path)
    {
        var input = Dec(p, "input_cost_per_token", path) ?? (info is null ? null : Dec(info, "input_cost_per_token", path));
        var output = Dec(p, "output_cost_per_token", path) ?? (info is null ? null : Dec(info, "output_cost_per_token", path));
        if (input is null && output is null)
        {
            return;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        CustomPrices.Add(new ModelInfo
        {
            Name = model,
            Provider = slash > 0 ? model[..slash] : "custom",
            Mode = "chat",
            InputCostPerToken = input,
            OutputCostPerToken = output,
            MaxInputTokens = Int(p, "max_input_tokens", path),
        });
    }

    /// <summary>Gets the per-deployment prices the config sets (registered in the catalog by the host).</summary>
    public List<ModelInfo> CustomPrices { get; } = [];

    private LitellmSettings ParseLitellm(Dictionary<string, object?>? l)
    {
        if (l is null)
        {
            return new LitellmSettings();
        }

        const string P = "litellm_settings";
        Unknown(l, ["drop_params", "num_retries", "request_timeout", "cache", "cache_params", "callbacks", "success_callback", "failure_callback",
            "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "default_fallbacks", "set_verbose", "json_logs", "record_file", "record_redact_fields"], P);
        var callbacks = StrList(l, "callbacks", P).Concat(StrList(l, "success_callback", P)).Concat(StrList(l, "failure_callback", P)).Distinct().ToList();
        foreach (var name in callbacks)
        {
            _warnings.Add($"{P}.callbacks: '{name}' is a LiteLLM integration this library does not ship; register an ILiteLlmCallback instead.");
        }

        var cacheParams = Map(l, "cache_params", P + ".cache_params");
        return new LitellmSettings
        {
            DropParams = Bool(l, "drop_params", P) ?? false,
            NumRetries = Int(l, "num_retries", P),
            RequestTimeout = Seconds(l, "request_timeout", P),
            Cache = Bool(l, "cache", P) ?? false,
            CacheParams = cacheParams is null ? null : new CacheSettings
            {
                Type = Str(cacheParams, "type", P + ".cache_params") ?? "local",
                RedisConfiguration = Redis(cacheParams, P + ".cache_params"),
                Ttl = Seconds(cacheParams, "ttl", P + ".cache_params"),
                Namespace = Str(cacheParams, "namespace", P + ".cache_params"),
            },
            Callbacks = callbacks,
            Fallbacks = Fallbacks(l, "fallbacks", P),
            ContextWindowFallbacks = Fallbacks(l, "context_window_fallbacks", P),
            ContentPolicyFallbacks = Fallbacks(l, "content_policy_fallbacks", P),
            DefaultFallbacks = StrList(l, "default_fallbacks", P),
            RecordFile = Str(l, "record_file", P),
            RecordRedactFields = StrList(l, "record_redact_fields", P),
        };
    }

    private GeneralSettings ParseGeneral(Dictionary<string, object?>? g)
    {
        if (g is null)
        {
            return new GeneralSettings();
        }

        const string P = "general_settings";
        HashSet<string> known = ["master_key", "database_url", "allowed_ips", "max_request_size_mb"];
        return new GeneralSettings
        {
            MasterKey = Resolve(Str(g, "master_key", P), P + ".master_key"),
            DatabaseUrl = Resolve(Str(g, "database_url", P), P + ".database_url"),
            AllowedIps = StrList(g, "allowed_ips", P),
            MaxRequestSizeMb = Dbl(g, "max_request_size_mb", P),
            Other = g.Where(p => !known.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };
    }

    private string? Redis(Dictionary<string, object?> map, string path)
    {
        if (Resolve(Str(map, "redis_url", path), path + ".redis_url") is { } url)
        {
            // redis://[:password@]host:port → StackExchange.Redis configuration
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss")
            {
                var password = uri.UserInfo.Contains(':', StringComparison.Ordinal) ? uri.UserInfo[(uri.UserInfo.IndexOf(':', StringComparison.Ordinal) + 1)..] : null;
                return $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}" + (string.IsNullOrEmpty(password) ? string.Empty : ",password=" + Uri.UnescapeDataString(password)) + (uri.Scheme == "rediss" ? ",ssl=true" : string.Empty);
            }

            return url;
        }

        var host = Resolve(Str(map, "redis_host", path) ?? Str(map, "host", path), path + ".redis_host");
        if (host is null)
        {
            return null;
        }

        var port = Resolve(Str(map, "redis_port", path) ?? Str(map, "port", path), path + ".redis_port") ?? "6379";
        var pwd = Resolve(Str(map, "redis_password", path) ?? Str(map, "password", path), path + ".redis_password");
        return $"{host}:{port}" + (string.IsNullOrEmpty(pwd) ? string.Empty : ",password=" + pwd);
    }

    private List<string> ToStrings(object? value, string path)
    {
        switch (value)
        {
            case string s:
                return [s];
            case List<object?> list when list.All(x => x is string):
                return list.Cast<string>().ToList();
            default:
                _errors.Add($"{path}: must be a list of model group names.");
                return [];
        }
    }

    private List<string> StrList(Dictionary<string, object?> map, string key, string path)
        => map.GetValueOrDefault(key) is { } value ? ToStrings(value, $"{path}.{key}") : [];

    private void Unknown(Dictionary<string, object?> map, HashSet<string> known, string path)
    {
        foreach (var key in map.Keys.Where(k => !known.Contains(k)))
        {
            _warnings.Add($"{path}.{key}: unknown key, ignored.");
        }
    }

    private string? Resolve(string? value, string path)
    {
        const string Prefix = "os.environ/";
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return value;
        }

        var name = value[Prefix.Length..];
        var resolved = Environment(name);
        if (resolved is null)
        {
            _warnings.Add($"{path}: {value} is not set.");
        }

        return resolved;
    }

    private Dictionary<string, object?>? Map(Dictionary<string, object?> map, string key, string path)
    {
        switch (map.GetValueOrDefault(key))
        {
            case null:
                return null;
            case Dictionary<string, object?> d:
                return d;
            default:
                _errors.Add($"{path}: must be a mapping.");
                return null;
        }
    }

    private string? Str(Dictionary<string, object?> map, string key, string path)
    {
        switch (map.GetValueOrDefault(key))
        {
            case null:
                return null;
            case string s:
                return s;
            default:
                _errors.Add($"{path}.{key}: must be a single value.");
                return null;
        }
    }

    private int? Int(Dictionary<string, object?> map, string key, string path)
        => Num(map, key, path) is { } d ? (int)Math.Min(int.MaxValue, d) : null;

    private double? Dbl(Dictionary<string, object?> map, string key, string path) => Num(map, key, path);

    private TimeSpan? Seconds(Dictionary<string, object?> map, string key, string path)
        => Num(map, key, path) is { } d ? TimeSpan.FromSeconds(d) : null;

    private decimal? Dec(Dictionary<string, object?> map, string key, string path)
    {
        var s = Resolve(Str(map, key, path), $"{path}.{key}");
        if (s is null)
        {
            return null;
        }

        if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        _errors.Add($"{path}.{key}: '{s}' is not a number.");
        return null;
    }

    private double? Num(Dictionary<string, object?> map, string key, string path)
    {
        var s = Resolve(Str(map, key, path), $"{path}.{key}");
        if (s is null)
        {
            return null;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0)
        {
            return d;
        }

        _errors.Add($"{path}.{key}: '{s}' is not a non-negative number.");
        return null;
    }

    private bool? Bool(Dictionary<string, object?> map, string key, string path)
    {
        var s = Resolve(Str(map, key, path), $"{path}.{key}");
        switch (s?.ToUpperInvariant())
        {
            case null:
                return null;
            case "TRUE" or "YES" or "ON" or "1":
                return true;
            case "FALSE" or "NO" or "OFF" or "0":
                return false;
            default:
                _errors.Add($"{path}.{key}: '{s}' is not true or false.");
                return null;
        }
    }
}

/// <summary>Applies a deployment's request parameters (temperature, max_tokens, provider-specific ones) as defaults.</summary>
internal static class DeploymentParameters
{
    public static Action<ChatOptions> Apply(IReadOnlyDictionary<string, object?> parameters) => options =>
    {
        foreach (var (key, value) in parameters)
        {
            var text = value as string;
            var number = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : (double?)null;
            switch (key)
            {
                case "temperature" when number is not null:
                    options.Temperature ??= (float)number;
                    break;
                case "top_p" when number is not null:
                    options.TopP ??= (float)number;
                    break;
                case "max_tokens" or "max_completion_tokens" when number is not null:
                    options.MaxOutputTokens ??= (int)number;
                    break;
                case "seed" when number is not null:
                    options.Seed ??= (long)number;
                    break;
                default:
                    var properties = options.AdditionalProperties ??= [];
                    if (!properties.ContainsKey(key))
                    {
                        properties[key] = value;
                    }

                    break;
            }
        }
    };
}
