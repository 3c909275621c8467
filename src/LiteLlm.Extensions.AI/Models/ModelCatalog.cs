using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace LiteLlm.Models;

/// <summary>
/// The model catalog: context windows, prices and capabilities, embedded in the library (generated
/// from LiteLLM's price map by <c>eng/generate-catalog.py</c>). It is read once, lazily, and never
/// fetched from the network. Entries can be added or overridden at run time.
/// </summary>
public sealed class ModelCatalog
{
    private static readonly Lazy<FrozenDictionary<string, ModelInfo>> Embedded = new(LoadEmbedded);
    private readonly ConcurrentDictionary<string, ModelInfo> _overrides = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the process-wide catalog used by <see cref="Llm"/>'s static entry points.</summary>
    public static ModelCatalog Default { get; } = new();

    /// <summary>Gets the number of embedded entries.</summary>
    public static int EmbeddedCount => Embedded.Value.Count;

    /// <summary>Adds or replaces an entry (LiteLLM's <c>register_model</c>).</summary>
    public void Register(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _overrides[model.Name] = model;
    }

    /// <summary>Finds a model by its exact catalog key (case-insensitive); <see cref="Lookup(string)"/> also understands <c>provider/model</c>.</summary>
    public ModelInfo? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_overrides.TryGetValue(name, out var found) || Embedded.Value.TryGetValue(name, out found))
        {
            return found;
        }

        return null;
    }

    /// <summary>Finds the entry for a model served by a given provider (<c>openai</c> + <c>gpt-4o</c>, <c>groq</c> + <c>llama3-8b-8192</c>).</summary>
    public ModelInfo? Find(string provider, string model)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(model);
        if (Find(provider + "/" + model) is { } prefixed)
        {
            return prefixed;
        }

        return Find(model) is { } bare && ProviderMatches(bare.Provider, provider) ? bare : null;
    }

    /// <summary>
    /// Finds the entry for a model string as callers write it: a catalog key (<c>gpt-4o-mini</c>,
    /// <c>gemini/gemini-2.5-pro</c>) or <c>provider/model</c> (<c>openai/gpt-4o-mini</c>).
    /// </summary>
    public ModelInfo? Lookup(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Find(model) is { } found)
        {
            return found;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < model.Length - 1 ? Find(model[..slash], model[(slash + 1)..]) : null;
    }

    /// <summary>
    /// Finds the entry that prices a call: the model the provider says it served
    /// (<see cref="Microsoft.Extensions.AI.ChatResponse.ModelId"/>, e.g. <c>gpt-4o-mini-2024-07-18</c>) under
    /// <paramref name="provider"/>, falling back to the model that was asked for.
    /// </summary>
    /// <param name="provider">The provider that served the call (<see cref="ResponseProperties.Provider"/>), if known.</param>
    /// <param name="servedModel">The model id the response carries, if any.</param>
    /// <param name="requestedModel">The model string the caller asked for, if any.</param>
    public ModelInfo? Lookup(string? provider, string? servedModel, string? requestedModel)
    {
        foreach (var model in (ReadOnlySpan<string?>)[servedModel, requestedModel])
        {
            if (string.IsNullOrEmpty(model))
            {
                continue;
            }

            var found = provider is null ? Lookup(model)
                : Find(provider, model) ?? (model.StartsWith(provider + "/", StringComparison.OrdinalIgnoreCase) ? Lookup(model) : null);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Gets a value indicating whether the catalog says <paramref name="model"/> has <paramref name="capability"/> (see <see cref="ModelCapabilities"/>); unknown models have none.</summary>
    public bool Supports(string model, string capability) => Lookup(model)?.Supports(capability) ?? false;

    /// <summary>Gets the context window (maximum input tokens) of <paramref name="model"/>, or <see langword="null"/> when unknown.</summary>
    public int? GetContextWindow(string model) => Lookup(model)?.MaxInputTokens;

    /// <summary>Gets the maximum output tokens of <paramref name="model"/>, or <see langword="null"/> when unknown.</summary>
    public int? GetMaxOutputTokens(string model) => Lookup(model)?.MaxOutputTokens;

    /// <summary>Gets the base input and output prices (USD per token) of <paramref name="model"/>; each is <see langword="null"/> when unknown.</summary>
    public (decimal? Input, decimal? Output) GetCostPerToken(string model)
        => Lookup(model) is { } info ? (info.InputCostPerToken, info.OutputCostPerToken) : (null, null);

    /// <summary>Lists every entry (embedded and registered).</summary>
    public IEnumerable<ModelInfo> All()
        => Embedded.Value.Values.Where(m => !_overrides.ContainsKey(m.Name)).Concat(_overrides.Values);

    private static bool ProviderMatches(string catalogProvider, string provider)
        => string.Equals(catalogProvider, provider, StringComparison.OrdinalIgnoreCase)
        || (provider is "ollama_chat" && catalogProvider is "ollama")
        || (provider is "cohere_chat" && catalogProvider is "cohere" or "cohere_chat")
        || (provider is "bedrock" && catalogProvider is "bedrock_converse");

    private static FrozenDictionary<string, ModelInfo> LoadEmbedded()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("LiteLlm.Models.catalog.json")
            ?? throw new InvalidOperationException("The embedded model catalog is missing from the assembly.");
        using var doc = JsonDocument.Parse(stream);
        var map = new Dictionary<string, ModelInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            map[entry.Name] = Parse(entry.Name, entry.Value);
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static ModelInfo Parse(string name, JsonElement e)
    {
        var caps = e.TryGetProperty("supports", out var s)
            ? s.EnumerateArray().Select(x => x.GetString()!).ToFrozenSet(StringComparer.OrdinalIgnoreCase)
            : FrozenSet<string>.Empty;
        return new ModelInfo
        {
            Name = name,
            Provider = e.GetProperty("provider").GetString()!,
            Mode = e.TryGetProperty("mode", out var mode) ? mode.GetString() : null,
            MaxInputTokens = Int(e, "maxInput") ?? Int(e, "maxTokens"),
            MaxOutputTokens = Int(e, "maxOutput") ?? Int(e, "maxTokens"),
            InputCostPerToken = Dec(e, "in"),
            OutputCostPerToken = Dec(e, "out"),
            OutputCostPerReasoningToken = Dec(e, "reasoning"),
            CacheReadInputTokenCost = Dec(e, "cacheRead"),
            CacheCreationInputTokenCost = Dec(e, "cacheWrite"),
            CacheCreationInputTokenCostAbove1Hour = Dec(e, "cacheWrite1h"),
            InputCostPerTokenAbove128K = Dec(e, "in128k"),
            OutputCostPerTokenAbove128K = Dec(e, "out128k"),
            InputCostPerTokenAbove200K = Dec(e, "in200k"),
            OutputCostPerTokenAbove200K = Dec(e, "out200k"),
            CacheReadInputTokenCostAbove200K = Dec(e, "cacheRead200k"),
            CacheCreationInputTokenCostAbove200K = Dec(e, "cacheWrite200k"),
            PriceTiers = e.TryGetProperty("tiers", out var tiers)
                ? [.. tiers.EnumerateArray().Select(t => new PriceTier(
                    t.GetProperty("above").GetInt64(), Dec(t, "in"), Dec(t, "out"), Dec(t, "cacheRead"), Dec(t, "cacheWrite")))]
                : [],
            OutputVectorSize = Int(e, "dims"),
            Capabilities = caps,
        };
    }

    private static int? Int(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.TryGetDouble(out var d) ? (int)Math.Min(d, int.MaxValue) : null;

    // Prices are parsed from their JSON text, not through double, so 1.5e-07 is exactly 0.00000015m.
    private static decimal? Dec(JsonElement e, string name)
        => e.TryGetProperty(name, out var v)
            && decimal.TryParse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : null;
}
