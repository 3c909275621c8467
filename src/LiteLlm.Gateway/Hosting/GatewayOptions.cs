using LiteLlm.Configuration;

namespace LiteLlm.Gateway.Hosting;

/// <summary>How the gateway is hosted: the CLI flags plus the limits from <c>general_settings</c>.</summary>
public sealed class GatewayOptions
{
    /// <summary>Gets or sets the interface to listen on (<c>--host</c>).</summary>
    public string Host { get; set; } = "0.0.0.0";

    /// <summary>Gets or sets the port (<c>--port</c>); 0 picks a free port.</summary>
    public int Port { get; set; } = 4000;

    /// <summary>Gets or sets the LiteLLM <c>config.yaml</c> (<c>--config</c>).</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Gets or sets the one model of quick mode (<c>--model openai/gpt-4o</c>): one deployment whose group is the model string.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets a value indicating whether debug logs are written (<c>--detailed-debug</c>).</summary>
    public bool DetailedDebug { get; set; }

    /// <summary>Gets or sets the largest request body accepted (413 above it); <c>general_settings.max_request_size_mb</c> overrides it.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Gets or sets how long one request may take end to end (504 after it); <c>litellm_settings.request_timeout</c> overrides it.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets the client addresses or CIDR ranges allowed to call the gateway; empty allows all (<c>general_settings.allowed_ips</c>).</summary>
    public IList<string> AllowedIps { get; } = [];

    /// <summary>Gets or sets the interval of <c>: ping</c> comments while a stream waits for its first token.</summary>
    public TimeSpan StreamKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the timeout of one deployment probe on <c>/health</c>.</summary>
    public TimeSpan HealthProbeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets a hook to adjust the library options (extra deployments, budgets, a test HTTP handler).</summary>
    public Action<LiteLlmOptions>? ConfigureLiteLlm { get; set; }

    /// <summary>Gets or sets the loaded config; set by <see cref="GatewayPipeline"/>.</summary>
    public LiteLlmConfig? Config { get; set; }
}
