using System.Globalization;
using System.Text;
using LiteLlm.Configuration;

namespace LiteLlm.Gateway.Hosting;

/// <summary>
/// The one place the gateway's pipeline is built: the config comes from <c>--config</c> (LiteLLM config.yaml),
/// <c>--model</c> (one deployment) or the embedded defaults, and <c>services.AddLiteLlm</c> turns it into the
/// library's pipeline (telemetry, callbacks, cache when configured, cost tracking, router).
/// </summary>
public static class GatewayPipeline
{
    /// <summary>Loads the config the options ask for; throws <see cref="InvalidOperationException"/> with every config error.</summary>
    public static LiteLlmConfig LoadConfig(GatewayOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        if (options.ConfigFile is not null && options.Model is not null)
        {
            throw new InvalidOperationException("Give either --config or --model, not both.");
        }

        LiteLlmConfig config;
        if (options.ConfigFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"The config file '{file}' does not exist.");
            }

            try
            {
                config = LiteLlmConfigLoader.LoadYamlFile(file, environment);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"The config file '{file}' could not be read: {e.Message}", e);
            }
        }
        else
        {
            config = LiteLlmConfigLoader.ParseYaml(options.Model is { } model ? QuickModeYaml(model) : DefaultYaml(environment), environment);
        }

        if (config.Errors.Count > 0)
        {
            throw new InvalidOperationException("The config has errors:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", config.Errors));
        }

        return config;
    }

    /// <summary>Registers the library pipeline for <paramref name="config"/> and applies the gateway limits it sets.</summary>
    public static void AddPipeline(IServiceCollection services, GatewayOptions options, LiteLlmConfig config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        options.Config = config;
        foreach (var ip in config.General.AllowedIps)
        {
            options.AllowedIps.Add(ip);
        }

        if (config.General.MaxRequestSizeMb is { } mb and > 0)
        {
            options.MaxRequestBodyBytes = (long)(mb * 1024 * 1024);
        }

        if (config.Litellm.RequestTimeout is { } timeout && timeout > TimeSpan.Zero)
        {
            // The whole request may take as long as one upstream call plus a little for retries' bookkeeping.
            options.RequestTimeout = timeout + TimeSpan.FromSeconds(5);
        }

        services.AddLiteLlm(o =>
        {
            o.Config = config;
            options.ConfigureLiteLlm?.Invoke(o);
        });
    }

    /// <summary>
    /// The embedded defaults: <c>gpt-4o-mini</c>, <c>claude-3-5-haiku</c> and <c>text-embedding-3-small</c> use the real
    /// providers when OPENAI_API_KEY / ANTHROPIC_API_KEY are set and scripted mocks otherwise; <c>mock</c> always echoes.
    /// </summary>
    public static string DefaultYaml(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var hasOpenAi = !string.IsNullOrEmpty(environment("OPENAI_API_KEY"));
        var hasAnthropic = !string.IsNullOrEmpty(environment("ANTHROPIC_API_KEY"));
        var yaml = new StringBuilder("model_list:\n");
        yaml.Append(hasOpenAi
            ? Entry("gpt-4o-mini", "openai/gpt-4o-mini", "api_key: os.environ/OPENAI_API_KEY")
            : Entry("gpt-4o-mini", "mock/gpt-4o-mini", "mock_response: \"Hello from the LiteLlm gateway (mock gpt-4o-mini). Set OPENAI_API_KEY to call OpenAI.\""));
        yaml.Append(hasAnthropic
            ? Entry("claude-3-5-haiku", "anthropic/claude-3-5-haiku-latest", "api_key: os.environ/ANTHROPIC_API_KEY")
            : Entry("claude-3-5-haiku", "mock/claude-3-5-haiku", "mock_response: \"Hello from the LiteLlm gateway (mock claude-3-5-haiku). Set ANTHROPIC_API_KEY to call Anthropic.\""));
        yaml.Append(hasOpenAi
            ? Entry("text-embedding-3-small", "openai/text-embedding-3-small", "api_key: os.environ/OPENAI_API_KEY")
            : Entry("text-embedding-3-small", "mock/text-embedding-3-small", null));
        yaml.Append(Entry("mock", "mock/mock", null));
        return yaml.ToString();
    }

    private static string QuickModeYaml(string model)
        => "model_list:\n" + Entry(model, model, null);

    private static string Entry(string group, string model, string? extra)
    {
        var entry = string.Create(CultureInfo.InvariantCulture, $"  - model_name: {Quote(group)}\n    litellm_params:\n      model: {Quote(model)}\n");
        return extra is null ? entry : entry + "      " + extra + "\n";
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
