using LiteLlm.Errors;
using LiteLlm.Models;

namespace LiteLlm.Providers;

/// <summary>
/// Resolves model strings the way LiteLLM does: <c>provider/model</c> by its prefix; a bare name
/// (<c>gpt-4o-mini</c>, <c>claude-3-5-sonnet-20240620</c>) through the model catalog, then by the
/// well-known family prefixes.
/// </summary>
internal sealed class ModelResolver
{
    private static readonly (string Prefix, string Provider)[] Families =
    [
        ("gpt-", "openai"), ("chatgpt-", "openai"), ("o1", "openai"), ("o3", "openai"), ("o4", "openai"),
        ("text-embedding-", "openai"), ("davinci", "openai"), ("babbage", "openai"), ("ft:gpt-", "openai"),
        ("claude-", "anthropic"), ("gemini-", "gemini"), ("command-", "cohere_chat"),
    ];

    /// <summary>
    /// LiteLLM prefixes for a wire format a registered provider speaks: <c>text-completion-openai/gpt-3.5-turbo-instruct</c>
    /// is served by <c>openai</c> (through chat completions), <c>azure_text/</c> by <c>azure</c>.
    /// </summary>
    private static readonly Dictionary<string, string> PrefixAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text-completion-openai"] = "openai",
        ["custom_openai"] = "openai",
        ["openai_like"] = "openai",
        ["azure_text"] = "azure",
    };

    private readonly ProviderRegistry _providers;
    private readonly ModelCatalog _catalog;

    /// <summary>Initializes a new instance of the <see cref="ModelResolver"/> class.</summary>
    /// <param name="providers">The known providers.</param>
    /// <param name="catalog">The model catalog (context windows, prices, capabilities).</param>
    public ModelResolver(ProviderRegistry providers, ModelCatalog catalog)
    {
        _providers = providers;
        _catalog = catalog;
    }

    /// <summary>Resolves <paramref name="model"/> or throws <see cref="UnknownModelException"/> naming the accepted forms.</summary>
    public ResolvedModel Resolve(string model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new UnknownModelException(model ?? string.Empty, "No model was given. " + AcceptedForms());
        }

        model = model.Trim();
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && (_providers.TryGet(model[..slash], out var provider)
            || (PrefixAliases.TryGetValue(model[..slash], out var aliased) && _providers.TryGet(aliased, out provider))))
        {
            var name = model[(slash + 1)..];
            if (name.Length == 0)
            {
                throw new UnknownModelException(model, $"'{model}' names the provider '{provider.Name}' but no model. Use '{provider.Name}/<model>'.");
            }

            return new ResolvedModel(provider, name, model, _catalog.Find(provider.Name, name));
        }

        if (_catalog.Find(model) is { } info && _providers.TryGet(ProviderOf(info), out var catalogProvider))
        {
            var name = model.StartsWith(catalogProvider.Name + "/", StringComparison.OrdinalIgnoreCase) ? model[(catalogProvider.Name.Length + 1)..] : model;
            return new ResolvedModel(catalogProvider, name, model, info);
        }

        foreach (var (prefix, providerName) in Families)
        {
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && _providers.TryGet(providerName, out var family))
            {
                return new ResolvedModel(family, model, model, null);
            }
        }

        var reason = slash > 0
            ? $"Unknown provider '{model[..slash]}' in model '{model}'. "
            : $"Unknown model '{model}': it is not in the model catalog and has no provider prefix. ";
        throw new UnknownModelException(model, reason + AcceptedForms());
    }

    private static string ProviderOf(ModelInfo info) => info.Provider switch
    {
        "bedrock_converse" => "bedrock",
        "text-completion-openai" => "openai",
        "cohere" => "cohere_chat",
        var p => p,
    };

    /// <summary>Gets every accepted provider prefix: the registered providers and LiteLLM's aliases of them.</summary>
    public IEnumerable<string> AcceptedPrefixes
        => _providers.Names.Concat(PrefixAliases.Where(a => _providers.TryGet(a.Value, out _)).Select(a => a.Key)).Order(StringComparer.Ordinal);

    private string AcceptedForms()
        => "Use '<provider>/<model>' with one of the providers " + string.Join(", ", AcceptedPrefixes)
        + ", or a model name the catalog knows (e.g. 'gpt-4o-mini', 'claude-3-5-haiku-20241022').";
}
