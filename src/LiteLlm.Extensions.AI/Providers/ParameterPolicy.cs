using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>
/// The drop_params step of <see cref="ProviderChatClient"/>: refuses, or drops, the OpenAI parameters a
/// provider does not support (<see cref="SupportedParameters"/>). The provider's row is turned into a
/// bit mask once per client, so a call that sets nothing unsupported costs a few bit tests and no allocation.
/// </summary>
internal sealed class ParameterPolicy
{
    private static readonly (Param Flag, string Name)[] Names =
    [
        (Param.Temperature, SupportedParameters.Temperature), (Param.TopP, SupportedParameters.TopP), (Param.TopK, SupportedParameters.TopK),
        (Param.MaxTokens, SupportedParameters.MaxTokens), (Param.Stop, SupportedParameters.Stop), (Param.Seed, SupportedParameters.Seed),
        (Param.FrequencyPenalty, SupportedParameters.FrequencyPenalty), (Param.PresencePenalty, SupportedParameters.PresencePenalty),
        (Param.ResponseFormat, SupportedParameters.ResponseFormat), (Param.Tools, SupportedParameters.Tools), (Param.ToolChoice, SupportedParameters.ToolChoice),
        (Param.ParallelToolCalls, SupportedParameters.ParallelToolCalls), (Param.N, SupportedParameters.N), (Param.Logprobs, SupportedParameters.Logprobs),
        (Param.TopLogprobs, SupportedParameters.TopLogprobs), (Param.LogitBias, SupportedParameters.LogitBias), (Param.User, SupportedParameters.User),
        (Param.ReasoningEffort, SupportedParameters.ReasoningEffort),
    ];

    // OpenAI Chat Completions parameters beyond the ones above: sent as they are to the OpenAI family, meaningless (and
    // refused with 400 "extra inputs are not permitted") elsewhere. Any other pass-through name is provider-specific.
    // (service_tier is Anthropic's too.)
    private static readonly System.Collections.Frozen.FrozenSet<string> OpenAIOnlyButAnthropics = System.Collections.Frozen.FrozenSet.ToFrozenSet(
        ["store", "modalities", "verbosity", "audio", "prediction", "web_search_options", "prompt_cache_key",
         "safety_identifier", "prompt_cache_retention", "prompt_cache_options", "moderation", "functions", "function_call",
         "stream_options"], StringComparer.Ordinal);

    private static readonly System.Collections.Frozen.FrozenSet<string> OpenAIOnlyForAll = System.Collections.Frozen.FrozenSet.ToFrozenSet(
        ["service_tier", "store", "modalities", "verbosity", "audio", "prediction", "web_search_options", "prompt_cache_key",
         "safety_identifier", "prompt_cache_retention", "prompt_cache_options", "moderation", "functions", "function_call",
         "stream_options"], StringComparer.Ordinal);

    private readonly Param _unsupported;
    private readonly bool _refusesOpenAIOnly;
    private readonly System.Collections.Frozen.FrozenSet<string> _openAIOnly;
    private readonly bool _dropByDefault;
    private readonly string _provider;
    private readonly string _model;

    public ParameterPolicy(ProviderEndpoint endpoint, string model, bool factoryDropsParams)
    {
        var supported = SupportedParameters.For(endpoint.Provider);
        foreach (var (flag, name) in Names)
        {
            if (!supported.Contains(name))
            {
                _unsupported |= flag;
            }
        }

        _dropByDefault = endpoint.Settings.TryGetValue(CallSettings.DropParams, out var setting) && ToBool(setting) is { } deployment
            ? deployment
            : factoryDropsParams;
        _provider = endpoint.Provider.Name;
        _model = model;
        _refusesOpenAIOnly = endpoint.Provider.Protocol is not (ProviderProtocol.OpenAI or ProviderProtocol.AzureOpenAI or ProviderProtocol.Mock or ProviderProtocol.Custom);
        _openAIOnly = endpoint.Provider.Protocol == ProviderProtocol.Anthropic ? OpenAIOnlyButAnthropics : OpenAIOnlyForAll;
    }

    [Flags]
    private enum Param
    {
        None = 0,
        Temperature = 1 << 0,
        TopP = 1 << 1,
        TopK = 1 << 2,
        MaxTokens = 1 << 3,
        Stop = 1 << 4,
        Seed = 1 << 5,
        FrequencyPenalty = 1 << 6,
        PresencePenalty = 1 << 7,
        ResponseFormat = 1 << 8,
        Tools = 1 << 9,
        ToolChoice = 1 << 10,
        ParallelToolCalls = 1 << 11,
        N = 1 << 12,
        Logprobs = 1 << 13,
        TopLogprobs = 1 << 14,
        LogitBias = 1 << 15,
        User = 1 << 16,
        ReasoningEffort = 1 << 17,
        Extras = N | Logprobs | TopLogprobs | LogitBias | User,
    }

    /// <summary>
    /// Checks <paramref name="options"/> (the call's own clone) and returns the names it dropped, or
    /// <see langword="null"/> when nothing was unsupported.
    /// </summary>
    /// <exception cref="UnsupportedParameterException">A parameter is unsupported and drop_params is off.</exception>
    public string[]? Apply(ChatOptions options)
    {
        if (_unsupported == Param.None && !_refusesOpenAIOnly)
        {
            return null;
        }

        var found = Find(options) & _unsupported;
        var openAIOnly = _refusesOpenAIOnly ? FindOpenAIOnly(options, _openAIOnly) : null;
        if (found == Param.None && openAIOnly is null)
        {
            return null;
        }

        var drop = options.AdditionalProperties is { } extra && extra.TryGetValue(CallSettings.DropParams, out var perCall) && ToBool(perCall) is { } callDrop
            ? callDrop
            : _dropByDefault;
        if (!drop)
        {
            var name = found != Param.None ? NameOf(found) : openAIOnly![0];
            throw new UnsupportedParameterException(name, new ProviderErrorDetails(_provider, _model, null,
                $"{_provider} does not support the parameter '{name}'. Remove it, or set drop_params (per call, on the deployment or on the factory) to drop unsupported parameters."));
        }

        var dropped = found == Param.None ? [] : Drop(options, found);
        if (openAIOnly is not null)
        {
            options.AdditionalProperties = new AdditionalPropertiesDictionary(options.AdditionalProperties!);
            foreach (var name in openAIOnly)
            {
                options.AdditionalProperties.Remove(name);
            }

            dropped = [.. dropped, .. openAIOnly];
        }

        return dropped;
    }

    private static List<string>? FindOpenAIOnly(ChatOptions options, System.Collections.Frozen.FrozenSet<string> openAIOnly)
    {
        List<string>? names = null;
        if (options.AdditionalProperties is { Count: > 0 } extra)
        {
            foreach (var (name, _) in extra)
            {
                if (openAIOnly.Contains(name))
                {
                    (names ??= []).Add(name);
                }
            }
        }

        return names;
    }

    private static Param Find(ChatOptions o)
    {
        var set = Param.None;
        if (o.Temperature is not null) set |= Param.Temperature;
        if (o.TopP is not null) set |= Param.TopP;
        if (o.TopK is not null) set |= Param.TopK;
        if (o.MaxOutputTokens is not null) set |= Param.MaxTokens;
        if (o.StopSequences is { Count: > 0 }) set |= Param.Stop;
        if (o.Seed is not null) set |= Param.Seed;
        if (o.FrequencyPenalty is not null) set |= Param.FrequencyPenalty;
        if (o.PresencePenalty is not null) set |= Param.PresencePenalty;
        if (o.ResponseFormat is not null and not ChatResponseFormatText) set |= Param.ResponseFormat;
        if (o.Tools is { Count: > 0 }) set |= Param.Tools;
        if (o.ToolMode is not null and not AutoChatToolMode) set |= Param.ToolChoice;
        if (o.AllowMultipleToolCalls is not null) set |= Param.ParallelToolCalls;
        if (o.Reasoning?.Effort is not null) set |= Param.ReasoningEffort;
        if (o.AdditionalProperties is { Count: > 0 } extra)
        {
            if (extra.TryGetValue(SupportedParameters.N, out var n) && !IsOne(n)) set |= Param.N;
            if (extra.ContainsKey(SupportedParameters.Logprobs)) set |= Param.Logprobs;
            if (extra.ContainsKey(SupportedParameters.TopLogprobs)) set |= Param.TopLogprobs;
            if (extra.ContainsKey(SupportedParameters.LogitBias)) set |= Param.LogitBias;
            if (extra.ContainsKey(SupportedParameters.User)) set |= Param.User;
        }

        return set;
    }

    private static string[] Drop(ChatOptions o, Param found)
    {
        if ((found & Param.Temperature) != 0) o.Temperature = null;
        if ((found & Param.TopP) != 0) o.TopP = null;
        if ((found & Param.TopK) != 0) o.TopK = null;
        if ((found & Param.MaxTokens) != 0) o.MaxOutputTokens = null;
        if ((found & Param.Stop) != 0) o.StopSequences = null;
        if ((found & Param.Seed) != 0) o.Seed = null;
        if ((found & Param.FrequencyPenalty) != 0) o.FrequencyPenalty = null;
        if ((found & Param.PresencePenalty) != 0) o.PresencePenalty = null;
        if ((found & Param.ResponseFormat) != 0) o.ResponseFormat = null;
        if ((found & Param.Tools) != 0) o.Tools = null;
        if ((found & Param.ToolChoice) != 0) o.ToolMode = null;
        if ((found & Param.ParallelToolCalls) != 0) o.AllowMultipleToolCalls = null;
        if ((found & Param.ReasoningEffort) != 0) o.Reasoning = null;
        if ((found & Param.Extras) != 0 && o.AdditionalProperties is { } extra)
        {
            // The clone's own dictionary: the caller's options are not touched.
            o.AdditionalProperties = new AdditionalPropertiesDictionary(extra);
            foreach (var (flag, name) in Names)
            {
                if ((flag & Param.Extras & found) != 0)
                {
                    o.AdditionalProperties.Remove(name);
                }
            }
        }

        var names = new List<string>(4);
        foreach (var (flag, name) in Names)
        {
            if ((found & flag) != 0)
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    private static string NameOf(Param found)
    {
        foreach (var (flag, name) in Names)
        {
            if ((found & flag) != 0)
            {
                return name;
            }
        }

        return string.Empty;
    }

    // n = 1 asks for what every provider does.
    private static bool IsOne(object? value) => value switch
    {
        int i => i == 1,
        long l => l == 1,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.TryGetInt32(out var n) && n == 1,
        _ => false,
    };

    internal static bool? ToBool(object? value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s, out var b) => b,
        int i => i != 0,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        JsonElement { ValueKind: JsonValueKind.String } e when bool.TryParse(e.GetString(), out var b) => b,
        _ => null,
    };
}
