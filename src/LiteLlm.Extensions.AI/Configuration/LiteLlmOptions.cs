using LiteLlm.Cost;
using LiteLlm.Routing;

namespace LiteLlm.Configuration;

/// <summary>
/// What <c>services.AddLiteLlm(...)</c> builds from: a LiteLLM config (file, section or object),
/// deployments added in code, and which default middleware to compose.
/// </summary>
public sealed class LiteLlmOptions
{
    /// <summary>Gets or sets the path of a LiteLLM <c>config.yaml</c>. Model-list changes in it reload without a restart.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Gets or sets a configuration section shaped like config.yaml (e.g. <c>builder.Configuration.GetSection("LiteLlm")</c>).</summary>
    public Microsoft.Extensions.Configuration.IConfiguration? Configuration { get; set; }

    /// <summary>Gets or sets an already loaded config.</summary>
    public LiteLlmConfig? Config { get; set; }

    /// <summary>Gets the deployments added in code (in addition to the config's model list).</summary>
    public IList<Deployment> Deployments { get; } = [];

    /// <summary>Gets or sets a last say over the router's options.</summary>
    public Action<RouterOptions>? ConfigureRouter { get; set; }

    /// <summary>Gets the budgets enforced on every call (global, per user, team, key or model).</summary>
    public IList<Budget> Budgets { get; } = [];

    /// <summary>Gets or sets a value indicating whether responses carry their cost. The default is true.</summary>
    public bool CostTracking { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the response cache is on; null follows <c>litellm_settings.cache</c>.</summary>
    public bool? ResponseCache { get; set; }

    /// <summary>Gets or sets a value indicating whether MEAI's OpenTelemetry and the LiteLlm meter and logs are on. The default is true.</summary>
    public bool Telemetry { get; set; } = true;

    /// <summary>
    /// Gets or sets the HTTP transport every provider sends through (a proxy, custom certificates, or an in-process fake
    /// upstream in tests); see <see cref="LiteLlmClientFactoryOptions.HttpMessageHandler"/>.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Gets or sets the clock of the router and budgets.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
