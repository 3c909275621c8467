using LiteLlm.Models;

namespace LiteLlm.Providers;

/// <summary>A model string resolved to its provider.</summary>
/// <param name="Provider">The provider that serves it.</param>
/// <param name="Model">The model as the provider names it (the part after the prefix).</param>
/// <param name="Requested">The model string as it was given.</param>
/// <param name="Info">The catalog entry, when the catalog knows the model.</param>
internal sealed record ResolvedModel(ProviderDescriptor Provider, string Model, string Requested, ModelInfo? Info)
{
    /// <summary>Gets the canonical <c>provider/model</c> string.</summary>
    public string FullName => Provider.Name + "/" + Model;
}
