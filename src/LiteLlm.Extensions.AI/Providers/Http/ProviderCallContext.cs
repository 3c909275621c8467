using System.Text.Json.Nodes;

namespace LiteLlm.Providers.Http;

/// <summary>
/// What one call adds at the wire: the model (for error messages), provider-specific body fields
/// and extra headers. It flows from the provider wrapper to <see cref="ProviderHttpHandler"/>
/// through an <see cref="AsyncLocal{T}"/>, because the SDKs build the HTTP request themselves.
/// </summary>
internal sealed class ProviderCallContext
{
    private static readonly AsyncLocal<ProviderCallContext?> CurrentContext = new();

    public ProviderCallContext(string model) => Model = model;

    public static ProviderCallContext? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }

    public string Model { get; }

    /// <summary>Gets or sets fields merged into the top level of the JSON request body (objects merge deeply).</summary>
    public JsonObject? ExtraBody { get; set; }

    /// <summary>Gets or sets headers added to the request.</summary>
    public IReadOnlyDictionary<string, string>? ExtraHeaders { get; set; }
}
