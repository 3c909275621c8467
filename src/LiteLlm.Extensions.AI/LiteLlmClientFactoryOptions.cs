using LiteLlm.Models;
using LiteLlm.Providers;

namespace LiteLlm;

/// <summary>Settings of a <see cref="LiteLlmClientFactory"/>.</summary>
public sealed class LiteLlmClientFactoryOptions
{
    /// <summary>Gets or sets the providers known by name. The default is <see cref="ProviderRegistry.Default"/>.</summary>
    public ProviderRegistry Providers { get; set; } = ProviderRegistry.Default;

    /// <summary>Gets or sets the model catalog. The default is <see cref="ModelCatalog.Default"/>.</summary>
    public ModelCatalog Catalog { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets how environment variables are read. The default reads the process environment.</summary>
    public Func<string, string?> EnvironmentVariables { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// Gets or sets the HTTP handler every provider sends through. The default is one shared
    /// <see cref="SocketsHttpHandler"/> (pooled connections, recycled every 5 minutes for DNS changes).
    /// Set it for a proxy, custom certificates, or an in-process fake upstream in tests; the library's own edge
    /// (headers, auth, error mapping) always wraps it.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Gets or sets the clock used where a protocol needs the time (AWS SigV4 signing). Tests fix it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the time limit of a call when the deployment sets none. The default is 10 minutes.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets a value indicating whether parameters a provider does not support are dropped
    /// (LiteLLM's <c>litellm.drop_params = True</c>) rather than refused with
    /// <see cref="Errors.UnsupportedParameterException"/>. A deployment's <c>drop_params</c> setting and a
    /// call's <c>drop_params</c> additional property override it. The default is <see langword="false"/>.
    /// </summary>
    public bool DropParams { get; set; }
}
