using LiteLlm.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire-style registration: <c>builder.AddLiteLlmChatClient("gpt-4o-mini")</c> reads LiteLlm's configuration section and
/// gives back the model group's <see cref="ChatClientBuilder"/>, with telemetry in the pipeline and a health check.
/// </summary>
public static class LiteLlmHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers LiteLlm from <paramref name="configurationSectionName"/> (once per host, as <c>AddLiteLlm</c> does, with its
    /// start-time checks and its default <see cref="IChatClient"/>), the model group <paramref name="name"/> as a keyed
    /// <see cref="IChatClient"/>, and the health check <c>litellm-{name}</c> read from the router's state. The pipeline already carries MEAI's OpenTelemetry spans and metrics and the <c>LiteLlm</c> meter.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="name">The model group (a <c>model_name</c> of the config, or an alias).</param>
    /// <param name="configurationSectionName">The configuration section in LiteLLM's config shape; <c>LiteLlm</c> by default.</param>
    /// <returns>The model group's client builder: middleware added to it (function invocation, logging) wraps the pipeline.</returns>
    public static ChatClientBuilder AddLiteLlmChatClient(this IHostApplicationBuilder builder, string name, string configurationSectionName = "LiteLlm")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(LiteLlmRuntime)))
        {
            services.AddLiteLlm(builder.Configuration.GetSection(configurationSectionName));
        }

        services.AddHealthChecks().Add(new Diagnostics.HealthChecks.HealthCheckRegistration(
            "litellm-" + name, sp => new LiteLlmHealthCheck(sp.GetRequiredService<LiteLlmRuntime>(), name), failureStatus: null, tags: ["litellm"]));
        var chat = services.AddKeyedChatClient(name, sp => sp.GetRequiredService<LiteLlmRuntime>().BuildPipeline(sp));
        chat.ConfigureOptions(o => o.ModelId ??= name);
        return chat;
    }
}
