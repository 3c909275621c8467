namespace LiteLlm.Gateway.Hosting;

/// <summary>How the gateway is started (the command-line flags).</summary>
public sealed record GatewayOptions
{
    /// <summary>Gets the LiteLLM config.yaml; without it the embedded defaults (mock models, real ones when keys are set) are used.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Gets the one model of quick mode (<c>--model openai/gpt-4o-mini</c>).</summary>
    public string? Model { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Gets the port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 4000;

    /// <summary>Gets a value indicating whether debug logs are written (never message contents or keys).</summary>
    public bool DetailedDebug { get; init; }

    /// <summary>Gets the largest request body. The default is 16 MB, or general_settings.max_request_size_mb.</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>Gets the time one request may take. The default is 10 minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets the HTTP handler providers send through (tests point it at a fake upstream).</summary>
    public HttpMessageHandler? UpstreamHandler { get; init; }

    /// <summary>Gets deployments added in code, beside the config's (custom clients, tests).</summary>
    public IReadOnlyList<LiteLlm.Routing.Deployment> ExtraDeployments { get; init; } = [];

    /// <summary>Gets how long a stream waits for its first update before keep-alive comments start. The default is 2 s.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(2);
}
